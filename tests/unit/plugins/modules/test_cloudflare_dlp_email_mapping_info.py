# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The mapping info module driven through main() against a real local HTTP server."""

from __future__ import annotations

import pytest

from ansible_collections.zerotrust.cloudflare.plugins.modules import cloudflare_dlp_email_mapping_info as module
from ansible_collections.zerotrust.cloudflare.tests.unit.plugins.scripted_api import (
    MAPPING, TOKEN, connection, envelope, sent)

ADDIN = '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e'
ORG = {'type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com']}


@pytest.fixture
def args(httpserver):
    return connection(httpserver)


@pytest.mark.parametrize('check_mode', [False, True])
def test_existing_mapping(httpserver, run_module, args, check_mode):
    httpserver.expect_ordered_request(MAPPING, method='GET').respond_with_json(
        envelope({'addin_identifier_token': ADDIN, 'auth_requirements': ORG}))
    result = run_module(module.main, dict(args, _ansible_check_mode=check_mode))
    assert result['changed'] is False
    assert result['exists'] is True
    assert result['addin_identifier_token'] == ADDIN
    assert result['auth_requirements'] == ORG
    assert sent(httpserver) == [('GET', MAPPING, None)]


@pytest.mark.parametrize('status, body', [
    (404, envelope(None, False, [{'code': 7003, 'message': 'Could not route'}])),
    (404, envelope(None, False, [{'code': 1404, 'message': 'Account mapping not found'}])),
    (200, envelope(None)),
], ids=['404-7003', '404-other-code', 'result-null'])
def test_absent_mapping(httpserver, run_module, args, status, body):
    httpserver.expect_ordered_request(MAPPING, method='GET').respond_with_json(body, status=status)
    result = run_module(module.main, args)
    assert result['changed'] is False
    assert result['exists'] is False
    assert result['addin_identifier_token'] is None
    assert result['auth_requirements'] is None
    assert len(httpserver.log) == 1


def test_api_failure_is_reported(httpserver, run_module, args):
    httpserver.expect_ordered_request(MAPPING, method='GET').respond_with_json(
        envelope(None, False, [{'code': 10000, 'message': 'Authentication error'}]), status=403)
    result = run_module(module.main, args)
    assert result.failed and '[10000] Authentication error' in result['msg']
    assert TOKEN not in result.out


def test_unexpected_result_fails(httpserver, run_module, args):
    httpserver.expect_ordered_request(MAPPING, method='GET').respond_with_json(envelope(['not', 'a', 'mapping']))
    result = run_module(module.main, args)
    assert result.failed and 'unexpected result' in result['msg']


def test_bad_account_id_sends_nothing(httpserver, run_module, args):
    result = run_module(module.main, dict(args, account_id='..'))
    assert result.failed and 'account_id' in result['msg']
    assert httpserver.log == []
