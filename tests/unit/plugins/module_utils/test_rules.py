# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared rule logic: the body sent, and how rules compare."""

from __future__ import annotations

import pytest

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _rules
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._profiles import ProfileError

EMPTY = dict((option, None) for option in _rules.rule_options())
CURRENT = {'rule_id': 'x', 'name': 'Cards', 'description': 'Inside only', 'enabled': False, 'priority': 2,
           'conditions': [{'selector': 'Sender', 'operator': 'InList', 'value': ['a@x.example']}],
           'action': {'action': 'Block', 'message': 'No'}}


def params(**values):
    return dict(EMPTY, **values)


def test_create_body_has_defaults_and_only_what_was_given():
    conditions = [{'selector': 'Sender', 'operator': 'MatchRegex', 'value': '.*'}]
    assert _rules.build_body(params(name='N', conditions=conditions)) == {
        'name': 'N', 'enabled': True, 'conditions': conditions, 'action': {'action': 'Block'}}


def test_update_body_keeps_current_values():
    assert _rules.build_body(params(), CURRENT) == {
        'name': 'Cards', 'description': 'Inside only', 'enabled': False, 'conditions': CURRENT['conditions'],
        'action': {'action': 'Block', 'message': 'No'}}


def test_update_body_sends_what_the_user_wrote():
    body = _rules.build_body(params(description='', action_message='', enabled=True), CURRENT)
    assert body['description'] == '' and body['action'] == {'action': 'Block', 'message': ''} and body['enabled'] is True


@pytest.mark.parametrize('one, other, same', [
    ({'description': None}, {'description': ''}, True),
    ({}, {'description': ''}, True),
    ({'action': {'action': 'Block'}}, {'action': {'action': 'Block', 'message': None}}, True),
    ({'action': {'action': 'Block', 'message': ''}}, {'action': {'action': 'Block', 'message': None}}, True),
    ({'enabled': True}, {'enabled': False}, False),
    ({'conditions': [{'selector': 'Sender', 'operator': 'InList', 'value': 'a'}]},
     {'conditions': [{'selector': 'Sender', 'operator': 'InList', 'value': ['a', 'a']}]}, True),
    ({'conditions': [{'selector': 'Sender', 'operator': 'InList', 'value': ['a']}]},
     {'conditions': [{'selector': 'Sender', 'operator': 'NotInList', 'value': ['a']}]}, False),
    ({'conditions': [{'selector': 'Sender', 'operator': 'MatchRegex', 'value': ['a', 'b']}]},
     {'conditions': [{'selector': 'Sender', 'operator': 'MatchRegex', 'value': ['b', 'a']}]}, False),
    ({'conditions': [{'selector': 'Sender', 'operator': 'InList', 'value': ['a']},
                     {'selector': 'Recipients', 'operator': 'MatchRegex', 'value': 'b'}]},
     {'conditions': [{'selector': 'Recipients', 'operator': 'MatchRegex', 'value': 'b'},
                     {'selector': 'Sender', 'operator': 'InList', 'value': 'a'}]}, True),
], ids=['null-vs-empty-description', 'missing-vs-empty-description', 'missing-vs-null-message', 'empty-vs-null-message',
        'enabled', 'string-vs-list', 'operator', 'regex-list-order', 'condition-order'])
def test_same_rule(one, other, same):
    assert _rules.same_rule(dict({'name': 'N', 'enabled': True}, **one), dict({'name': 'N', 'enabled': True}, **other)) is same


def test_find_created_needs_one_new_identical_rule():
    body = _rules.build_body(params(name='N', conditions=CURRENT['conditions']))
    new = dict(body, rule_id='NEW-ID', priority=1, action={'action': 'Block', 'message': None})
    assert _rules.find_created([new], body, set()) == new
    assert _rules.find_created([new], body, {'new-id'}) is None
    assert _rules.find_created([new, dict(new, rule_id='other')], body, set()) is None
    assert _rules.find_created([dict(new, enabled=False)], body, set()) is None
    assert _rules.find_created(None, body, set()) is None


# --- checks ----------------------------------------------------------------------------


@pytest.mark.parametrize('values, prefix, text', [
    ({'name': ' '}, '', "name must not be empty, got ' '"),
    ({'priority': -1}, 'rules[2].', 'rules[2].priority must be a whole number of 0 or more, got -1'),
    ({'conditions': [{'selector': 'Sender', 'operator': 'InList', 'value': ['a', 1]}]}, '',
     "conditions[0].value must be a string or a list of strings, got ['a', 1] (list)"),
], ids=['blank-name', 'negative-priority', 'bad-value'])
def test_check_rule_names_the_option(values, prefix, text):
    with pytest.raises(_rules.RuleError) as error:
        _rules.check_rule(params(**values), prefix)
    assert error.value.msg == text


def test_check_uuid():
    _rules.check_uuid(None, 'rule_id')
    _rules.check_uuid('2B6A2D1C-9A5E-4F7B-8C3D-1E2F3A4B5C6D', 'rule_id')
    with pytest.raises(_rules.RuleError, match=r"^profile_id must be a UUID such as .*, got '\.\./x'$"):
        _rules.check_uuid('../x', 'profile_id')


@pytest.mark.parametrize('answer', [None, {'a': 1}, [1], 'text', dict(CURRENT, rule_id=None), dict(CURRENT, priority=None),
                                    dict(CURRENT, priority=True), dict(CURRENT, name=3)])
def test_what_is_no_rule(answer):
    assert not _rules.is_rule(answer)


def test_a_rule_has_an_id_a_name_and_a_priority():
    assert _rules.is_rule(CURRENT)


# --- DLP profiles by name ------------------------------------------------------------------

CARDS_ID = '56a8c060-01bb-4f89-ba1e-3ad42770a342'
FINANCE_ID = '3e9d1c52-8b1f-4c6e-9a0d-7f2b5e4c1a93'
TWIN_IDS = ('6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a', '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d')
PROFILES = [{'id': CARDS_ID, 'name': 'Credit Card Numbers', 'type': 'predefined'},
            {'id': FINANCE_ID, 'name': 'Financial Information', 'type': 'predefined'},
            {'id': TWIN_IDS[0], 'name': 'Twin', 'type': 'custom'},
            {'id': TWIN_IDS[1], 'name': 'Twin', 'type': 'integration'}]


def condition(value, selector='DLPProfiles', operator='InList'):
    return {'selector': selector, 'operator': operator, 'value': value}


@pytest.mark.parametrize('conditions, uses', [
    ([condition([CARDS_ID, FINANCE_ID.upper()])], False),
    ([condition('Credit Card Numbers')], True),
    ([condition(['Credit Card Numbers'], operator='NotInList')], True),
    ([condition('Credit Card Numbers', operator='MatchRegex')], False),
    ([condition(['Credit Card Numbers'], operator='NotMatchRegex')], False),
    ([condition(['Credit Card Numbers'], selector='Recipients')], False),
    ([condition(['not-quite-a-uuid-' + CARDS_ID])], True),
], ids=['ids', 'name', 'name-not-in-list', 'regex', 'regex-list', 'other-selector', 'almost-an-id'])
def test_uses_profile_names(conditions, uses):
    assert _rules.uses_profile_names([params(), params(conditions=conditions)]) is uses


def test_names_become_ids_and_everything_else_stays_as_written():
    rule = params(name='N', conditions=[
        condition(['Credit Card Numbers', FINANCE_ID.upper()]),
        condition('Financial Information', operator='NotInList'),
        condition('Credit Card Numbers', operator='MatchRegex'),
        condition(['Credit Card Numbers'], selector='Sender'),
    ])
    resolved = _rules.resolve_profiles([rule, params(name='M')], PROFILES, ['', ''])
    assert resolved[0]['conditions'] == [
        condition([CARDS_ID, FINANCE_ID.upper()]),
        condition(FINANCE_ID, operator='NotInList'),
        condition('Credit Card Numbers', operator='MatchRegex'),
        condition(['Credit Card Numbers'], selector='Sender'),
    ]
    assert resolved[1] == params(name='M')
    assert rule['conditions'][0]['value'] == ['Credit Card Numbers', FINANCE_ID.upper()]  # the task's own options stay


def test_every_bad_reference_is_named_with_the_list_of_profiles():
    unknown_id = '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f'
    rules = [params(conditions=[condition(['credit card numbers', 'Twin'])]),
             params(conditions=[condition('Source Code'), condition([CARDS_ID, unknown_id], operator='NotInList')])]
    with pytest.raises(ProfileError) as error:
        _rules.resolve_profiles(rules, PROFILES, ['rules[0].', 'rules[1].'])
    listing = ('Credit Card Numbers (predefined, %s), Financial Information (predefined, %s), Twin (custom, %s), '
               'Twin (integration, %s)' % (CARDS_ID, FINANCE_ID, TWIN_IDS[0], TWIN_IDS[1]))
    assert error.value.msg == (
        "rules[0].conditions[0].value: no DLP profile is named 'credit card numbers' (names are matched exactly, case"
        " included); rules[0].conditions[0].value: 'Twin' is the name of 2 DLP profiles, Twin (custom, %s), Twin"
        " (integration, %s); use the ID of the one you mean; rules[1].conditions[0].value: no DLP profile is named"
        " 'Source Code' (names are matched exactly, case included); rules[1].conditions[1].value: %s is the ID of no DLP"
        " profile of the account. The DLP profiles of the account: %s" % (TWIN_IDS[0], TWIN_IDS[1], unknown_id, listing))


def test_a_name_in_an_account_without_profiles():
    with pytest.raises(ProfileError, match='The DLP profiles of the account: none$'):
        _rules.resolve_profiles([params(conditions=[condition('Cards')])], [], [''])


def test_profile_ids_compare_in_any_case_other_values_exactly():
    rule = {'name': 'N', 'enabled': True, 'conditions': [condition([CARDS_ID.upper(), FINANCE_ID])]}
    assert _rules.same_rule(rule, dict(rule, conditions=[condition([FINANCE_ID, CARDS_ID])]))
    assert not _rules.same_rule(rule, dict(rule, conditions=[condition([FINANCE_ID, CARDS_ID], operator='NotInList')]))
    sender = {'name': 'N', 'enabled': True, 'conditions': [condition(['A@X.EXAMPLE'], selector='Sender')]}
    assert not _rules.same_rule(sender, dict(sender, conditions=[condition(['a@x.example'], selector='Sender')]))


# --- the input format ------------------------------------------------------------------------


def test_rules_input_has_the_options_and_a_rule_id_only_for_names_that_repeat():
    cards = dict(CURRENT, rule_id='A', created_at='2025-01-01T12:00:00Z', updated_at='2025-01-01T12:00:00Z')
    twins = [dict(CURRENT, rule_id='B', name='Twin', description=None, action={'action': 'Block', 'message': None}),
             dict(CURRENT, rule_id='C', name='Twin')]
    entries = _rules.rules_input([cards] + twins, [cards] + twins)
    assert entries[0] == {'name': 'Cards', 'description': 'Inside only', 'enabled': False, 'priority': 2,
                          'conditions': CURRENT['conditions'], 'action': 'Block', 'action_message': 'No'}
    assert [entry.get('rule_id') for entry in entries] == [None, 'B', 'C']
    assert entries[1]['description'] is None and entries[1]['action_message'] is None
    assert _rules.rules_input(twins[:1], [cards] + twins)[0]['rule_id'] == 'B'  # unique in the filter, not on the account
    assert _rules.rules_input([cards], [cards]) == entries[:1]


def test_rules_input_fed_back_changes_nothing():
    rules = [dict(CURRENT, rule_id='A'),
             dict(CURRENT, rule_id='B', description=None, action={'action': 'Block', 'message': None},
                  conditions=[condition('x', selector='Sender', operator='MatchRegex')])]
    for rule, entry in zip(rules, _rules.rules_input(rules, rules)):
        entry = dict(EMPTY, **entry)
        assert _rules.same_rule(rule, _rules.build_body(entry, rule)) and entry['priority'] == rule['priority']
