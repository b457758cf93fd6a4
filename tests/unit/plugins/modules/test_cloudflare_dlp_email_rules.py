# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rule-set module driven through main() against a real local HTTP server, call by call."""

from __future__ import annotations

import pytest

from ansible_collections.zerotrust.cloudflare.plugins.modules import cloudflare_dlp_email_rules as module
from ansible_collections.zerotrust.cloudflare.tests.unit.plugins.scripted_api import (
    ACCOUNT, ACCOUNT_PROFILES, BAD_GATEWAY, CARDS_PROFILE, EMPLOYEE_PROFILE, FINANCE_PROFILE, PROFILES, RULES, TOKEN, TWIN_PROFILE,
    body_of, envelope, expect, profile, sent, rule as api_rule, rule_path)

ID_A = '2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d'
ID_B = '9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f'
ID_C = '7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d'
ID_NEW = '5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b'
CARDS = [{'selector': 'DLPProfiles', 'operator': 'InList', 'value': ['c8f0b8a2-5b4e-4f3c-9d1a-2e7f6a5b4c3d']}]
RIVALS = [{'selector': 'Recipients', 'operator': 'MatchRegex', 'value': '.*@competitor\\.example$'}]


def rule(rule_id, name, priority, conditions=None, **changes):
    return api_rule(rule_id, name, priority, conditions or CARDS, **changes)


RULE_A = rule(ID_A, 'Cards', 1)
RULE_B = rule(ID_B, 'Rivals', 2, RIVALS)
RULE_C = rule(ID_C, 'Old', 3, enabled=False)


@pytest.fixture
def args(httpserver):
    return {'account_id': ACCOUNT, 'api_token': TOKEN, 'api_base_url': httpserver.url_for('/client/v4'),
            'rules': [{'name': 'Cards', 'conditions': CARDS, 'priority': 1},
                      {'rule_id': ID_B, 'name': 'Rivals', 'conditions': RIVALS, 'priority': 2}]}


# --- no change ---------------------------------------------------------------------------


@pytest.mark.parametrize('exclusive', [False, True])
def test_noop_sends_one_request(httpserver, run_module, args, exclusive):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    result = run_module(module.main, dict(args, exclusive=exclusive, _ansible_diff=True))
    assert result['changed'] is False
    assert result['rules'] == [RULE_A, RULE_B]
    assert result['created'] == result['updated'] == result['deleted'] == result['reprioritized'] == []
    assert result['diff'] == {'before': {'rules': [RULE_A, RULE_B]}, 'after': {'rules': [RULE_A, RULE_B]}}
    assert sent(httpserver) == [('GET', RULES, None)]


def test_unlisted_rules_are_kept_without_exclusive(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_C, RULE_A, RULE_B]))
    result = run_module(module.main, args)
    assert result['changed'] is False
    assert result['rules'] == [RULE_C, RULE_A, RULE_B]
    assert len(httpserver.log) == 1


def test_entries_with_only_a_name_keep_everything(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    result = run_module(module.main, dict(args, rules=[{'name': 'Cards'}, {'rule_id': ID_B}]))
    assert result['changed'] is False
    assert len(httpserver.log) == 1


# --- changes ---------------------------------------------------------------------------


def test_create_update_delete_and_one_patch_for_all_priorities(httpserver, run_module, args):
    updated_a = dict(RULE_A, enabled=False)
    created = rule(ID_NEW, 'Sender', 4, [{'selector': 'Sender', 'operator': 'InList', 'value': 'cfo@example.com'}])
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, RULE_C]))
    expect(httpserver, 'PUT', rule_path(ID_A), 200, envelope(updated_a))
    expect(httpserver, 'POST', RULES, 200, envelope(created))
    expect(httpserver, 'DELETE', rule_path(ID_C), 200, envelope(RULE_C))
    expect(httpserver, 'PATCH', RULES, 200, envelope(dict(updated_a, priority=2)))
    args['rules'] = [
        {'name': 'Cards', 'enabled': False, 'priority': 2},
        {'rule_id': ID_B, 'priority': 1},
        {'name': 'Sender', 'conditions': [{'selector': 'Sender', 'operator': 'InList', 'value': 'cfo@example.com'}],
         'priority': 0},
    ]
    result = run_module(module.main, dict(args, exclusive=True, _ansible_diff=True))
    assert result['changed'] is True
    assert result['created'] == ['Sender']
    assert result['updated'] == ['Cards']
    assert result['deleted'] == ['Old']
    assert result['reprioritized'] == ['Cards', 'Rivals', 'Sender']
    after = [dict(updated_a, priority=2), dict(RULE_B, priority=1), dict(created, priority=0)]
    assert result['rules'] == after
    assert result['diff'] == {'before': {'rules': [RULE_A, RULE_B, RULE_C]}, 'after': {'rules': after}}
    assert sent(httpserver) == [
        ('GET', RULES, None),
        ('PUT', rule_path(ID_A), dict(body_of(RULE_A), enabled=False)),
        ('POST', RULES, {'name': 'Sender', 'enabled': True, 'action': {'action': 'Block'},
                         'conditions': [{'selector': 'Sender', 'operator': 'InList', 'value': 'cfo@example.com'}]}),
        ('DELETE', rule_path(ID_C), None),
        ('PATCH', RULES, {'new_priorities': {ID_A: 2, ID_B: 1, ID_NEW: 0}}),
    ]


def test_priorities_only_send_one_patch(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    expect(httpserver, 'PATCH', RULES, 200, envelope(dict(RULE_B, priority=1)))
    args['rules'][0]['priority'] = 2
    args['rules'][1]['priority'] = 1
    result = run_module(module.main, args)
    assert result['changed'] is True
    assert result['updated'] == [] and result['reprioritized'] == ['Cards', 'Rivals']
    assert result['rules'] == [dict(RULE_A, priority=2), dict(RULE_B, priority=1)]
    assert sent(httpserver) == [('GET', RULES, None), ('PATCH', RULES, {'new_priorities': {ID_A: 2, ID_B: 1}})]


def test_priorities_are_never_derived_from_list_order(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    result = run_module(module.main, dict(args, rules=[{'rule_id': ID_B}, {'name': 'Cards'}]))
    assert result['changed'] is False
    assert len(httpserver.log) == 1


def test_new_rule_whose_post_gives_the_wanted_priority_needs_no_patch(httpserver, run_module, args):
    created = rule(ID_NEW, 'New', 3)
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    expect(httpserver, 'POST', RULES, 200, envelope(created))
    args['rules'].append({'name': 'New', 'conditions': CARDS, 'priority': 3})
    result = run_module(module.main, args)
    assert result['created'] == ['New'] and result['reprioritized'] == []
    assert result['rules'] == [RULE_A, RULE_B, created]
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'POST']


def test_partial_update_keeps_unset_fields(httpserver, run_module, args):
    current = rule(ID_A, 'Cards', 1, description='Cards stay inside', action={'action': 'Block', 'message': 'No cards'})
    expect(httpserver, 'GET', RULES, 200, envelope([current]))
    expect(httpserver, 'PUT', rule_path(ID_A), 200, envelope(dict(current, description='')))
    result = run_module(module.main, dict(args, rules=[{'name': 'Cards', 'description': ''}]))
    assert result['updated'] == ['Cards']
    assert sent(httpserver)[1] == ('PUT', rule_path(ID_A), {
        'name': 'Cards', 'description': '', 'enabled': True, 'conditions': CARDS,
        'action': {'action': 'Block', 'message': 'No cards'}})


def test_in_list_set_equivalence(httpserver, run_module, args):
    current = rule(ID_A, 'Cards', 1, [{'selector': 'Recipients', 'operator': 'NotInList', 'value': ['a@x.example', 'b@x.example']}])
    expect(httpserver, 'GET', RULES, 200, envelope([current]))
    wanted = [{'selector': 'Recipients', 'operator': 'NotInList', 'value': ['b@x.example', 'a@x.example']}]
    result = run_module(module.main, dict(args, rules=[{'name': 'Cards', 'conditions': wanted}]))
    assert result['changed'] is False


def test_rename_by_rule_id(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    expect(httpserver, 'PUT', rule_path(ID_B), 200, envelope(dict(RULE_B, name='Competitors')))
    result = run_module(module.main, dict(args, rules=[{'rule_id': ID_B, 'name': 'Competitors'}]))
    assert result['updated'] == ['Competitors']
    assert result['rules'] == [RULE_A, dict(RULE_B, name='Competitors')]
    assert sent(httpserver)[1] == ('PUT', rule_path(ID_B), dict(body_of(RULE_B), name='Competitors'))


def test_state_absent_entry(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, RULE_C]))
    expect(httpserver, 'DELETE', rule_path(ID_C), 200, envelope(RULE_C))
    args['rules'].append({'name': 'Old', 'state': 'absent'})
    args['rules'].append({'name': 'Never existed', 'state': 'absent'})
    result = run_module(module.main, args)
    assert result['deleted'] == ['Old']
    assert result['rules'] == [RULE_A, RULE_B]
    assert sent(httpserver) == [('GET', RULES, None), ('DELETE', rule_path(ID_C), None)]


# --- check mode --------------------------------------------------------------------------


def test_exclusive_deletes_are_shown_in_check_mode(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_C, RULE_B]))
    args['rules'].append({'name': 'New', 'conditions': RIVALS, 'priority': 5})
    args['rules'][0]['enabled'] = False
    result = run_module(module.main, dict(args, exclusive=True, _ansible_check_mode=True, _ansible_diff=True))
    assert result['changed'] is True
    assert result['deleted'] == ['Old']
    assert result['created'] == ['New'] and result['updated'] == ['Cards'] and result['reprioritized'] == ['New']
    after = [dict(RULE_A, enabled=False), RULE_B,
             {'name': 'New', 'enabled': True, 'conditions': RIVALS, 'action': {'action': 'Block'}, 'priority': 5}]
    assert result['rules'] == after
    assert result['diff'] == {'before': {'rules': [RULE_A, RULE_C, RULE_B]}, 'after': {'rules': after}}
    assert sent(httpserver) == [('GET', RULES, None)]


def test_exclusive_with_no_rules_deletes_all(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    expect(httpserver, 'DELETE', rule_path(ID_A), 200, envelope(RULE_A))
    expect(httpserver, 'DELETE', rule_path(ID_B), 200, envelope(RULE_B))
    result = run_module(module.main, dict(args, rules=[], exclusive=True))
    assert result['deleted'] == ['Cards', 'Rivals'] and result['rules'] == []
    assert len(httpserver.log) == 3


# --- a create whose answer is lost ----------------------------------------------------------


def test_lost_create_is_adopted_and_its_priority_set(httpserver, run_module, args):
    created = rule(ID_NEW, 'New', 3)
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    expect(httpserver, 'POST', RULES, 502, BAD_GATEWAY)
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, created]))
    expect(httpserver, 'PATCH', RULES, 200, envelope(dict(created, priority=0)))
    args['rules'].append({'name': 'New', 'conditions': CARDS, 'priority': 0})
    result = run_module(module.main, args)
    assert not result.failed
    assert result['created'] == ['New']
    assert result['rules'] == [RULE_A, RULE_B, dict(created, priority=0)]
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'POST', 'GET', 'PATCH']
    assert sent(httpserver)[3][2] == {'new_priorities': {ID_NEW: 0}}


def test_lost_create_not_in_the_list_fails(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    expect(httpserver, 'POST', RULES, 502, BAD_GATEWAY)
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    args['rules'].append({'name': 'New', 'conditions': CARDS, 'priority': 0})
    result = run_module(module.main, args)
    assert result.failed
    assert 'POST' in result['msg'] and 'HTTP 502' in result['msg']
    # A create that may have been applied is a change (DESIGN: a hostile network or server).
    assert result['changed'] is True and result['created'] == [] and result['uncertain'] == ['New']
    assert "Whether the failed request changed 'New' is unknown" in result['msg']
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'POST', 'GET']


# --- failures before any write ------------------------------------------------------------


@pytest.mark.parametrize('rules, text', [
    ([{'name': 'Cards', 'conditions': CARDS}, {'name': 'Cards', 'conditions': RIVALS}], "rules[0] and rules[1] have the same name 'Cards'"),
    ([{'name': 'Cards', 'conditions': CARDS}, {'name': 'Cards', 'state': 'absent'}], "rules[0] and rules[1] have the same name"),
    ([{'rule_id': ID_A}, {'rule_id': ID_A.upper(), 'name': 'Other'}], 'have the same rule_id'),
    ([{'conditions': CARDS}], 'rules[0] needs a name or a rule_id'),
    ([{'name': 'Cards', 'rule_id': 'cards'}], 'rules[0].rule_id must be a UUID'),
    ([{'name': 'A'}, {'name': 'B', 'priority': -3}], 'rules[1].priority'),
    ([{'name': 'Cards', 'conditions': [{'selector': 'Sender', 'operator': 'InList', 'value': 3}]}], 'rules[0].conditions[0].value'),
    ([{'name': 'Cards', 'conditions': [{'selector': 'Body', 'operator': 'InList', 'value': 'x'}]}], 'selector'),
    ([{'name': 'Cards', 'conditions': [{'selector': 'Sender', 'operator': 'Is', 'value': 'x'}]}], 'operator'),
    ([{'name': 'Cards', 'action': 'Quarantine'}], 'action'),
    ([{'name': 'Cards', 'state': 'disabled'}], 'state'),
], ids=['duplicate-name', 'duplicate-name-absent', 'duplicate-rule-id', 'no-name', 'bad-rule-id', 'negative-priority',
        'bad-value', 'bad-selector', 'bad-operator', 'bad-action', 'bad-state'])
def test_bad_input_sends_nothing(httpserver, run_module, args, rules, text):
    result = run_module(module.main, dict(args, rules=rules))
    assert result.failed
    assert text in result['msg']
    assert httpserver.log == []


@pytest.mark.parametrize('rules, text', [
    ([{'name': 'Cards', 'conditions': CARDS}], "rules[0].name 'Cards' matches 2 rules"),
    ([{'name': 'Cards', 'state': 'absent'}], "rules[0].name 'Cards' matches 2 rules"),
    ([{'rule_id': ID_NEW, 'name': 'New', 'conditions': CARDS}], 'rules[0].rule_id %s matches no rule' % ID_NEW),
    ([{'rule_id': ID_B, 'enabled': False}, {'name': 'Rivals', 'enabled': False}], 'rules[0] and rules[1] both match the rule'),
    ([{'rule_id': ID_B, 'name': 'Renamed'}, {'name': 'Renamed', 'conditions': CARDS}], "have the same name 'Renamed'"),
    ([{'name': 'New'}], 'rules[0]: conditions is required to create'),
], ids=['server-duplicates', 'server-duplicates-absent', 'unknown-rule-id', 'same-rule-twice', 'renamed-onto-listed',
        'create-without-conditions'])
def test_conflicts_with_the_server_fail_before_any_write(httpserver, run_module, args, rules, text):
    duplicate = rule('0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a', 'Cards', 9)
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, duplicate]))
    result = run_module(module.main, dict(args, rules=rules, exclusive=True))
    if 'have the same' in text:  # caught before the GET
        assert result.failed and text in result['msg'] and httpserver.log == []
        return
    assert result.failed
    assert text in result['msg']
    assert sent(httpserver) == [('GET', RULES, None)]
    assert result['changed'] is False
    assert result['created'] == result['updated'] == result['deleted'] == result['reprioritized'] == result['uncertain'] == []


def test_server_duplicates_resolved_by_rule_id(httpserver, run_module, args):
    duplicate = rule('0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a', 'Cards', 9)
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, duplicate]))
    expect(httpserver, 'DELETE', rule_path(duplicate['rule_id']), 200, envelope(duplicate))
    result = run_module(module.main, dict(args, rules=[{'rule_id': ID_A, 'name': 'Cards'}], exclusive=True))
    assert result['deleted'] == ['Cards']
    assert result['rules'] == [RULE_A]
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'DELETE']


@pytest.mark.parametrize('exclusive', [False, True])
def test_entries_that_each_have_a_rule_id_may_share_a_name(httpserver, run_module, args, exclusive):
    twin = rule(ID_C, 'Cards', 3)
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, twin]))
    result = run_module(module.main, dict(args, exclusive=exclusive, rules=[
        {'rule_id': ID_A, 'name': 'Cards', 'conditions': CARDS, 'priority': 1},
        {'rule_id': ID_C, 'name': 'Cards', 'enabled': True}]))
    assert not result.failed and result['changed'] is False
    assert sent(httpserver) == [('GET', RULES, None)]


def test_rule_ids_may_give_two_rules_one_name(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    expect(httpserver, 'PUT', rule_path(ID_A), 200, envelope(dict(RULE_A, name='Rivals')))
    result = run_module(module.main, dict(args, rules=[{'rule_id': ID_B}, {'rule_id': ID_A, 'name': 'Rivals'}]))
    assert result['updated'] == ['Rivals']
    assert [rule['name'] for rule in result['rules']] == ['Rivals', 'Rivals']


@pytest.mark.parametrize('rules', [
    [{'rule_id': ID_A, 'name': 'Cards'}, {'name': 'Cards', 'enabled': False}],
    [{'name': 'Cards', 'enabled': False}, {'rule_id': ID_C, 'name': 'Cards'}, {'rule_id': ID_A, 'name': 'Cards'}],
], ids=['id-then-name', 'name-then-ids'])
def test_a_shared_name_needs_a_rule_id_in_every_entry(httpserver, run_module, args, rules):
    result = run_module(module.main, dict(args, rules=rules))
    assert result.failed
    assert "rules[0] and rules[1] have the same name 'Cards'" in result['msg']
    assert httpserver.log == []


# --- DLP profiles by name --------------------------------------------------------------------

BY_NAME = [{'selector': 'DLPProfiles', 'operator': 'InList', 'value': ['Credit Card Numbers', 'Financial Information']},
           {'selector': 'DLPProfiles', 'operator': 'NotInList', 'value': 'Employee IDs'},
           {'selector': 'DLPProfiles', 'operator': 'MatchRegex', 'value': 'Credit Card Numbers'}]
# The profiles of the account, among them the one the rules of the fixture args name by ID.
LISTED = ACCOUNT_PROFILES + [profile(CARDS[0]['value'][0], 'Old card numbers', 'custom')]
BY_ID = [{'selector': 'DLPProfiles', 'operator': 'InList', 'value': [CARDS_PROFILE['id'], FINANCE_PROFILE['id']]},
         {'selector': 'DLPProfiles', 'operator': 'NotInList', 'value': EMPLOYEE_PROFILE['id']},
         {'selector': 'DLPProfiles', 'operator': 'MatchRegex', 'value': 'Credit Card Numbers'}]


def test_profile_names_are_read_once_first_and_sent_as_ids(httpserver, run_module, args):
    created = rule(ID_NEW, 'By name', 4, BY_ID)
    expect(httpserver, 'GET', PROFILES, 200, envelope(LISTED))
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    expect(httpserver, 'POST', RULES, 200, envelope(created))
    args['rules'].append({'name': 'By name', 'conditions': BY_NAME})
    result = run_module(module.main, args)
    assert result['created'] == ['By name'] and result['rules'][-1] == created
    assert sent(httpserver) == [
        ('GET', PROFILES, None), ('GET', RULES, None),
        ('POST', RULES, {'name': 'By name', 'enabled': True, 'conditions': BY_ID, 'action': {'action': 'Block'}})]


@pytest.mark.parametrize('check_mode', [False, True])
def test_a_rule_written_by_name_is_a_no_op_of_two_gets(httpserver, run_module, args, check_mode):
    expect(httpserver, 'GET', PROFILES, 200, envelope(LISTED))
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, rule(ID_NEW, 'By name', 4, BY_ID)]))
    args['rules'].append({'name': 'By name', 'conditions': BY_NAME, 'priority': 4})
    result = run_module(module.main, dict(args, exclusive=True, _ansible_check_mode=check_mode))
    assert result['changed'] is False
    assert sent(httpserver) == [('GET', PROFILES, None), ('GET', RULES, None)]


def test_profile_ids_in_another_case_are_a_no_op_without_the_profile_list(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([rule(ID_A, 'Cards', 1, BY_ID)]))
    upper = [dict(condition, value=[value.upper() for value in condition['value']]) for condition in BY_ID[:1]] + BY_ID[1:]
    result = run_module(module.main, dict(args, rules=[{'name': 'Cards', 'conditions': upper}]))
    assert result['changed'] is False
    assert sent(httpserver) == [('GET', RULES, None)]


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('value, text', [
    ('Credit card numbers', "rules[2].conditions[0].value: no DLP profile is named 'Credit card numbers'"),
    ('Employee IDs', "rules[2].conditions[0].value: 'Employee IDs' is the name of 2 DLP profiles, Employee IDs (custom, %s),"
                     " Employee IDs (integration, %s); use the ID of the one you mean" % (EMPLOYEE_PROFILE['id'], TWIN_PROFILE['id'])),
    (['Financial Information', ID_A], 'rules[2].conditions[0].value: %s is the ID of no DLP profile of the account' % ID_A),
], ids=['unknown-name', 'ambiguous-name', 'unknown-id-beside-a-name'])
def test_bad_profile_references_fail_after_one_get(httpserver, run_module, args, value, text, check_mode):
    expect(httpserver, 'GET', PROFILES, 200, envelope(ACCOUNT_PROFILES + [TWIN_PROFILE]))
    args['rules'].append({'name': 'By name', 'conditions': [{'selector': 'DLPProfiles', 'operator': 'InList', 'value': value}]})
    result = run_module(module.main, dict(args, _ansible_check_mode=check_mode))
    assert result.failed and text in result['msg']
    assert 'The DLP profiles of the account: Credit Card Numbers (predefined, %s), ' % CARDS_PROFILE['id'] in result['msg']
    assert result['changed'] is False
    assert result['created'] == result['updated'] == result['deleted'] == result['reprioritized'] == result['uncertain'] == []
    assert sent(httpserver) == [('GET', PROFILES, None)]


def test_a_failed_profile_list_fails_before_the_rule_list(httpserver, run_module, args):
    expect(httpserver, 'GET', PROFILES, 403, envelope(None, False, [{'code': 10000, 'message': 'Authentication error'}]))
    args['rules'].append({'name': 'By name', 'conditions': BY_NAME})
    result = run_module(module.main, args)
    assert result.failed and 'GET /accounts/%s/dlp/profiles failed with HTTP 403: [10000] Authentication error' % ACCOUNT in result['msg']
    assert result['status'] == 403 and result['created'] == [] and result['uncertain'] == []
    assert sent(httpserver) == [('GET', PROFILES, None)]


# --- a write that fails part-way ---------------------------------------------------------------

REJECTED = envelope(None, False, [{'code': 1002, 'message': 'Invalid request body'}])
BUSY = envelope(None, False, [{'code': 10001, 'message': 'Service Unavailable'}])
NEW = {'name': 'New', 'conditions': RIVALS}


@pytest.fixture
def changes(args):
    """Every kind of write: Cards updated, New created, Old deleted (exclusive), priorities of Cards and New."""
    return dict(args, exclusive=True, rules=[{'name': 'Cards', 'enabled': False, 'priority': 5},
                                             {'rule_id': ID_B, 'conditions': RIVALS, 'priority': 2},
                                             dict(NEW, priority=6)])


def test_a_rejected_create_reports_the_update_before_it(httpserver, run_module, changes):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, RULE_C]))
    expect(httpserver, 'PUT', rule_path(ID_A), 200, envelope(dict(RULE_A, enabled=False)))
    expect(httpserver, 'POST', RULES, 400, REJECTED)
    result = run_module(module.main, changes)
    assert result.failed and result['changed'] is True
    assert (result['updated'], result['created'], result['deleted'], result['reprioritized'], result['uncertain']) == (
        ['Cards'], [], [], [], [])
    assert result['msg'] == ('Cloudflare API call POST /accounts/%s/dlp/email/rules failed with HTTP 400: [1002] Invalid request body.'
                             " The changes made before this failure stay: updated 'Cards'" % ACCOUNT)
    assert result['status'] == 400 and result['errors'] == REJECTED['errors']
    assert 'rules' not in result and 'maybe_applied' not in result
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'PUT', 'POST']


def test_a_delete_that_fails_after_the_retries_is_uncertain(httpserver, run_module, changes, no_sleep):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, RULE_C]))
    expect(httpserver, 'PUT', rule_path(ID_A), 200, envelope(dict(RULE_A, enabled=False)))
    expect(httpserver, 'POST', RULES, 200, envelope(rule(ID_NEW, 'New', 4, RIVALS)))
    for dummy in range(4):
        expect(httpserver, 'DELETE', rule_path(ID_C), 503, BUSY)
    result = run_module(module.main, changes)
    assert result.failed and result['changed'] is True
    assert (result['updated'], result['created'], result['deleted'], result['reprioritized'], result['uncertain']) == (
        ['Cards'], ['New'], [], [], ['Old'])
    assert result['msg'].endswith(" The changes made before this failure stay: updated 'Cards'; created 'New'."
                                  " Whether the failed request changed 'Old' is unknown: it may have been applied")
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'PUT', 'POST'] + ['DELETE'] * 4
    assert len(no_sleep) == 3


def test_a_failed_priority_patch_is_uncertain_for_every_rule_in_it(httpserver, run_module, changes, no_sleep):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, RULE_C]))
    expect(httpserver, 'PUT', rule_path(ID_A), 200, envelope(dict(RULE_A, enabled=False)))
    expect(httpserver, 'POST', RULES, 200, envelope(rule(ID_NEW, 'New', 4, RIVALS)))
    expect(httpserver, 'DELETE', rule_path(ID_C), 200, envelope(RULE_C))
    for dummy in range(4):
        expect(httpserver, 'PATCH', RULES, 500, BUSY)
    result = run_module(module.main, changes)
    assert result.failed and result['changed'] is True
    assert (result['updated'], result['created'], result['deleted'], result['reprioritized'], result['uncertain']) == (
        ['Cards'], ['New'], ['Old'], [], ['Cards', 'New'])
    assert sent(httpserver)[-1] == ('PATCH', RULES, {'new_priorities': {ID_A: 5, ID_NEW: 6}})


def test_a_first_write_rejected_applied_nothing(httpserver, run_module, changes):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, RULE_C]))
    expect(httpserver, 'PUT', rule_path(ID_A), 400, REJECTED)
    result = run_module(module.main, changes)
    assert result.failed and result['changed'] is False
    assert result['updated'] == result['created'] == result['deleted'] == result['uncertain'] == []
    assert result['msg'] == ('Cloudflare API call PUT /accounts/%s/dlp/email/rules/%s failed with HTTP 400: [1002] Invalid request body'
                             % (ACCOUNT, ID_A))


def test_a_lost_create_after_an_update_is_uncertain(httpserver, run_module, changes):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, RULE_C]))
    expect(httpserver, 'PUT', rule_path(ID_A), 200, envelope(dict(RULE_A, enabled=False)))
    expect(httpserver, 'POST', RULES, 502, BAD_GATEWAY)
    expect(httpserver, 'GET', RULES, 200, envelope([dict(RULE_A, enabled=False), RULE_B, RULE_C]))
    result = run_module(module.main, changes)
    assert result.failed and result['changed'] is True
    assert (result['updated'], result['created'], result['uncertain']) == (['Cards'], [], ['New'])
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'PUT', 'POST', 'GET']


def test_a_failure_in_check_mode_lists_nothing(httpserver, run_module, changes):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, RULE_C, rule(ID_NEW, 'New', 9), rule(ID_NEW.replace('5', '6'), 'New', 8)]))
    result = run_module(module.main, dict(changes, _ansible_check_mode=True))
    assert result.failed and "rules[2].name 'New' matches 2 rules" in result['msg']
    assert result['changed'] is False
    assert result['updated'] == result['created'] == result['deleted'] == result['reprioritized'] == result['uncertain'] == []


# --- answers of the wrong shape to a write ------------------------------------------------------


@pytest.mark.parametrize('answer', [None, {'name': 'New'}, 'created'], ids=['null', 'no-rule-id', 'text'])
def test_a_create_answered_without_a_rule_is_a_lost_create(httpserver, run_module, changes, answer):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, RULE_C]))
    expect(httpserver, 'PUT', rule_path(ID_A), 200, envelope(dict(RULE_A, enabled=False)))
    expect(httpserver, 'POST', RULES, 200, envelope(answer))
    expect(httpserver, 'GET', RULES, 200, envelope([dict(RULE_A, enabled=False), RULE_B, RULE_C]))
    result = run_module(module.main, changes)
    assert result.failed and result['changed'] is True
    assert (result['updated'], result['created'], result['uncertain']) == (['Cards'], [], ['New'])
    assert result['msg'] == ('Cloudflare answered POST /accounts/%s/dlp/email/rules with an unexpected result: %r.'
                             " The changes made before this failure stay: updated 'Cards'."
                             " Whether the failed request changed 'New' is unknown: it may have been applied" % (ACCOUNT, answer))
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'PUT', 'POST', 'GET']


def test_a_create_answered_with_null_is_adopted_when_the_rule_appeared(httpserver, run_module, changes):
    created = rule(ID_NEW, 'New', 6, RIVALS)
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, RULE_C]))
    expect(httpserver, 'PUT', rule_path(ID_A), 200, envelope(dict(RULE_A, enabled=False)))
    expect(httpserver, 'POST', RULES, 200, envelope(None))
    expect(httpserver, 'GET', RULES, 200, envelope([dict(RULE_A, enabled=False), RULE_B, RULE_C, created]))
    expect(httpserver, 'DELETE', rule_path(ID_C), 200, envelope(None))
    expect(httpserver, 'PATCH', RULES, 200, envelope(dict(RULE_A, enabled=False, priority=5)))
    result = run_module(module.main, changes)
    assert not result.failed and result['created'] == ['New'] and result['rules'][-1] == created
    assert sent(httpserver)[-1] == ('PATCH', RULES, {'new_priorities': {ID_A: 5}})


@pytest.mark.parametrize('answer', [None, RULE_B], ids=['null', 'another-rule'])
def test_an_update_answered_without_its_rule_is_uncertain(httpserver, run_module, changes, answer):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B, RULE_C]))
    expect(httpserver, 'PUT', rule_path(ID_A), 200, envelope(answer))
    result = run_module(module.main, changes)
    assert result.failed and result['changed'] is True  # it may have been applied (DESIGN: a hostile network or server)
    assert (result['updated'], result['uncertain']) == ([], ['Cards'])
    assert 'PUT /accounts/%s/dlp/email/rules/%s with an unexpected result: %.50r' % (ACCOUNT, ID_A, answer) in result['msg']
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'PUT']


def test_a_rule_list_with_an_entry_that_is_no_rule_fails_before_any_write(httpserver, run_module, changes):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, {'name': 'Odd'}]))
    result = run_module(module.main, changes)
    assert result.failed and result['changed'] is False and result['uncertain'] == []
    assert result['msg'].startswith('Cloudflare answered GET /accounts/%s/dlp/email/rules with an unexpected result' % ACCOUNT)
    assert len(httpserver.log) == 1


# --- answers that may have been applied are a change (DESIGN: a hostile network or server) ----------------------------


@pytest.mark.parametrize('answer', [envelope(None), '<html>ok</html>'], ids=['null', 'html'])
def test_a_priority_patch_answered_without_a_rule_is_uncertain(httpserver, run_module, args, answer):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    expect(httpserver, 'PATCH', RULES, 200, answer)
    result = run_module(module.main, dict(args, rules=[{'name': 'Cards', 'priority': 7}]))
    assert result.failed and result['changed'] is True
    assert (result['reprioritized'], result['uncertain']) == ([], ['Cards'])
    assert result['msg'].endswith("Whether the failed request changed 'Cards' is unknown: it may have been applied")


def test_a_create_answered_200_with_html_is_a_lost_create(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    expect(httpserver, 'POST', RULES, 200, '<html>created</html>')
    expect(httpserver, 'GET', RULES, 200, envelope([RULE_A, RULE_B]))
    args['rules'].append({'name': 'New', 'conditions': CARDS, 'priority': 0})
    result = run_module(module.main, args)
    assert result.failed and result['changed'] is True
    assert (result['created'], result['uncertain']) == ([], ['New'])
    assert 'POST /accounts/%s/dlp/email/rules answered HTTP 200 with a body that is not a Cloudflare API envelope' % ACCOUNT \
        in result['msg']
    assert [method for method, dummy, dummy in sent(httpserver)] == ['GET', 'POST', 'GET']


def test_a_rule_list_answered_200_with_html_changes_nothing(httpserver, run_module, args):
    expect(httpserver, 'GET', RULES, 200, '<html>login</html>')
    result = run_module(module.main, args)
    assert result.failed and result['changed'] is False and result['uncertain'] == []
