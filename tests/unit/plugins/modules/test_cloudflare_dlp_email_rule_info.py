# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rule info module driven through main() against a real local HTTP server."""

from __future__ import annotations

import pytest

from ansible_collections.zerotrust.cloudflare.plugins.modules import cloudflare_dlp_email_rule_info as module
from ansible_collections.zerotrust.cloudflare.tests.unit.plugins.scripted_api import (
    RULES, connection, envelope, sent, rule as api_rule)

ID_A = '2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d'
ID_B = '9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f'
ID_C = '7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d'


def rule(rule_id, name, priority):
    return api_rule(rule_id, name, priority, [{'selector': 'Sender', 'operator': 'InList', 'value': ['cfo@example.com']}])


RULE_A = rule(ID_A, 'Cards', 2)
RULE_B = rule(ID_B, 'Rivals', 1)
RULE_C = rule(ID_C, 'Cards', 0)


@pytest.fixture
def args(httpserver):
    httpserver.expect_ordered_request(RULES, method='GET').respond_with_json(envelope([RULE_A, RULE_B, RULE_C]))
    return connection(httpserver)


@pytest.mark.parametrize('filters, expected', [
    ({}, [RULE_A, RULE_B, RULE_C]),
    ({'name': 'Cards'}, [RULE_A, RULE_C]),
    ({'name': 'cards'}, []),
    ({'rule_id': ID_B}, [RULE_B]),
    ({'rule_id': ID_B.upper()}, [RULE_B]),
    ({'rule_id': ID_A, 'name': 'Cards'}, [RULE_A]),
    ({'rule_id': ID_A, 'name': 'Rivals'}, []),
    ({'rule_id': '0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a'}, []),
], ids=['all', 'name', 'name-is-exact', 'rule-id', 'rule-id-any-case', 'both', 'both-disagree', 'unknown-rule-id'])
def test_list_and_filter(httpserver, run_module, args, filters, expected):
    result = run_module(module.main, dict(args, **filters))
    assert result['changed'] is False
    assert result['rules'] == expected
    assert sent(httpserver) == [('GET', RULES, None)]


def test_check_mode(httpserver, run_module, args):
    result = run_module(module.main, dict(args, _ansible_check_mode=True))
    assert result['changed'] is False
    assert result['rules'] == [RULE_A, RULE_B, RULE_C]
    assert len(httpserver.log) == 1


def test_empty_list(httpserver, run_module, args):
    httpserver.clear()
    httpserver.expect_ordered_request(RULES, method='GET').respond_with_json(envelope([]))
    result = run_module(module.main, args)
    assert result['rules'] == result['rules_input'] == []


def entry(rule, with_id):
    """A rule of this file as an entry of the rules option."""
    value = {'rule_id': rule['rule_id']} if with_id else {}
    value.update(name=rule['name'], description=None, enabled=True, priority=rule['priority'], conditions=rule['conditions'],
                 action='Block', action_message=None)
    return value


@pytest.mark.parametrize('filters, expected', [
    ({}, [entry(RULE_A, True), entry(RULE_B, False), entry(RULE_C, True)]),
    ({'name': 'Cards'}, [entry(RULE_A, True), entry(RULE_C, True)]),
    ({'rule_id': ID_C}, [entry(RULE_C, True)]),
    ({'name': 'Rivals'}, [entry(RULE_B, False)]),
], ids=['all', 'name', 'one-of-a-name-another-rule-has', 'unique-name'])
def test_rules_input_carries_a_rule_id_only_where_the_account_repeats_the_name(httpserver, run_module, args, filters, expected):
    result = run_module(module.main, dict(args, **filters))
    assert result['rules_input'] == expected
    assert len(httpserver.log) == 1


@pytest.mark.parametrize('rule_id', ['B', '../account_mapping', '2b6a2d1c9a5e4f7b8c3d1e2f3a4b5c6d'])
def test_bad_rule_id_sends_nothing(httpserver, run_module, args, rule_id):
    result = run_module(module.main, dict(args, rule_id=rule_id))
    assert result.failed and 'rule_id' in result['msg']
    assert httpserver.log == []


def test_unexpected_answer(httpserver, run_module, args):
    httpserver.clear()
    httpserver.expect_ordered_request(RULES, method='GET').respond_with_json(envelope({'rule_id': ID_A}))
    result = run_module(module.main, args)
    assert result.failed and 'unexpected result' in result['msg']
