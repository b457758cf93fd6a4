# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The custom DLP profile module driven through main() against a real local HTTP server, call by call."""

from __future__ import annotations

import pytest

from ansible_collections.zerotrust.cloudflare.plugins.modules import cloudflare_dlp_profile as module
from ansible_collections.zerotrust.cloudflare.tests.unit.plugins.scripted_api import (
    ACCOUNT, BAD_GATEWAY, CUSTOM_PROFILES, ENTRIES, RULES, VALIDATE, connection, custom_profile, custom_profile_path, envelope,
    expect, regex_entry, rule, sent)

PROFILE_ID = '6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a'
OTHER_ID = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d'
BADGE_ID = '0f5e4d3c-2b1a-4f9e-8d7c-6b5a4f3e2d1c'
GUEST_ID = '7e6d5c4b-3a2f-4e1d-9c0b-8a7f6e5d4c3b'
WORDS_ID = '3c2b1a0f-9e8d-4c7b-8a6f-5e4d3c2b1a0f'
NEW_ID = '5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b'
NAME = 'Employee IDs'
BADGE = regex_entry(BADGE_ID, 'Employee badge', 'EMP-[0-9]{6}', description='Staff')
GUEST = regex_entry(GUEST_ID, 'Guest badge', 'GST-[0-9]{4}')
WORDS = {'id': WORDS_ID, 'name': 'Code words', 'type': 'word_list', 'enabled': True, 'word_list': {'words': ['falcon']}}
CURRENT = custom_profile(PROFILE_ID, NAME, [BADGE, GUEST, WORDS], description='Badges', allowed_match_count=2)
VALID = envelope({'valid': True})
ENTRIES_AS_NOW = [{'name': 'Employee badge', 'regex': 'EMP-[0-9]{6}'}, {'name': 'Guest badge', 'regex': 'GST-[0-9]{4}'}]


def profile_path(profile_id=PROFILE_ID):
    return custom_profile_path(profile_id)


def entry_path(entry_id, custom=False):
    return ENTRIES + ('/custom/' if custom else '/') + entry_id


@pytest.fixture
def args(httpserver):
    return connection(httpserver, name=NAME)


def methods(httpserver):
    return [(method, path) for method, path, dummy in sent(httpserver)]


# --- create ---------------------------------------------------------------------------------


def test_create_in_check_mode_reads_and_validates_only(httpserver, run_module, args):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([custom_profile(OTHER_ID, 'Other')]))
    expect(httpserver, 'POST', VALIDATE, 200, VALID, json={'regex': 'EMP-[0-9]{6}'})
    result = run_module(module.main, dict(args, entries=ENTRIES_AS_NOW[:1], _ansible_check_mode=True, _ansible_diff=True))
    assert result['changed'] is True and result['entries_created'] == [] and result['profile_updated'] is False
    assert result['profile'] == {'name': NAME, 'type': 'custom', 'entries': [
        {'name': 'Employee badge', 'type': 'custom', 'pattern': {'regex': 'EMP-[0-9]{6}'}, 'enabled': True}]}
    assert result['diff']['before'] == {}
    assert result['diff']['after']['entries'] == {'Employee badge': {'regex': 'EMP-[0-9]{6}', 'enabled': True, 'description': None}}
    assert methods(httpserver) == [('GET', CUSTOM_PROFILES), ('POST', VALIDATE)]


def test_create_posts_the_entries_inline_then_reads_the_profile(httpserver, run_module, args):
    created = custom_profile(NEW_ID, NAME, [BADGE], allowed_match_count=3)
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([]))
    expect(httpserver, 'POST', VALIDATE, 200, VALID)
    expect(httpserver, 'POST', CUSTOM_PROFILES, 200, envelope(created))
    expect(httpserver, 'GET', profile_path(NEW_ID), 200, envelope(created))
    result = run_module(module.main, dict(args, allowed_match_count=3, entries=[
        {'name': 'Employee badge', 'regex': 'EMP-[0-9]{6}', 'description': 'Staff'}]))
    assert result['changed'] is True and result['profile'] == created
    assert sent(httpserver) == [
        ('GET', CUSTOM_PROFILES, None),
        ('POST', VALIDATE, {'regex': 'EMP-[0-9]{6}'}),
        ('POST', CUSTOM_PROFILES, {'name': NAME, 'allowed_match_count': 3, 'entries': [
            {'name': 'Employee badge', 'pattern': {'regex': 'EMP-[0-9]{6}'}, 'enabled': True, 'description': 'Staff'}]}),
        ('GET', profile_path(NEW_ID), None),
    ]


def test_a_lost_create_is_adopted_from_one_read_of_the_list(httpserver, run_module, args, no_sleep):
    created = custom_profile(NEW_ID, NAME)
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([custom_profile(OTHER_ID, NAME + ' 2')]))
    expect(httpserver, 'POST', CUSTOM_PROFILES, 502, BAD_GATEWAY)
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([custom_profile(OTHER_ID, NAME + ' 2'), created]))
    expect(httpserver, 'GET', profile_path(NEW_ID), 200, envelope(created))
    result = run_module(module.main, args)
    assert not result.failed and result['changed'] is True and result['profile'] == created
    assert no_sleep == []


def test_a_lost_create_not_found_is_uncertain(httpserver, run_module, args):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([]))
    expect(httpserver, 'POST', CUSTOM_PROFILES, 200, envelope(None))
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([]))
    result = run_module(module.main, args)
    assert result.failed and 'Traceback' not in result.out
    assert result['changed'] is True and result['uncertain'] == [NAME]
    assert 'may have been applied' in result['msg'] and "Whether the failed request changed 'Employee IDs' is unknown" in result['msg']


def test_profile_id_that_matches_nothing_cannot_create(httpserver, run_module, args):
    expect(httpserver, 'GET', profile_path(), 404, envelope(None, False, [{'code': 1553, 'message': 'DLP profile not found'}]))
    result = run_module(module.main, dict(args, profile_id=PROFILE_ID))
    assert result.failed and 'profile_id %s matches no custom DLP profile' % PROFILE_ID in result['msg']
    assert result['changed'] is False and methods(httpserver) == [('GET', profile_path())]


# --- no-op -----------------------------------------------------------------------------------


def test_noop_by_name_is_one_get(httpserver, run_module, args):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([custom_profile(OTHER_ID, 'Other'), CURRENT]))
    result = run_module(module.main, dict(args, description='Badges', allowed_match_count=2, confidence_threshold='low',
                                          ocr_enabled=False, ai_context_enabled=False, entries=list(reversed(ENTRIES_AS_NOW)),
                                          _ansible_diff=True))
    assert result['changed'] is False and result['profile'] == CURRENT
    assert result['diff']['before'] == result['diff']['after']
    assert result['uncertain'] == [] and result['entries_created'] == []
    assert methods(httpserver) == [('GET', CUSTOM_PROFILES)]


def test_noop_by_id_reads_only_that_profile(httpserver, run_module, args):
    expect(httpserver, 'GET', profile_path(PROFILE_ID.upper()), 200, envelope(dict(CURRENT, description=None)))
    result = run_module(module.main, dict(args, name=None, profile_id=PROFILE_ID.upper(), description=''))
    assert result['changed'] is False
    assert methods(httpserver) == [('GET', profile_path(PROFILE_ID.upper()))]


# --- updates ---------------------------------------------------------------------------------


def test_a_field_is_one_put_with_the_current_values_and_never_entries(httpserver, run_module, args):
    shared = {'id': OTHER_ID, 'name': 'Visa Card Number', 'type': 'predefined', 'enabled': False}
    context = {'enabled': True, 'skip': {'files': False}}
    current = dict(CURRENT, shared_entries=[shared], context_awareness=context, ocr_enabled=True)
    updated = dict(current, allowed_match_count=5)
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([current]))
    expect(httpserver, 'PUT', profile_path(), 200, envelope(updated))
    expect(httpserver, 'GET', profile_path(), 200, envelope(updated))
    result = run_module(module.main, dict(args, allowed_match_count=5))
    assert result['changed'] is True and result['profile_updated'] is True and result['profile'] == updated
    assert sent(httpserver)[1] == ('PUT', profile_path(), {
        'name': NAME, 'description': 'Badges', 'allowed_match_count': 5, 'confidence_threshold': 'low', 'ocr_enabled': True,
        'ai_context_enabled': False, 'context_awareness': context, 'shared_entries': [{'entry_id': OTHER_ID, 'enabled': False}]})
    assert len(httpserver.log) == 3


def test_entries_add_change_and_drop(httpserver, run_module, args):
    after = dict(CURRENT, entries=[WORDS])
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([CURRENT]))
    expect(httpserver, 'POST', VALIDATE, 200, VALID, json={'regex': 'EMP-[0-9]{8}'})
    expect(httpserver, 'POST', VALIDATE, 200, VALID, json={'regex': 'VIS-[0-9]{4}'})
    expect(httpserver, 'PUT', entry_path(BADGE_ID, custom=True), 200, envelope(dict(BADGE, pattern={'regex': 'EMP-[0-9]{8}'})))
    expect(httpserver, 'POST', ENTRIES, 200, envelope(regex_entry(NEW_ID, 'Visitor badge', 'VIS-[0-9]{4}')))
    expect(httpserver, 'DELETE', entry_path(GUEST_ID), 200, envelope(None))
    expect(httpserver, 'GET', profile_path(), 200, envelope(after))
    result = run_module(module.main, dict(args, entries=[
        {'name': 'Employee badge', 'regex': 'EMP-[0-9]{8}'},
        {'name': 'Visitor badge', 'regex': 'VIS-[0-9]{4}', 'enabled': False}]))
    assert result['changed'] is True and result['profile_updated'] is False
    assert (result['entries_updated'], result['entries_created'], result['entries_deleted']) == (
        ['Employee badge'], ['Visitor badge'], ['Guest badge'])
    assert result['profile'] == after
    assert sent(httpserver)[3:6] == [
        ('PUT', entry_path(BADGE_ID, custom=True), {'name': 'Employee badge', 'pattern': {'regex': 'EMP-[0-9]{8}'},
                                                    'enabled': True, 'description': 'Staff'}),
        ('POST', ENTRIES, {'profile_id': PROFILE_ID, 'name': 'Visitor badge', 'pattern': {'regex': 'VIS-[0-9]{4}'}, 'enabled': False}),
        ('DELETE', entry_path(GUEST_ID), None),
    ]
    assert len(httpserver.log) == 7


def test_disabling_an_entry_sends_no_validation(httpserver, run_module, args):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([CURRENT]))
    expect(httpserver, 'PUT', entry_path(GUEST_ID, custom=True), 200, envelope(dict(GUEST, enabled=False)))
    expect(httpserver, 'GET', profile_path(), 200, envelope(CURRENT))
    result = run_module(module.main, dict(args, entries=[ENTRIES_AS_NOW[0], dict(ENTRIES_AS_NOW[1], enabled=False)]))
    assert result['entries_updated'] == ['Guest badge']
    assert [method for method, dummy in methods(httpserver)] == ['GET', 'PUT', 'GET']


def test_an_entry_keeps_the_validation_of_its_pattern(httpserver, run_module, args):
    card = regex_entry(NEW_ID, 'Card', '4[0-9]{15}', pattern={'regex': '4[0-9]{15}', 'validation': 'luhn'})
    current = custom_profile(PROFILE_ID, NAME, [card])
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([current]))
    expect(httpserver, 'PUT', entry_path(NEW_ID, custom=True), 200, envelope(card))
    expect(httpserver, 'GET', profile_path(), 200, envelope(current))
    run_module(module.main, dict(args, entries=[{'name': 'Card', 'regex': '4[0-9]{15}', 'description': 'Visa'}]))
    assert sent(httpserver)[1][2] == {'name': 'Card', 'pattern': {'regex': '4[0-9]{15}', 'validation': 'luhn'}, 'enabled': True,
                                      'description': 'Visa'}


def test_entries_in_check_mode_are_planned_and_validated(httpserver, run_module, args):
    expect(httpserver, 'GET', profile_path(), 200, envelope(CURRENT))
    expect(httpserver, 'POST', VALIDATE, 200, VALID, json={'regex': 'VIS-[0-9]{4}'})
    result = run_module(module.main, dict(args, name='Staff IDs', profile_id=PROFILE_ID, _ansible_check_mode=True,
                                          entries=[ENTRIES_AS_NOW[0], {'name': 'Visitor badge', 'regex': 'VIS-[0-9]{4}'}]))
    assert result['changed'] is True and result['profile_updated'] is True
    assert (result['entries_updated'], result['entries_created'], result['entries_deleted']) == ([], ['Visitor badge'], ['Guest badge'])
    assert result['profile']['name'] == 'Staff IDs' and result['profile']['id'] == PROFILE_ID
    assert [entry['name'] for entry in result['profile']['entries']] == ['Employee badge', 'Code words', 'Visitor badge']
    assert methods(httpserver) == [('GET', profile_path()), ('POST', VALIDATE)]


# --- pattern validation ------------------------------------------------------------------------


def test_an_invalid_regex_fails_before_any_write(httpserver, run_module, args):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([CURRENT]))
    expect(httpserver, 'POST', VALIDATE, 200, VALID, json={'regex': 'EMP-[0-9]{8}'})
    expect(httpserver, 'POST', VALIDATE, 200, envelope({'valid': False}), json={'regex': 'VIS-[0-9]+'})
    result = run_module(module.main, dict(args, description='New', entries=[
        {'name': 'Employee badge', 'regex': 'EMP-[0-9]{8}'}, {'name': 'Visitor badge', 'regex': 'VIS-[0-9]+'}]))
    assert result.failed and result['changed'] is False
    assert result['msg'].startswith("entries: the regex 'VIS-[0-9]+' of the entry 'Visitor badge' is not valid")
    assert '{1,100}' in result['msg']
    assert [method for method, dummy in methods(httpserver)] == ['GET', 'POST', 'POST']


def test_the_same_regex_is_validated_once(httpserver, run_module, args):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([]))
    expect(httpserver, 'POST', VALIDATE, 200, VALID)
    result = run_module(module.main, dict(args, _ansible_check_mode=True, entries=[
        {'name': 'A', 'regex': 'X[0-9]{3}'}, {'name': 'B', 'regex': 'X[0-9]{3}'}]))
    assert result['changed'] is True and len(httpserver.log) == 2


@pytest.mark.parametrize('status', [401, 403])
def test_a_read_only_token_in_check_mode_warns_and_goes_on(httpserver, run_module, args, status):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([CURRENT]))
    expect(httpserver, 'POST', VALIDATE, status, envelope(None, False, [{'code': 10000, 'message': 'Authentication error'}]))
    result = run_module(module.main, dict(args, _ansible_check_mode=True, entries=[
        {'name': 'A', 'regex': 'X[0-9]{3}'}, {'name': 'B', 'regex': 'Y[0-9]{3}'}]))
    assert not result.failed and result['changed'] is True
    assert any('regexes of the entries were not validated' in warning for warning in result.warnings)
    assert len(httpserver.log) == 2


def test_a_read_only_token_fails_a_real_run_before_any_write(httpserver, run_module, args):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([CURRENT]))
    expect(httpserver, 'POST', VALIDATE, 403, envelope(None, False, [{'code': 10000, 'message': 'Authentication error'}]))
    result = run_module(module.main, dict(args, entries=[{'name': 'A', 'regex': 'X[0-9]{3}'}]))
    assert result.failed and result['changed'] is False and 'Zero Trust Write' in result['msg']
    assert len(httpserver.log) == 2


@pytest.mark.parametrize('answer', [None, {'valid': 'yes'}, [True]])
def test_a_bad_validation_answer_is_an_error_without_change(httpserver, run_module, args, answer):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([]))
    expect(httpserver, 'POST', VALIDATE, 200, envelope(answer))
    result = run_module(module.main, dict(args, entries=[{'name': 'A', 'regex': 'X[0-9]{3}'}]))
    assert result.failed and result['changed'] is False and result['uncertain'] == []
    assert 'Cloudflare answered POST /accounts/%s/dlp/patterns/validate with an unexpected result' % ACCOUNT in result['msg']


# --- what cannot be done -------------------------------------------------------------------------


def test_duplicate_entries_on_the_profile_fail_before_any_write(httpserver, run_module, args):
    twin = regex_entry(NEW_ID, 'Guest badge', 'GST-[0-9]{5}')
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([dict(CURRENT, entries=[BADGE, GUEST, twin])]))
    result = run_module(module.main, dict(args, entries=ENTRIES_AS_NOW))
    assert result.failed
    assert 'Guest badge (%s), Guest badge (%s)' % (GUEST_ID, NEW_ID) in result['msg']
    assert len(httpserver.log) == 1


def test_a_name_of_several_custom_profiles_fails(httpserver, run_module, args):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([CURRENT, custom_profile(OTHER_ID, NAME)]))
    result = run_module(module.main, dict(args, allowed_match_count=1))
    assert result.failed
    assert result['msg'] == ("name 'Employee IDs' matches 2 custom DLP profiles: Employee IDs (%s), Employee IDs (%s)."
                             " Set profile_id to choose one." % (PROFILE_ID, OTHER_ID))


@pytest.mark.parametrize('options, error', [
    ({'profile_id': 'employees'}, 'profile_id must be a UUID'),
    ({'profile_id': '../../email/rules'}, 'profile_id must be a UUID'),
    ({'name': ' '}, "name must not be empty"),
    ({'allowed_match_count': 1001}, 'allowed_match_count must be a whole number from 0 to 1000, got 1001'),
    ({'allowed_match_count': -1}, 'allowed_match_count must be a whole number from 0 to 1000, got -1'),
    ({'confidence_threshold': 'certain'}, 'value of confidence_threshold must be one of: low, medium, high, very_high'),
    ({'entries': [{'name': 'A', 'regex': 'x'}, {'name': 'A', 'regex': 'y'}]}, "entries[0] and entries[1] have the same name 'A'"),
    ({'entries': [{'name': 'A'}]}, 'missing required arguments: regex'),
    ({'entries': [{'name': 'A', 'regex': ''}]}, "entries[0].regex must not be empty"),
    ({'entries': [{'name': '', 'regex': 'x'}]}, "entries[0].name must not be empty"),
    ({'name': None, 'description': 'x'}, 'one of the following is required: profile_id, name'),
], ids=['id', 'id-path', 'blank-name', 'count-high', 'count-negative', 'threshold', 'entry-twice', 'entry-no-regex',
        'entry-empty-regex', 'entry-blank-name', 'no-name-no-id'])
def test_bad_input_sends_nothing(httpserver, run_module, args, options, error):
    result = run_module(module.main, dict((key, value) for key, value in dict(args, **options).items() if value is not None))
    assert result.failed and error in result['msg']
    assert httpserver.log == []


# --- partial failures ----------------------------------------------------------------------------


def test_a_failed_entry_write_reports_what_was_applied(httpserver, run_module, args, no_sleep):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([CURRENT]))
    expect(httpserver, 'POST', VALIDATE, 200, VALID)
    expect(httpserver, 'PUT', profile_path(), 200, envelope(dict(CURRENT, description='New')))
    expect(httpserver, 'PUT', entry_path(GUEST_ID, custom=True), 200, envelope(dict(GUEST, enabled=False)))
    expect(httpserver, 'POST', ENTRIES, 502, BAD_GATEWAY)
    expect(httpserver, 'GET', profile_path(), 200, envelope(CURRENT))
    result = run_module(module.main, dict(args, description='New', entries=[
        ENTRIES_AS_NOW[0], dict(ENTRIES_AS_NOW[1], enabled=False), {'name': 'Visitor badge', 'regex': 'VIS-[0-9]{4}'}]))
    assert result.failed and result['changed'] is True
    assert result['profile_updated'] is True and result['entries_updated'] == ['Guest badge']
    assert result['entries_created'] == [] and result['entries_deleted'] == [] and result['uncertain'] == ['Visitor badge']
    assert ("The changes made before this failure stay: updated the profile; updated the entries 'Guest badge'."
            " Whether the failed request changed 'Visitor badge' is unknown") in result['msg']
    assert [method for method, dummy in methods(httpserver)] == ['GET', 'POST', 'PUT', 'PUT', 'POST', 'GET']


def test_a_lost_entry_create_is_adopted_from_the_profile(httpserver, run_module, args, no_sleep):
    visitor = regex_entry(NEW_ID, 'Visitor badge', 'VIS-[0-9]{4}')
    after = dict(CURRENT, entries=[BADGE, GUEST, WORDS, visitor])
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([CURRENT]))
    expect(httpserver, 'POST', VALIDATE, 200, VALID)
    expect(httpserver, 'POST', ENTRIES, 504, BAD_GATEWAY)
    expect(httpserver, 'GET', profile_path(), 200, envelope(after))
    expect(httpserver, 'GET', profile_path(), 200, envelope(after))
    result = run_module(module.main, dict(args, entries=ENTRIES_AS_NOW + [{'name': 'Visitor badge', 'regex': 'VIS-[0-9]{4}'}]))
    assert not result.failed and result['entries_created'] == ['Visitor badge'] and result['profile'] == after


def test_a_profile_put_answered_badly_is_uncertain(httpserver, run_module, args):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([CURRENT]))
    expect(httpserver, 'PUT', profile_path(), 200, envelope(['not a profile']))
    result = run_module(module.main, dict(args, ocr_enabled=True))
    assert result.failed and result['changed'] is True and result['uncertain'] == [NAME]
    assert result['profile_updated'] is False and 'may have been applied' in result['msg']


@pytest.mark.parametrize('answer', [
    [{'id': PROFILE_ID, 'name': NAME}],
    [dict(CURRENT, entries=[dict(BADGE, pattern=None)])],
    {'id': PROFILE_ID},
], ids=['no-entries', 'entry-without-regex', 'not-a-list'])
def test_a_profile_list_of_the_wrong_shape_fails_cleanly(httpserver, run_module, args, answer):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope(answer))
    result = run_module(module.main, dict(args, ocr_enabled=True))
    assert result.failed and 'Traceback' not in result.out and result['changed'] is False
    assert 'Cloudflare answered GET /accounts/%s/dlp/profiles/custom with an unexpected result' % ACCOUNT in result['msg']


# --- absent --------------------------------------------------------------------------------------


def test_delete_is_refused_while_a_rule_uses_the_profile(httpserver, run_module, args):
    user = rule('2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d', 'Block badges', 0,
                [{'selector': 'DLPProfiles', 'operator': 'InList', 'value': [PROFILE_ID.upper()]}])
    other = rule('9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f', 'Regex', 1,
                 [{'selector': 'DLPProfiles', 'operator': 'MatchRegex', 'value': PROFILE_ID}])
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([CURRENT]))
    expect(httpserver, 'GET', RULES, 200, envelope([other, user]))
    result = run_module(module.main, dict(args, state='absent'))
    assert result.failed and result['changed'] is False
    assert result['msg'] == ("the DLP profile 'Employee IDs' (%s) is used by the DLP email rules 'Block badges'"
                             " (2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d): remove it from their conditions first, or set"
                             " force=true to delete it anyway" % PROFILE_ID)
    assert methods(httpserver) == [('GET', CUSTOM_PROFILES), ('GET', RULES)]


def test_delete_reads_the_rules_then_deletes(httpserver, run_module, args):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([CURRENT]))
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    expect(httpserver, 'DELETE', profile_path(), 200, envelope(None))
    result = run_module(module.main, dict(args, state='absent', _ansible_diff=True))
    assert result['changed'] is True and result['profile'] is None
    assert result['diff']['after'] == {} and result['diff']['before']['name'] == NAME
    assert [method for method, dummy in methods(httpserver)] == ['GET', 'GET', 'DELETE']


def test_forced_delete_does_not_read_the_rules(httpserver, run_module, args):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([CURRENT]))
    expect(httpserver, 'DELETE', profile_path(), 200, envelope(None))
    result = run_module(module.main, dict(args, state='absent', force=True))
    assert result['changed'] is True
    assert methods(httpserver) == [('GET', CUSTOM_PROFILES), ('DELETE', profile_path())]


def test_delete_in_check_mode_sends_no_delete(httpserver, run_module, args):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([CURRENT]))
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    result = run_module(module.main, dict(args, state='absent', _ansible_check_mode=True))
    assert result['changed'] is True and len(httpserver.log) == 2


def test_absent_already_is_one_get(httpserver, run_module, args):
    expect(httpserver, 'GET', CUSTOM_PROFILES, 200, envelope([custom_profile(OTHER_ID, 'Other')]))
    result = run_module(module.main, dict(args, state='absent'))
    assert result['changed'] is False and result['profile'] is None and len(httpserver.log) == 1
