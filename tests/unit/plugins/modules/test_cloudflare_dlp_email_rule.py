# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The single-rule module driven through main() against a real local HTTP server, call by call."""

from __future__ import annotations

import pytest

from ansible_collections.zerotrust.cloudflare.plugins.modules import cloudflare_dlp_email_rule as module
from ansible_collections.zerotrust.cloudflare.tests.unit.plugins.scripted_api import (
    ACCOUNT, ACCOUNT_PROFILES, BAD_GATEWAY, CARDS_PROFILE, FINANCE_PROFILE, PROFILES, RULES, body_of, connection, envelope, expect,
    profile, sent, rule as api_rule, rule_path as api_rule_path)

RULE_ID = '2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d'
OTHER_ID = '9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f'
NEW_ID = '5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b'
PROFILE = 'c8f0b8a2-5b4e-4f3c-9d1a-2e7f6a5b4c3d'
NAME = 'Block card numbers'
CONDITIONS = [
    {'selector': 'DLPProfiles', 'operator': 'InList', 'value': [PROFILE]},
    {'selector': 'Recipients', 'operator': 'NotMatchRegex', 'value': '.*@example\\.com$'},
]


def rule_path(rule_id=RULE_ID):
    return api_rule_path(rule_id)


def rule(rule_id=RULE_ID, name=NAME, priority=3, conditions=None, **changes):
    """A rule as the API returns it."""
    value = dict(description='Cards stay inside', action={'action': 'Block', 'message': 'No cards outside'})
    value.update(changes)
    return api_rule(rule_id, name, priority, CONDITIONS if conditions is None else conditions, **value)


NOT_FOUND = envelope(None, False, [{'code': 1101, 'message': 'Email rule not found'}])


@pytest.fixture
def args(httpserver):
    return connection(httpserver, name=NAME)


# --- create ---------------------------------------------------------------------------


def test_create_in_check_mode_sends_only_the_get(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([rule(OTHER_ID, 'Other')]))
    result = run_module(module.main, dict(args, conditions=CONDITIONS, priority=10, _ansible_check_mode=True,
                                          _ansible_diff=True))
    assert result['changed'] is True
    assert result['rule'] == {'name': NAME, 'enabled': True, 'conditions': CONDITIONS, 'action': {'action': 'Block'},
                              'priority': 10}
    assert result['diff'] == {'before': {}, 'after': result['rule']}
    assert sent(httpserver) == [('GET', RULES, None)]


def test_create_sends_what_the_user_wrote_with_defaults(httpserver, run_module, args):
    created = rule(NEW_ID, description=None, action={'action': 'Block', 'message': None}, priority=4)
    expect(httpserver, 'GET', RULES, 200, envelope([rule(OTHER_ID, 'Other')]))
    expect(httpserver, 'POST', RULES, 200, envelope(created))
    result = run_module(module.main, dict(args, conditions=CONDITIONS))
    assert result['changed'] is True
    assert result['rule'] == created
    assert sent(httpserver) == [
        ('GET', RULES, None),
        ('POST', RULES, {'name': NAME, 'enabled': True, 'conditions': CONDITIONS, 'action': {'action': 'Block'}}),
    ]


def test_create_with_every_option_and_a_priority(httpserver, run_module, args):
    created = rule(NEW_ID, enabled=False, priority=4)
    moved = dict(created, priority=10)
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    expect(httpserver, 'POST', RULES, 200, envelope(created))
    expect(httpserver, 'PATCH', RULES, 200, envelope(moved))
    result = run_module(module.main, dict(args, conditions=CONDITIONS, description='Cards stay inside', enabled=False,
                                          action='Block', action_message='No cards outside', priority=10))
    assert result['changed'] is True
    assert result['rule'] == moved
    assert sent(httpserver) == [
        ('GET', RULES, None),
        ('POST', RULES, body_of(created)),
        ('PATCH', RULES, {'new_priorities': {NEW_ID: 10}}),
    ]


def test_create_needs_conditions(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    result = run_module(module.main, args)
    assert result.failed
    assert 'conditions is required to create' in result['msg']
    assert sent(httpserver) == [('GET', RULES, None)]


def test_rule_id_that_matches_nothing_cannot_create(httpserver, run_module, args):
    expect(httpserver, 'GET', rule_path(), 404, NOT_FOUND)
    result = run_module(module.main, dict(args, rule_id=RULE_ID, conditions=CONDITIONS))
    assert result.failed
    assert 'rule_id' in result['msg'] and 'matches no rule' in result['msg']
    assert sent(httpserver) == [('GET', rule_path(), None)]


# --- no-op and comparison ----------------------------------------------------------------


def test_noop_sends_one_request(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([rule(OTHER_ID, 'Other'), rule()]))
    result = run_module(module.main, dict(args, conditions=list(reversed(CONDITIONS)), description='Cards stay inside',
                                          enabled=True, action='Block', action_message='No cards outside', priority=3,
                                          _ansible_diff=True))
    assert result['changed'] is False
    assert result['rule'] == rule()
    assert result['diff'] == {'before': rule(), 'after': rule()}
    assert sent(httpserver) == [('GET', RULES, None)]


def test_noop_by_rule_id_reads_only_that_rule(httpserver, run_module, args):
    expect(httpserver, 'GET', rule_path(RULE_ID.upper()), 200, envelope(rule()))
    result = run_module(module.main, dict(args, rule_id=RULE_ID.upper(), name=None, enabled=True))
    assert result['changed'] is False
    assert result['rule'] == rule()
    assert sent(httpserver) == [('GET', RULES + '/' + RULE_ID.upper(), None)]


@pytest.mark.parametrize('current, wanted', [
    (['a@example.com', 'b@example.com'], ['b@example.com', 'a@example.com', 'b@example.com']),
    (['a@example.com'], 'a@example.com'),
    ('a@example.com', ['a@example.com']),
], ids=['set', 'list-vs-string', 'string-vs-list'])
@pytest.mark.parametrize('operator', ['InList', 'NotInList'])
def test_in_list_values_compare_as_sets(httpserver, run_module, args, operator, current, wanted):
    conditions = [{'selector': 'Recipients', 'operator': operator, 'value': current}]
    expect(httpserver, 'GET', RULES, 200, envelope([rule(conditions=conditions)]))
    result = run_module(module.main, dict(args, conditions=[{'selector': 'Recipients', 'operator': operator, 'value': wanted}]))
    assert result['changed'] is False
    assert len(httpserver.log) == 1


def test_regex_values_are_not_sets(httpserver, run_module, args):
    current = rule(conditions=[{'selector': 'Sender', 'operator': 'MatchRegex', 'value': 'a.*'}])
    wanted = [{'selector': 'Sender', 'operator': 'MatchRegex', 'value': ['a.*']}]
    expect(httpserver, 'GET', RULES, 200, envelope([current]))
    expect(httpserver, 'PUT', rule_path(), 200, envelope(dict(current, conditions=wanted)))
    result = run_module(module.main, dict(args, conditions=wanted))
    assert result['changed'] is True
    assert sent(httpserver)[1] == ('PUT', rule_path(), dict(body_of(current), conditions=wanted))


@pytest.mark.parametrize('current', [None, ''], ids=['null', 'empty'])
def test_empty_description_equals_null(httpserver, run_module, args, current):
    expect(httpserver, 'GET', RULES, 200, envelope([rule(description=current)]))
    result = run_module(module.main, dict(args, description=''))
    assert result['changed'] is False
    assert len(httpserver.log) == 1


def test_missing_description_equals_empty(httpserver, run_module, args):
    current = rule()
    del current['description']
    expect(httpserver, 'GET', RULES, 200, envelope([current]))
    result = run_module(module.main, dict(args, description=''))
    assert result['changed'] is False


# --- update ----------------------------------------------------------------------------


def test_partial_update_keeps_unset_fields(httpserver, run_module, args):
    current = rule()
    updated = dict(current, enabled=False, updated_at='2025-01-02T12:00:00Z')
    expect(httpserver, 'GET', RULES, 200, envelope([current]))
    expect(httpserver, 'PUT', rule_path(), 200, envelope(updated))
    result = run_module(module.main, dict(args, enabled=False, _ansible_diff=True))
    assert result['changed'] is True
    assert result['rule'] == updated
    assert result['diff'] == {'before': current, 'after': updated}
    assert sent(httpserver) == [
        ('GET', RULES, None),
        ('PUT', rule_path(), {'name': NAME, 'description': 'Cards stay inside', 'enabled': False, 'conditions': CONDITIONS,
                              'action': {'action': 'Block', 'message': 'No cards outside'}}),
    ]


def test_update_keeps_a_null_message_and_description(httpserver, run_module, args):
    current = rule(description=None, action={'action': 'Block', 'message': None})
    expect(httpserver, 'GET', RULES, 200, envelope([current]))
    expect(httpserver, 'PUT', rule_path(), 200, envelope(current))
    run_module(module.main, dict(args, enabled=False))
    assert sent(httpserver)[1][2] == {'name': NAME, 'description': None, 'enabled': False, 'conditions': CONDITIONS,
                                      'action': {'action': 'Block', 'message': None}}


def test_empty_description_clears_it(httpserver, run_module, args):
    current = rule()
    expect(httpserver, 'GET', RULES, 200, envelope([current]))
    expect(httpserver, 'PUT', rule_path(), 200, envelope(dict(current, description='')))
    result = run_module(module.main, dict(args, description=''))
    assert result['changed'] is True
    assert sent(httpserver)[1] == ('PUT', rule_path(), dict(body_of(current), description=''))


def test_new_message_and_conditions_as_written(httpserver, run_module, args):
    current = rule()
    wanted = [{'selector': 'Sender', 'operator': 'InList', 'value': 'cfo@example.com'}]
    expect(httpserver, 'GET', RULES, 200, envelope([current]))
    expect(httpserver, 'PUT', rule_path(), 200, envelope(current))
    run_module(module.main, dict(args, conditions=wanted, action_message='Ask the CFO'))
    assert sent(httpserver)[1][2] == dict(body_of(current), conditions=wanted,
                                          action={'action': 'Block', 'message': 'Ask the CFO'})


def test_rename_by_rule_id(httpserver, run_module, args):
    current = rule()
    expect(httpserver, 'GET', rule_path(), 200, envelope(current))
    expect(httpserver, 'PUT', rule_path(), 200, envelope(dict(current, name='Renamed')))
    result = run_module(module.main, dict(args, rule_id=RULE_ID, name='Renamed'))
    assert result['changed'] is True and result['rule']['name'] == 'Renamed'
    assert sent(httpserver) == [('GET', rule_path(), None), ('PUT', rule_path(), dict(body_of(current), name='Renamed'))]


def test_update_in_check_mode_sends_only_the_get(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([rule()]))
    result = run_module(module.main, dict(args, enabled=False, priority=9, _ansible_check_mode=True, _ansible_diff=True))
    assert result['changed'] is True
    assert result['rule'] == rule(enabled=False, priority=9)
    assert result['diff'] == {'before': rule(), 'after': rule(enabled=False, priority=9)}
    assert sent(httpserver) == [('GET', RULES, None)]


def test_priority_change_sends_only_a_patch(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([rule()]))
    expect(httpserver, 'PATCH', RULES, 200, envelope(rule(priority=7)))
    result = run_module(module.main, dict(args, priority=7))
    assert result['changed'] is True
    assert result['rule'] == rule(priority=7)
    assert sent(httpserver) == [('GET', RULES, None), ('PATCH', RULES, {'new_priorities': {RULE_ID: 7}})]


def test_priority_patch_answering_another_rule(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([rule()]))
    expect(httpserver, 'PATCH', RULES, 200, envelope(rule(OTHER_ID, 'Other')))
    result = run_module(module.main, dict(args, priority=0))
    assert result['rule'] == rule(priority=0)


def test_content_and_priority_change(httpserver, run_module, args):
    current = rule()
    expect(httpserver, 'GET', RULES, 200, envelope([current]))
    expect(httpserver, 'PUT', rule_path(), 200, envelope(dict(current, enabled=False)))
    expect(httpserver, 'PATCH', RULES, 200, envelope(dict(current, enabled=False, priority=1)))
    result = run_module(module.main, dict(args, enabled=False, priority=1))
    assert result['rule'] == dict(current, enabled=False, priority=1)
    assert [(method, path) for method, path, dummy in sent(httpserver)] == [('GET', RULES), ('PUT', rule_path()), ('PATCH', RULES)]


# --- delete ----------------------------------------------------------------------------


def test_delete(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([rule()]))
    expect(httpserver, 'DELETE', rule_path(), 200, envelope(rule()))
    result = run_module(module.main, dict(args, state='absent', _ansible_diff=True))
    assert result['changed'] is True
    assert result['rule'] is None
    assert result['diff'] == {'before': rule(), 'after': {}}
    assert sent(httpserver) == [('GET', RULES, None), ('DELETE', rule_path(), None)]


@pytest.mark.usefixtures('no_sleep')
def test_delete_whose_answer_was_lost(httpserver, run_module, args):
    """The first DELETE went through but its answer was a 502; the retry finds the rule gone: that is success."""
    expect(httpserver, 'GET', RULES, 200, envelope([rule()]))
    expect(httpserver, 'DELETE', rule_path(), 502, envelope(None, False, [{'code': 10001, 'message': 'bad gateway'}]))
    expect(httpserver, 'DELETE', rule_path(), 404, envelope(None, False, [{'code': 1552, 'message': 'Email rule not found'}]))
    result = run_module(module.main, dict(args, state='absent'))
    assert not result.failed
    assert result['changed'] is True
    assert [entry[0] for entry in sent(httpserver)] == ['GET', 'DELETE', 'DELETE']


def test_delete_by_rule_id(httpserver, run_module, args):
    expect(httpserver, 'GET', rule_path(), 200, envelope(rule()))
    expect(httpserver, 'DELETE', rule_path(), 200, envelope(rule()))
    result = run_module(module.main, dict(args, name=None, rule_id=RULE_ID, state='absent'))
    assert result['changed'] is True
    assert sent(httpserver) == [('GET', rule_path(), None), ('DELETE', rule_path(), None)]


def test_delete_in_check_mode(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([rule()]))
    result = run_module(module.main, dict(args, state='absent', _ansible_check_mode=True))
    assert result['changed'] is True and result['rule'] is None
    assert len(httpserver.log) == 1


def test_absent_again_is_not_changed(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([rule(OTHER_ID, 'Other')]))
    result = run_module(module.main, dict(args, state='absent', _ansible_diff=True))
    assert result['changed'] is False
    assert result['rule'] is None
    assert result['diff'] == {'before': {}, 'after': {}}
    assert len(httpserver.log) == 1


def test_absent_by_rule_id_after_404_is_not_changed(httpserver, run_module, args):
    expect(httpserver, 'GET', rule_path(), 404, NOT_FOUND)
    result = run_module(module.main, dict(args, rule_id=RULE_ID, state='absent'))
    assert result['changed'] is False and result['rule'] is None
    assert len(httpserver.log) == 1


# --- ambiguity and bad input -------------------------------------------------------------


@pytest.mark.parametrize('state', ['present', 'absent'])
def test_name_matching_several_rules_fails(httpserver, run_module, args, state):
    expect(httpserver, 'GET', RULES, 200, envelope([rule(), rule(OTHER_ID)]))
    result = run_module(module.main, dict(args, state=state, enabled=False))
    assert result.failed
    assert 'matches 2 rules' in result['msg'] and RULE_ID in result['msg'] and OTHER_ID in result['msg']
    assert 'rule_id' in result['msg']
    assert sent(httpserver) == [('GET', RULES, None)]


def test_rule_id_resolves_a_name_collision(httpserver, run_module, args):
    expect(httpserver, 'GET', rule_path(OTHER_ID), 200, envelope(rule(OTHER_ID)))
    result = run_module(module.main, dict(args, rule_id=OTHER_ID))
    assert result['changed'] is False


BAD_INPUT = [
    ({'conditions': [{'selector': 'Subject', 'operator': 'InList', 'value': 'x'}]}, 'selector'),
    ({'conditions': [{'selector': 'Sender', 'operator': 'Contains', 'value': 'x'}]}, 'operator'),
    ({'conditions': [{'selector': 'Sender', 'operator': 'InList'}]}, 'value'),
    ({'conditions': [{'selector': 'Sender', 'operator': 'InList', 'value': 5}]}, 'conditions[0].value'),
    ({'conditions': [{'selector': 'Sender', 'operator': 'InList', 'value': ['a', 5]}]}, 'conditions[0].value'),
    ({'conditions': [{'selector': 'Sender', 'operator': 'InList', 'value': {'a': 'b'}}]}, 'conditions[0].value'),
    ({'action': 'Allow'}, 'action'),
    ({'state': 'gone'}, 'state'),
    ({'rule_id': 'not-a-uuid'}, 'rule_id'),
    ({'rule_id': '../../account_mapping'}, 'rule_id'),
    ({'rule_id': '2b6a2d1c9a5e4f7b8c3d1e2f3a4b5c6d'}, 'rule_id'),
    ({'name': None}, 'rule_id'),
    ({'name': ''}, 'name'),
    ({'priority': -1}, 'priority'),
    ({'priority': 'high'}, 'priority'),
    ({'enabled': 'sometimes'}, 'enabled'),
]


@pytest.mark.parametrize('change, option', BAD_INPUT, ids=['%s-%d' % (c[1], i) for i, c in enumerate(BAD_INPUT)])
def test_bad_input_sends_nothing(httpserver, run_module, args, change, option):
    args.update(change)
    result = run_module(module.main, {k: v for k, v in args.items() if v is not None})
    assert result.failed
    assert option in result['msg']
    assert httpserver.log == []


# --- a create whose answer is lost ----------------------------------------------------------


def test_lost_create_adopts_the_rule_that_appeared(httpserver, run_module, args):
    created = rule(NEW_ID, description=None, action={'action': 'Block', 'message': None}, priority=4)
    expect(httpserver, 'GET', RULES, 200, envelope([rule(OTHER_ID, 'Other')]))
    expect(httpserver, 'POST', RULES, 502, BAD_GATEWAY)
    expect(httpserver, 'GET', RULES, 200, envelope([rule(OTHER_ID, 'Other'), created]))
    result = run_module(module.main, dict(args, conditions=CONDITIONS))
    assert not result.failed
    assert result['changed'] is True
    assert result['rule'] == created
    body = {'name': NAME, 'enabled': True, 'conditions': CONDITIONS, 'action': {'action': 'Block'}}
    assert sent(httpserver) == [('GET', RULES, None), ('POST', RULES, body), ('GET', RULES, None)]


def test_lost_create_adopts_and_sets_the_priority(httpserver, run_module, args):
    created = rule(NEW_ID, priority=4)
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    expect(httpserver, 'POST', RULES, 504, envelope(None, False, [{'code': 1000, 'message': 'gateway timeout'}]))
    expect(httpserver, 'GET', RULES, 200, envelope([created]))
    expect(httpserver, 'PATCH', RULES, 200, envelope(dict(created, priority=0)))
    result = run_module(module.main, dict(args, conditions=CONDITIONS, description='Cards stay inside',
                                          action_message='No cards outside', priority=0))
    assert result['rule'] == dict(created, priority=0)
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'POST', 'GET', 'PATCH']


@pytest.mark.parametrize('listed', [
    [],
    [rule(NEW_ID, enabled=False)],  # same name, other content: not ours
    [rule(RULE_ID, description=None, action={'action': 'Block', 'message': None})],  # there before the POST
], ids=['nothing', 'different-content', 'known-before'])
def test_lost_create_fails_with_the_original_error(httpserver, run_module, args, listed):
    before = [rule(RULE_ID, 'Renamed meanwhile')] if listed and listed[0]['rule_id'] == RULE_ID else []
    expect(httpserver, 'GET', RULES, 200, envelope(before))
    expect(httpserver, 'POST', RULES, 502, BAD_GATEWAY)
    expect(httpserver, 'GET', RULES, 200, envelope(listed))
    result = run_module(module.main, dict(args, conditions=CONDITIONS))
    assert result.failed
    assert 'POST' in result['msg'] and 'HTTP 502' in result['msg']
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'POST', 'GET']


@pytest.mark.usefixtures('no_sleep')
def test_lost_create_and_failed_lookup_fail_with_the_original_error(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    expect(httpserver, 'POST', RULES, 502, BAD_GATEWAY)
    for dummy in range(4):
        expect(httpserver, 'GET', RULES, 503, envelope(None, False, [{'code': 1000, 'message': 'busy'}]))
    result = run_module(module.main, dict(args, conditions=CONDITIONS))
    assert result.failed
    assert 'POST' in result['msg'] and 'HTTP 502' in result['msg']
    assert [method for method, dummy, dummy in sent(httpserver)].count('POST') == 1


def test_create_rejected_by_the_api_is_not_recovered(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    expect(httpserver, 'POST', RULES, 400, envelope(None, False, [{'code': 1004, 'message': 'invalid rule'}]))
    result = run_module(module.main, dict(args, conditions=CONDITIONS))
    assert result.failed and '[1004] invalid rule' in result['msg']
    assert len(httpserver.log) == 2


def test_unexpected_list_result_fails(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope({'not': 'a list'}))
    result = run_module(module.main, args)
    assert result.failed and 'unexpected result' in result['msg']


# --- DLP profiles by name ------------------------------------------------------------------

BY_NAME = [{'selector': 'DLPProfiles', 'operator': 'InList', 'value': ['Financial Information', PROFILE.upper()]},
           {'selector': 'DLPProfiles', 'operator': 'NotInList', 'value': 'Credit Card Numbers'},
           {'selector': 'Recipients', 'operator': 'NotMatchRegex', 'value': '.*@example\\.com$'}]
BY_ID = [{'selector': 'DLPProfiles', 'operator': 'InList', 'value': [FINANCE_PROFILE['id'], PROFILE.upper()]},
         {'selector': 'DLPProfiles', 'operator': 'NotInList', 'value': CARDS_PROFILE['id']},
         {'selector': 'Recipients', 'operator': 'NotMatchRegex', 'value': '.*@example\\.com$'}]
LISTED = ACCOUNT_PROFILES + [profile(PROFILE, 'Old card numbers', 'custom')]


def test_create_by_profile_name_sends_the_ids(httpserver, run_module, args):
    created = rule(NEW_ID, conditions=BY_ID)
    expect(httpserver, 'GET', PROFILES, 200, envelope(LISTED))
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    expect(httpserver, 'POST', RULES, 200, envelope(created))
    result = run_module(module.main, dict(args, conditions=BY_NAME))
    assert result['changed'] is True and result['rule'] == created
    assert sent(httpserver) == [('GET', PROFILES, None), ('GET', RULES, None), (
        'POST', RULES, {'name': NAME, 'enabled': True, 'conditions': BY_ID, 'action': {'action': 'Block'}})]


@pytest.mark.parametrize('check_mode', [False, True])
def test_a_rule_written_by_name_is_a_no_op_of_two_gets(httpserver, run_module, args, check_mode):
    current = rule(conditions=[dict(BY_ID[0], value=[PROFILE, FINANCE_PROFILE['id']])] + BY_ID[1:])  # the ID in lower case
    expect(httpserver, 'GET', PROFILES, 200, envelope(LISTED))
    expect(httpserver, 'GET', rule_path(), 200, envelope(current))
    result = run_module(module.main, dict(args, rule_id=RULE_ID, conditions=BY_NAME, _ansible_check_mode=check_mode))
    assert result['changed'] is False
    assert sent(httpserver) == [('GET', PROFILES, None), ('GET', rule_path(), None)]


@pytest.mark.parametrize('value, text', [
    ('credit card numbers', "conditions[0].value: no DLP profile is named 'credit card numbers'"),
    (['Credit Card Numbers', NEW_ID], 'conditions[0].value: %s is the ID of no DLP profile of the account' % NEW_ID),
], ids=['unknown-name', 'unknown-id'])
def test_bad_profile_references_fail_after_one_get(httpserver, run_module, args, value, text):
    expect(httpserver, 'GET', PROFILES, 200, envelope(ACCOUNT_PROFILES))
    result = run_module(module.main, dict(args, conditions=[{'selector': 'DLPProfiles', 'operator': 'InList', 'value': value}]))
    assert result.failed and result['msg'].startswith(text)
    assert 'Financial Information (predefined, %s)' % FINANCE_PROFILE['id'] in result['msg']
    assert sent(httpserver) == [('GET', PROFILES, None)]


# --- a priority that fails after the rule was written ---------------------------------------------

REJECTED = envelope(None, False, [{'code': 1003, 'message': 'Rule not found'}])


def test_create_then_a_rejected_priority_says_the_rule_stays(httpserver, run_module, args):
    created = rule(NEW_ID, priority=4)
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    expect(httpserver, 'POST', RULES, 200, envelope(created))
    expect(httpserver, 'PATCH', RULES, 400, REJECTED)
    result = run_module(module.main, dict(args, conditions=CONDITIONS, priority=0))
    assert result.failed and result['changed'] is True
    assert result['rule'] == created
    assert result['msg'] == ('Cloudflare API call PATCH /accounts/%s/dlp/email/rules failed with HTTP 400: [1003] Rule not found.'
                             " The rule %r was created (rule_id %s) before this failure, and that change stays; its priority"
                             ' was not set.' % (ACCOUNT, NAME, NEW_ID))
    assert result['status'] == 400 and 'maybe_applied' not in result
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'POST', 'PATCH']


def test_update_then_a_priority_that_fails_after_the_retries(httpserver, run_module, args, no_sleep):
    updated = rule(enabled=False)
    expect(httpserver, 'GET', RULES, 200, envelope([rule()]))
    expect(httpserver, 'PUT', rule_path(), 200, envelope(updated))
    for dummy in range(4):
        expect(httpserver, 'PATCH', RULES, 503, envelope(None, False, [{'code': 10001, 'message': 'Service Unavailable'}]))
    result = run_module(module.main, dict(args, enabled=False, priority=0))
    assert result.failed and result['changed'] is True and result['rule'] == updated
    assert result['msg'].endswith("The rule %r was updated (rule_id %s) before this failure, and that change stays; its priority"
                                  ' may or may not have been set.' % (NAME, RULE_ID))
    assert len(no_sleep) == 3


def test_a_failed_priority_alone_changed_nothing(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([rule()]))
    expect(httpserver, 'PATCH', RULES, 400, REJECTED)
    result = run_module(module.main, dict(args, priority=0))
    assert result.failed and not result.get('changed') and 'rule' not in result
    assert result['msg'] == 'Cloudflare API call PATCH /accounts/%s/dlp/email/rules failed with HTTP 400: [1003] Rule not found' % ACCOUNT


# --- answers of the wrong shape to a write ------------------------------------------------------


def test_a_create_answered_with_null_fails_cleanly_after_one_recovery_get(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    expect(httpserver, 'POST', RULES, 200, envelope(None))
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    result = run_module(module.main, dict(args, conditions=CONDITIONS, priority=0))
    assert result.failed and 'Traceback' not in result.out
    assert result['changed'] is True and result['uncertain'] == [NAME] and 'rule' not in result
    assert result['msg'] == ('Cloudflare answered POST /accounts/%s/dlp/email/rules with an unexpected result: None.'
                             " Whether the failed request changed %r is unknown: it may have been applied"
                             % (ACCOUNT, NAME))
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'POST', 'GET']


def test_a_create_answered_with_null_adopts_the_rule_that_appeared(httpserver, run_module, args):
    created = rule(NEW_ID, description=None, action={'action': 'Block', 'message': None}, priority=4)
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    expect(httpserver, 'POST', RULES, 200, envelope(None))
    expect(httpserver, 'GET', RULES, 200, envelope([created]))
    result = run_module(module.main, dict(args, conditions=CONDITIONS))
    assert not result.failed and result['changed'] is True and result['rule'] == created


def test_an_update_answered_without_a_rule_is_uncertain(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([rule()]))
    expect(httpserver, 'PUT', rule_path(), 200, envelope({'success': 'maybe'}))
    result = run_module(module.main, dict(args, enabled=False, priority=0))
    assert result.failed and result['uncertain'] == [NAME] and 'may have been applied' in result['msg']
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'PUT']


def test_a_rule_read_by_id_that_is_no_rule_fails(httpserver, run_module, args):
    expect(httpserver, 'GET', rule_path(), 200, envelope(['not', 'a', 'rule']))
    result = run_module(module.main, dict(args, rule_id=RULE_ID, state='absent'))
    assert result.failed and 'unexpected result' in result['msg'] and result['uncertain'] == []
    assert len(httpserver.log) == 1
