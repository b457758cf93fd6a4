# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The predefined DLP profile module driven through main() against a real local HTTP server, call by call."""

from __future__ import annotations

import pytest

from ansible_collections.zerotrust.cloudflare.plugins.modules import cloudflare_dlp_predefined_profile as module
from ansible_collections.zerotrust.cloudflare.tests.unit.plugins.scripted_api import (
    ACCOUNT, BAD_GATEWAY, CARDS_PROFILE, EMPLOYEE_PROFILE, FINANCE_PROFILE, PROFILES, connection, envelope, expect,
    predefined_profile, predefined_profile_path, sent)

CARDS_ID = CARDS_PROFILE['id']
VISA = 'd94a8671-4fbc-5e47-b158-5f670a637134'
MASTERCARD = 'dfb71b9e-0c4b-5935-9a78-a480e23fbf9e'
CARDS = predefined_profile(CARDS_ID, 'Credit Card Numbers', [(VISA, 'Visa Card Number', True), (MASTERCARD, 'Mastercard Card Number', False)])
PATH = predefined_profile_path(CARDS_ID)
CONFIG = PATH + '/config'
LISTED = [CARDS_PROFILE, FINANCE_PROFILE, dict(EMPLOYEE_PROFILE, name='Credit Card Numbers')]


def config(enabled_entries, **changes):
    """The answer of the config PUT."""
    value = {'id': CARDS_ID, 'name': 'Credit Card Numbers', 'allowed_match_count': 0, 'confidence_threshold': 'low',
             'ocr_enabled': False, 'ai_context_enabled': False, 'open_access': False, 'entries': [],
             'enabled_entries': enabled_entries}
    value.update(changes)
    return value


@pytest.fixture
def args(httpserver):
    return connection(httpserver, name='Credit Card Numbers')


def test_noop_by_name_is_two_gets(httpserver, run_module, args):
    expect(httpserver, 'GET', PROFILES, 200, envelope(LISTED))
    expect(httpserver, 'GET', PATH, 200, envelope(CARDS))
    result = run_module(module.main, dict(args, enabled_entries=['Visa Card Number'], allowed_match_count=0, _ansible_diff=True))
    assert result['changed'] is False and result['profile'] == CARDS
    assert result['diff']['before'] == result['diff']['after']
    assert sent(httpserver) == [('GET', PROFILES, None), ('GET', PATH, None)]


def test_noop_by_id_is_one_get(httpserver, run_module, args):
    expect(httpserver, 'GET', PATH, 200, envelope(CARDS))
    result = run_module(module.main, dict(args, name=None, profile_id=CARDS_ID, enabled_entries=[VISA.upper()]))
    assert result['changed'] is False and len(httpserver.log) == 1


def test_enable_entries_by_name_is_one_put_of_the_full_settings(httpserver, run_module, args):
    expect(httpserver, 'GET', PROFILES, 200, envelope(LISTED))
    expect(httpserver, 'GET', PATH, 200, envelope(CARDS))
    expect(httpserver, 'PUT', CONFIG, 200, envelope(config([MASTERCARD], allowed_match_count=2)))
    result = run_module(module.main, dict(args, enabled_entries=['Mastercard Card Number'], allowed_match_count=2, _ansible_diff=True))
    assert result['changed'] is True
    assert sent(httpserver)[2] == ('PUT', CONFIG, {'allowed_match_count': 2, 'confidence_threshold': 'low', 'ocr_enabled': False,
                                                   'ai_context_enabled': False, 'enabled_entries': [MASTERCARD]})
    assert result['profile']['allowed_match_count'] == 2
    assert [entry['enabled'] for entry in result['profile']['entries']] == [False, True]
    assert result['diff']['after']['entries'] == {'Visa Card Number': False, 'Mastercard Card Number': True}
    assert len(httpserver.log) == 3


def test_a_setting_keeps_the_enabled_entries(httpserver, run_module, args):
    expect(httpserver, 'GET', PATH, 200, envelope(CARDS))
    expect(httpserver, 'PUT', CONFIG, 200, envelope(config([VISA], ocr_enabled=True)))
    result = run_module(module.main, dict(args, name=None, profile_id=CARDS_ID, ocr_enabled=True))
    assert result['changed'] is True and sent(httpserver)[1][2]['enabled_entries'] == [VISA]
    assert 'entries' not in sent(httpserver)[1][2]


def test_check_mode_sends_no_put(httpserver, run_module, args):
    expect(httpserver, 'GET', PATH, 200, envelope(CARDS))
    result = run_module(module.main, dict(args, name=None, profile_id=CARDS_ID, enabled_entries=[], _ansible_check_mode=True))
    assert result['changed'] is True and [entry['enabled'] for entry in result['profile']['entries']] == [False, False]
    assert len(httpserver.log) == 1


def test_an_unknown_entry_fails_before_any_write(httpserver, run_module, args):
    expect(httpserver, 'GET', PATH, 200, envelope(CARDS))
    result = run_module(module.main, dict(args, name=None, profile_id=CARDS_ID, enabled_entries=['Visa Card Number', 'Amex']))
    assert result.failed and result['changed'] is False
    assert result['msg'] == ("enabled_entries: 'Amex' is no entry of the profile. The entries of the DLP profile 'Credit Card Numbers':"
                             " Visa Card Number (%s), Mastercard Card Number (%s)" % (VISA, MASTERCARD))
    assert len(httpserver.log) == 1


@pytest.mark.parametrize('name, error', [
    ('Employee IDs', "name 'Employee IDs' matches no predefined DLP profiles"),
    ('credit card numbers', "name 'credit card numbers' matches no predefined DLP profiles"),
])
def test_a_name_of_no_predefined_profile_lists_them(httpserver, run_module, args, name, error):
    expect(httpserver, 'GET', PROFILES, 200, envelope(LISTED + [EMPLOYEE_PROFILE]))
    result = run_module(module.main, dict(args, name=name))
    assert result.failed and result['msg'].startswith(error)
    assert 'Credit Card Numbers (%s), Financial Information (%s)' % (CARDS_ID, FINANCE_PROFILE['id']) in result['msg']
    assert len(httpserver.log) == 1


def test_a_profile_id_of_no_predefined_profile_fails(httpserver, run_module, args):
    expect(httpserver, 'GET', predefined_profile_path(EMPLOYEE_PROFILE['id']), 404, envelope(None, False, [{'code': 1553, 'message': 'x'}]))
    result = run_module(module.main, dict(args, name=None, profile_id=EMPLOYEE_PROFILE['id']))
    assert result.failed and 'is no predefined DLP profile of the account' in result['msg']


@pytest.mark.parametrize('answer', [None, {'enabled_entries': 'all'}])
def test_a_put_answered_badly_is_uncertain(httpserver, run_module, args, answer):
    expect(httpserver, 'GET', PATH, 200, envelope(CARDS))
    expect(httpserver, 'PUT', CONFIG, 200, envelope(answer))
    result = run_module(module.main, dict(args, name=None, profile_id=CARDS_ID, ocr_enabled=True))
    assert result.failed and result['changed'] is True and result['uncertain'] == ['Credit Card Numbers']
    assert "Whether the failed request changed 'Credit Card Numbers' is unknown: it may have been applied" in result['msg']


def test_a_put_that_fails_after_the_retries_is_uncertain(httpserver, run_module, args, no_sleep):
    expect(httpserver, 'GET', PATH, 200, envelope(CARDS))
    for dummy in range(4):
        expect(httpserver, 'PUT', CONFIG, 502, BAD_GATEWAY)
    result = run_module(module.main, dict(args, name=None, profile_id=CARDS_ID, ocr_enabled=True))
    assert result.failed and result['uncertain'] == ['Credit Card Numbers'] and len(no_sleep) == 3


@pytest.mark.parametrize('options, error', [
    ({'profile_id': 'cards'}, 'profile_id must be a UUID'),
    ({'allowed_match_count': 1001}, 'allowed_match_count must be a whole number from 0 to 1000'),
    ({'confidence_threshold': 'sure'}, 'value of confidence_threshold must be one of: low, medium, high, very_high'),
    ({'enabled_entries': ['Visa', ' ']}, 'enabled_entries[1] must be the name or ID of an entry'),
    ({'name': None, 'ocr_enabled': True}, 'one of the following is required: profile_id, name'),
])
def test_bad_input_sends_nothing(httpserver, run_module, args, options, error):
    result = run_module(module.main, dict((key, value) for key, value in dict(args, **options).items() if value is not None))
    assert result.failed and error in result['msg']
    assert httpserver.log == []


def test_a_profile_of_the_wrong_shape_fails_cleanly(httpserver, run_module, args):
    expect(httpserver, 'GET', PATH, 200, envelope(dict(CARDS, entries=[{'id': VISA, 'name': 'Visa'}])))
    result = run_module(module.main, dict(args, name=None, profile_id=CARDS_ID))
    assert result.failed and 'Traceback' not in result.out and result['changed'] is False
    assert 'Cloudflare answered GET /accounts/%s/dlp/profiles/predefined/%s with an unexpected result' % (ACCOUNT, CARDS_ID) in result['msg']
