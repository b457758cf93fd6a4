# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The mapping module driven through main() against a real local HTTP server, call by call.

What every module shares (credentials, retries, rate limits, error text) is tested in module_utils/test_api.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ansible_collections.zerotrust.cloudflare.plugins.modules import cloudflare_dlp_email_mapping as module
from ansible_collections.zerotrust.cloudflare.tests.unit.plugins.scripted_api import (
    MAPPING, TOKEN, connection, envelope, expect, sent)

ADDIN = '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e'
NEW_ADDIN = '3f1c7b2a-9d4e-4c8b-a1f0-5e6d7c8b9a0f'
ORG = {'type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com']}
NOAUTH = {'type': 'NoAuth'}
NOT_FOUND = envelope(None, False, [{'code': 7003, 'message': 'Could not route'}])


def mapping(auth, token=ADDIN):
    return envelope({'addin_identifier_token': token, 'auth_requirements': auth})


@pytest.fixture
def args(httpserver):
    return connection(httpserver, auth_type='Org', allowed_microsoft_organizations=list(ORG['allowed_microsoft_organizations']))


# --- create, update, no-op -------------------------------------------------------


@pytest.mark.parametrize('absent', [(404, NOT_FOUND), (200, envelope(None))], ids=['404', 'result-null'])
def test_create_when_absent(httpserver, run_module, args, absent):
    expect(httpserver, 'GET', MAPPING, *absent)
    expect(httpserver, 'POST', MAPPING, 200, mapping(ORG), json={'auth_requirements': ORG})
    result = run_module(module.main, args)
    assert result['changed'] is True
    assert result['addin_identifier_token'] == ADDIN
    assert result['auth_requirements'] == ORG
    assert sent(httpserver) == [('GET', MAPPING, None), ('POST', MAPPING, {'auth_requirements': ORG})]
    request = httpserver.log[1][0]
    assert request.headers['Authorization'] == 'Bearer ' + TOKEN
    assert request.headers['Content-Type'] == 'application/json'
    version = re.search(r'^version: *(\S+)', (Path(__file__).parents[4] / 'galaxy.yml').read_text(), re.M).group(1)
    assert request.headers['User-Agent'].startswith('zerotrust.cloudflare/%s ' % version)


def test_noop_with_organizations_reordered_and_duplicated(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    args['allowed_microsoft_organizations'] = ['fabrikam.onmicrosoft.com', 'contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com']
    result = run_module(module.main, args)
    assert result['changed'] is False
    assert result['addin_identifier_token'] == ADDIN
    assert result['auth_requirements'] == ORG
    assert sent(httpserver) == [('GET', MAPPING, None)]


def test_duplicates_folded_in_the_request(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 404, NOT_FOUND)
    folded = {'type': 'Org', 'allowed_microsoft_organizations': ['b.onmicrosoft.com', 'a.onmicrosoft.com']}
    expect(httpserver, 'POST', MAPPING, 200, mapping(folded))
    args['allowed_microsoft_organizations'] = ['b.onmicrosoft.com', 'a.onmicrosoft.com', 'b.onmicrosoft.com']
    run_module(module.main, args)
    assert sent(httpserver)[1] == ('POST', MAPPING, {'auth_requirements': folded})


@pytest.mark.parametrize('before, task, after', [
    (ORG, {'auth_type': 'NoAuth', 'allowed_microsoft_organizations': None}, NOAUTH),
    (NOAUTH, {'auth_type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com']},
     {'type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com']}),
    (ORG, {'auth_type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com']},
     {'type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com']}),
], ids=['Org-to-NoAuth', 'NoAuth-to-Org', 'fewer-organizations'])
def test_change(httpserver, run_module, args, before, task, after):
    expect(httpserver, 'GET', MAPPING, 200, mapping(before))
    expect(httpserver, 'POST', MAPPING, 200, mapping(after))
    args.update(task)
    result = run_module(module.main, dict(args, _ansible_diff=True))
    assert result['changed'] is True
    assert result['auth_requirements'] == after
    assert sent(httpserver) == [('GET', MAPPING, None), ('POST', MAPPING, {'auth_requirements': after})]
    assert result['diff'] == {'before': {'addin_identifier_token': ADDIN, 'auth_requirements': before},
                              'after': {'addin_identifier_token': ADDIN, 'auth_requirements': after}}
    assert not result.warnings


def test_noauth_noop_accepts_empty_list(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 200, mapping(NOAUTH))
    args.update(auth_type='NoAuth', allowed_microsoft_organizations=[])
    result = run_module(module.main, args)
    assert result['changed'] is False
    assert sent(httpserver) == [('GET', MAPPING, None)]


def test_token_rotation_warns(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 200, mapping(NOAUTH))
    expect(httpserver, 'POST', MAPPING, 200, mapping(ORG, token=NEW_ADDIN))
    result = run_module(module.main, args)
    assert result['addin_identifier_token'] == NEW_ADDIN
    assert any(NEW_ADDIN in w and ADDIN in w and 'add-in' in w for w in result.warnings)


# --- check mode and diff ------------------------------------------------------------


def test_check_mode_absent(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 404, NOT_FOUND)
    result = run_module(module.main, dict(args, _ansible_check_mode=True, _ansible_diff=True))
    assert result['changed'] is True
    assert result['addin_identifier_token'] is None
    assert result['auth_requirements'] == ORG
    assert result['diff'] == {'before': {}, 'after': {'addin_identifier_token': None, 'auth_requirements': ORG}}
    assert sent(httpserver) == [('GET', MAPPING, None)]


def test_check_mode_present_and_different(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 200, mapping(NOAUTH))
    result = run_module(module.main, dict(args, _ansible_check_mode=True))
    assert result['changed'] is True
    assert result['addin_identifier_token'] == ADDIN
    assert result['auth_requirements'] == ORG
    assert 'diff' not in result
    assert sent(httpserver) == [('GET', MAPPING, None)]


def test_check_mode_present_and_same(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    result = run_module(module.main, dict(args, _ansible_check_mode=True, _ansible_diff=True))
    assert result['changed'] is False
    assert result['diff']['before'] == result['diff']['after']
    assert sent(httpserver) == [('GET', MAPPING, None)]


# --- bad input: a clear error naming the option, and no request ---------------------

BAD_INPUT = [
    ({'auth_type': 'Everyone'}, 'auth_type'),
    ({'auth_type': None}, 'auth_type'),
    ({'allowed_microsoft_organizations': None}, 'allowed_microsoft_organizations'),
    ({'allowed_microsoft_organizations': []}, 'allowed_microsoft_organizations'),
    ({'allowed_microsoft_organizations': ['  ']}, 'allowed_microsoft_organizations'),
    ({'allowed_microsoft_organizations': ['contoso.onmicrosoft.com', '']}, 'allowed_microsoft_organizations'),
    ({'auth_type': 'NoAuth'}, 'allowed_microsoft_organizations'),
]


@pytest.mark.parametrize('change, option', BAD_INPUT, ids=['%s=%r' % next(iter(c[0].items())) for c in BAD_INPUT])
def test_bad_input_sends_nothing(httpserver, run_module, args, change, option):
    args.update(change)
    args = {k: v for k, v in args.items() if v is not None}
    result = run_module(module.main, args)
    out = result.out
    assert result.failed
    assert option in result['msg']
    assert httpserver.log == []
    assert TOKEN not in out


# --- API failures -------------------------------------------------------------------


def test_post_failure_after_get(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 404, NOT_FOUND)
    expect(httpserver, 'POST', MAPPING, 400, envelope(None, False, [{'code': 1004, 'message': 'bad body'}]))
    result = run_module(module.main, args)
    assert result.failed and '[1004] bad body' in result['msg'] and 'POST' in result['msg']


def test_post_answered_without_the_mapping_fails(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 404, NOT_FOUND)
    expect(httpserver, 'POST', MAPPING, 200, envelope(None))
    result = run_module(module.main, args)
    assert result.failed and 'answered without the mapping' in result['msg']
    assert len(httpserver.log) == 2


def test_server_error_then_success_on_post(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 404, NOT_FOUND)
    expect(httpserver, 'POST', MAPPING, 503, envelope(None, False, [{'code': 1000, 'message': 'busy'}]))
    expect(httpserver, 'POST', MAPPING, 200, mapping(ORG))
    result = run_module(module.main, args)
    assert result['changed'] is True and result['addin_identifier_token'] == ADDIN
    assert [entry[0] for entry in sent(httpserver)] == ['GET', 'POST', 'POST']


def test_html_body_shows_status_and_start_of_body(httpserver, run_module, args):
    page = '<html>' + 'x' * 500 + '</html>'
    expect(httpserver, 'GET', MAPPING, 404, page)  # a 404 that is not an envelope still counts as absent
    expect(httpserver, 'POST', MAPPING, 418, page)
    result = run_module(module.main, args)
    assert result.failed
    assert 'HTTP 418' in result['msg'] and page[:200] in result['msg'] and page[:201] not in result['msg']


# --- answers that may have been applied are a change (DESIGN: a hostile network or server) ----------------------------


@pytest.mark.parametrize('answer', [envelope({'auth_requirements': ORG}), envelope(None), '<html>saved</html>'],
                         ids=['no-token', 'null', 'html'])
def test_a_post_answered_without_the_mapping_is_uncertain_and_changed(httpserver, run_module, args, answer):
    expect(httpserver, 'GET', MAPPING, 200, mapping(NOAUTH))
    expect(httpserver, 'POST', MAPPING, 200, answer)
    result = run_module(module.main, args)
    assert result.failed and result['changed'] is True and result['uncertain'] == ['account_mapping']
    assert result['msg'].startswith('Cloudflare ') and 'POST /accounts/' in result['msg']
    assert result['msg'].endswith('; the mapping may have been changed: run the task again to read it')
    assert len(httpserver.log) == 2


def test_a_post_that_fails_after_the_retries_is_uncertain_and_changed(httpserver, run_module, args, no_sleep):
    expect(httpserver, 'GET', MAPPING, 200, mapping(NOAUTH))
    for dummy in range(4):
        expect(httpserver, 'POST', MAPPING, 502, '<html>Bad Gateway</html>')
    result = run_module(module.main, args)
    assert result.failed and result['changed'] is True and result['uncertain'] == ['account_mapping']
    assert len(no_sleep) == 3


@pytest.mark.parametrize('answer', [envelope({'auth_requirements': ORG}), '<html>login</html>'], ids=['no-token', 'html'])
def test_a_read_of_the_wrong_shape_changes_nothing(httpserver, run_module, args, answer):
    expect(httpserver, 'GET', MAPPING, 200, answer)
    result = run_module(module.main, args)
    assert result.failed and result['changed'] is False and result['uncertain'] == []
    assert 'GET /accounts/' in result['msg'] and len(httpserver.log) == 1
