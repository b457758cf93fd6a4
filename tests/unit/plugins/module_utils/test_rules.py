# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared rule logic: the body sent, and how rules compare."""

from __future__ import annotations

import pytest

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _rules

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
