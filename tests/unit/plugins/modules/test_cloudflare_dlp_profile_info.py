# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The DLP profile info module driven through main() against a real local HTTP server."""

from __future__ import annotations

import pytest

from ansible_collections.zerotrust.cloudflare.plugins.modules import cloudflare_dlp_profile_info as module
from ansible_collections.zerotrust.cloudflare.tests.unit.plugins.scripted_api import (
    ACCOUNT, CARDS_PROFILE, EMPLOYEE_PROFILE, FINANCE_PROFILE, PROFILES, TWIN_PROFILE, connection, envelope, expect, sent)

LISTED = [CARDS_PROFILE, FINANCE_PROFILE, EMPLOYEE_PROFILE, TWIN_PROFILE]


@pytest.fixture
def args(httpserver):
    expect(httpserver, 'GET', PROFILES, 200, envelope(LISTED))
    return connection(httpserver)


@pytest.mark.parametrize('filters, expected', [
    ({}, LISTED),
    ({'name': 'Employee IDs'}, [EMPLOYEE_PROFILE, TWIN_PROFILE]),
    ({'name': 'credit card numbers'}, []),
    ({'profile_id': FINANCE_PROFILE['id']}, [FINANCE_PROFILE]),
    ({'profile_id': FINANCE_PROFILE['id'].upper()}, [FINANCE_PROFILE]),
    ({'profile_id': TWIN_PROFILE['id'], 'name': 'Employee IDs'}, [TWIN_PROFILE]),
    ({'profile_id': TWIN_PROFILE['id'], 'name': 'Credit Card Numbers'}, []),
    ({'profile_id': '0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a'}, []),
], ids=['all', 'name', 'name-is-exact', 'profile-id', 'profile-id-any-case', 'both', 'both-disagree', 'unknown-profile-id'])
def test_list_and_filter(httpserver, run_module, args, filters, expected):
    result = run_module(module.main, dict(args, **filters))
    assert result['changed'] is False
    assert result['profiles'] == expected
    assert sent(httpserver) == [('GET', PROFILES, None)]


def test_check_mode(httpserver, run_module, args):
    result = run_module(module.main, dict(args, _ansible_check_mode=True))
    assert result['changed'] is False and result['profiles'] == LISTED
    assert len(httpserver.log) == 1


@pytest.mark.parametrize('profile_id', ['cards', '../email/rules', '56a8c06001bb4f89ba1e3ad42770a342'])
def test_bad_profile_id_sends_nothing(httpserver, run_module, args, profile_id):
    result = run_module(module.main, dict(args, profile_id=profile_id))
    assert result.failed and result['msg'].startswith('profile_id must be a UUID')
    assert httpserver.log == []


@pytest.mark.parametrize('answer', [{'id': 'x', 'name': 'X'}, [{'name': 'no id'}], None])
def test_unexpected_answer(httpserver, run_module, answer):
    expect(httpserver, 'GET', PROFILES, 200, envelope(answer))
    result = run_module(module.main, connection(httpserver))
    assert result.failed and 'Cloudflare answered GET /accounts/%s/dlp/profiles with an unexpected result' % ACCOUNT in result['msg']


def test_api_error_keeps_cloudflare_codes(httpserver, run_module):
    errors = [{'code': 10000, 'message': 'Authentication error'}]
    expect(httpserver, 'GET', PROFILES, 403, envelope(None, False, errors))
    result = run_module(module.main, connection(httpserver))
    assert result.failed and '[10000] Authentication error' in result['msg'] and 'Zero Trust Read' in result['msg']
    assert result['errors'] == errors and result['status'] == 403
