# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The mapping module driven through main() against a real local HTTP server, call by call."""

from __future__ import annotations

import json
import re
import threading

import pytest
from werkzeug import Response

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _api
from ansible_collections.zerotrust.cloudflare.plugins.modules import cloudflare_dlp_email_mapping as module

ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353'
PATH = '/client/v4/accounts/%s/dlp/email/account_mapping' % ACCOUNT
TOKEN = 'unit-test-api-token-7f3a9c0e5b1d4e2f8a6c'
KEY = 'unit-test-global-key-c2e8f1a4b7d0e3f6a9b2'
ADDIN = '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e'
NEW_ADDIN = '3f1c7b2a-9d4e-4c8b-a1f0-5e6d7c8b9a0f'
ORG = {'type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com']}
NOAUTH = {'type': 'NoAuth'}


def envelope(result, success=True, errors=None):
    return {'success': success, 'errors': errors or [], 'messages': [], 'result': result}


def mapping(auth, token=ADDIN):
    return envelope({'addin_identifier_token': token, 'auth_requirements': auth})


NOT_FOUND = envelope(None, False, [{'code': 7003, 'message': 'Could not route'}])


@pytest.fixture
def base_url(httpserver):
    return httpserver.url_for('/client/v4')


@pytest.fixture
def args(base_url):
    return {'account_id': ACCOUNT, 'api_token': TOKEN, 'api_base_url': base_url,
            'auth_type': 'Org', 'allowed_microsoft_organizations': list(ORG['allowed_microsoft_organizations'])}


def expect(httpserver, method, status, body, json_body=None):
    handler = httpserver.expect_ordered_request(PATH, method=method, **({} if json_body is None else {'json': json_body}))
    if isinstance(body, str):
        handler.respond_with_data(body, status=status, content_type='text/html')
    else:
        handler.respond_with_json(body, status=status)


def sent(httpserver):
    """(method, path, JSON body) of every request the server received, in order."""
    return [(entry[0].method, entry[0].path, entry[0].get_json(silent=True)) for entry in httpserver.log]


@pytest.fixture
def no_sleep(monkeypatch):
    """Record the helper's waits instead of sleeping through them."""
    waits = []
    monkeypatch.setattr(_api.time, 'sleep', waits.append)
    return waits


# --- create, update, no-op -------------------------------------------------------


@pytest.mark.parametrize('absent', [(404, NOT_FOUND), (200, envelope(None))], ids=['404', 'result-null'])
def test_create_when_absent(httpserver, run_module, args, absent):
    expect(httpserver, 'GET', *absent)
    expect(httpserver, 'POST', 200, mapping(ORG), json_body={'auth_requirements': ORG})
    result = run_module(module.main, args)
    assert result['changed'] is True
    assert result['addin_identifier_token'] == ADDIN
    assert result['auth_requirements'] == ORG
    assert sent(httpserver) == [('GET', PATH, None), ('POST', PATH, {'auth_requirements': ORG})]
    request = httpserver.log[1][0]
    assert request.headers['Authorization'] == 'Bearer ' + TOKEN
    assert request.headers['Content-Type'] == 'application/json'
    assert request.headers['User-Agent'].startswith('zerotrust.cloudflare/0.1.0 ')


def test_noop_with_organizations_reordered_and_duplicated(httpserver, run_module, args):
    expect(httpserver, 'GET', 200, mapping(ORG))
    args['allowed_microsoft_organizations'] = ['fabrikam.onmicrosoft.com', 'contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com']
    result = run_module(module.main, args)
    assert result['changed'] is False
    assert result['addin_identifier_token'] == ADDIN
    assert result['auth_requirements'] == ORG
    assert sent(httpserver) == [('GET', PATH, None)]


def test_duplicates_folded_in_the_request(httpserver, run_module, args):
    expect(httpserver, 'GET', 404, NOT_FOUND)
    folded = {'type': 'Org', 'allowed_microsoft_organizations': ['b.onmicrosoft.com', 'a.onmicrosoft.com']}
    expect(httpserver, 'POST', 200, mapping(folded))
    args['allowed_microsoft_organizations'] = ['b.onmicrosoft.com', 'a.onmicrosoft.com', 'b.onmicrosoft.com']
    run_module(module.main, args)
    assert sent(httpserver)[1] == ('POST', PATH, {'auth_requirements': folded})


@pytest.mark.parametrize('before, task, after', [
    (ORG, {'auth_type': 'NoAuth', 'allowed_microsoft_organizations': None}, NOAUTH),
    (NOAUTH, {'auth_type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com']},
     {'type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com']}),
    (ORG, {'auth_type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com']},
     {'type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com']}),
], ids=['Org-to-NoAuth', 'NoAuth-to-Org', 'fewer-organizations'])
def test_change(httpserver, run_module, args, before, task, after):
    expect(httpserver, 'GET', 200, mapping(before))
    expect(httpserver, 'POST', 200, mapping(after))
    args.update(task)
    result = run_module(module.main, dict(args, _ansible_diff=True))
    assert result['changed'] is True
    assert result['auth_requirements'] == after
    assert sent(httpserver) == [('GET', PATH, None), ('POST', PATH, {'auth_requirements': after})]
    assert result['diff'] == {'before': {'addin_identifier_token': ADDIN, 'auth_requirements': before},
                              'after': {'addin_identifier_token': ADDIN, 'auth_requirements': after}}
    assert not result.warnings


def test_noauth_noop_accepts_empty_list(httpserver, run_module, args):
    expect(httpserver, 'GET', 200, mapping(NOAUTH))
    args.update(auth_type='NoAuth', allowed_microsoft_organizations=[])
    result = run_module(module.main, args)
    assert result['changed'] is False
    assert sent(httpserver) == [('GET', PATH, None)]


def test_token_rotation_warns(httpserver, run_module, args):
    expect(httpserver, 'GET', 200, mapping(NOAUTH))
    expect(httpserver, 'POST', 200, mapping(ORG, token=NEW_ADDIN))
    result = run_module(module.main, args)
    assert result['addin_identifier_token'] == NEW_ADDIN
    assert any(NEW_ADDIN in w and ADDIN in w and 'add-in' in w for w in result.warnings)


# --- check mode and diff ------------------------------------------------------------


def test_check_mode_absent(httpserver, run_module, args):
    expect(httpserver, 'GET', 404, NOT_FOUND)
    result = run_module(module.main, dict(args, _ansible_check_mode=True, _ansible_diff=True))
    assert result['changed'] is True
    assert result['addin_identifier_token'] is None
    assert result['auth_requirements'] == ORG
    assert result['diff'] == {'before': {}, 'after': {'addin_identifier_token': None, 'auth_requirements': ORG}}
    assert sent(httpserver) == [('GET', PATH, None)]


def test_check_mode_present_and_different(httpserver, run_module, args):
    expect(httpserver, 'GET', 200, mapping(NOAUTH))
    result = run_module(module.main, dict(args, _ansible_check_mode=True))
    assert result['changed'] is True
    assert result['addin_identifier_token'] == ADDIN
    assert result['auth_requirements'] == ORG
    assert 'diff' not in result
    assert sent(httpserver) == [('GET', PATH, None)]


def test_check_mode_present_and_same(httpserver, run_module, args):
    expect(httpserver, 'GET', 200, mapping(ORG))
    result = run_module(module.main, dict(args, _ansible_check_mode=True, _ansible_diff=True))
    assert result['changed'] is False
    assert result['diff']['before'] == result['diff']['after']
    assert sent(httpserver) == [('GET', PATH, None)]


# --- credentials -------------------------------------------------------------------


def test_global_key_headers(httpserver, run_module, args):
    expect(httpserver, 'GET', 200, mapping(ORG))
    del args['api_token']
    args.update(api_email='admin@example.com', api_key=KEY)
    result = run_module(module.main, args)
    out = result.out
    assert result['changed'] is False
    headers = httpserver.log[0][0].headers
    assert headers['X-Auth-Email'] == 'admin@example.com'
    assert headers['X-Auth-Key'] == KEY
    assert 'Authorization' not in headers
    assert KEY not in out


def test_aliases_for_global_key(httpserver, run_module, args):
    expect(httpserver, 'GET', 200, mapping(ORG))
    del args['api_token']
    args.update(account_email='admin@example.com', account_api_key=KEY)
    run_module(module.main, args)
    assert httpserver.log[0][0].headers['X-Auth-Key'] == KEY


@pytest.mark.parametrize('token_variable', ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_TOKEN'])
def test_environment_fallbacks(httpserver, run_module, args, monkeypatch, base_url, token_variable):
    expect(httpserver, 'GET', 200, mapping(ORG))
    monkeypatch.setenv(token_variable, TOKEN)
    monkeypatch.setenv('CLOUDFLARE_ACCOUNT_ID', ACCOUNT)
    monkeypatch.setenv('CLOUDFLARE_BASE_URL', base_url)
    for name in ('api_token', 'account_id', 'api_base_url'):
        del args[name]
    result = run_module(module.main, args)
    out = result.out
    assert result['changed'] is False
    assert httpserver.log[0][0].headers['Authorization'] == 'Bearer ' + TOKEN
    assert TOKEN not in out


def test_environment_global_key(httpserver, run_module, args, monkeypatch):
    expect(httpserver, 'GET', 200, mapping(ORG))
    monkeypatch.setenv('CLOUDFLARE_EMAIL', 'admin@example.com')
    monkeypatch.setenv('CLOUDFLARE_API_KEY', KEY)
    del args['api_token']
    run_module(module.main, args)
    assert httpserver.log[0][0].headers['X-Auth-Key'] == KEY


def test_task_global_key_wins_over_token_in_environment(httpserver, run_module, args, monkeypatch):
    expect(httpserver, 'GET', 200, mapping(ORG))
    monkeypatch.setenv('CLOUDFLARE_API_TOKEN', 'token-from-environment')
    del args['api_token']
    args.update(api_email='admin@example.com', api_key=KEY)
    result = run_module(module.main, args)
    assert not result.failed
    headers = httpserver.log[0][0].headers
    assert headers['X-Auth-Key'] == KEY
    assert 'Authorization' not in headers


def test_empty_environment_values_count_as_unset(httpserver, run_module, args, monkeypatch):
    expect(httpserver, 'GET', 200, mapping(ORG))
    for name in ('CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_BASE_URL', 'CLOUDFLARE_EMAIL', 'CLOUDFLARE_API_KEY'):
        monkeypatch.setenv(name, '')
    monkeypatch.setenv('CLOUDFLARE_TOKEN', TOKEN)
    del args['api_token']
    result = run_module(module.main, args)
    assert not result.failed
    assert httpserver.log[0][0].headers['Authorization'] == 'Bearer ' + TOKEN


def test_empty_base_url_in_environment_uses_default(monkeypatch):
    monkeypatch.setenv('CLOUDFLARE_BASE_URL', '')
    with pytest.raises(_api.AnsibleFallbackNotFound):
        _api._env_fallback('CLOUDFLARE_BASE_URL')


# --- bad input: a clear error naming the option, and no request ---------------------

BAD_INPUT = [
    ({'account_id': ''}, 'account_id'),
    ({'account_id': '.'}, 'account_id'),
    ({'account_id': '..'}, 'account_id'),
    ({'account_id': None}, 'account_id'),
    ({'auth_type': 'Everyone'}, 'auth_type'),
    ({'auth_type': None}, 'auth_type'),
    ({'allowed_microsoft_organizations': None}, 'allowed_microsoft_organizations'),
    ({'allowed_microsoft_organizations': []}, 'allowed_microsoft_organizations'),
    ({'allowed_microsoft_organizations': ['  ']}, 'allowed_microsoft_organizations'),
    ({'allowed_microsoft_organizations': ['contoso.onmicrosoft.com', '']}, 'allowed_microsoft_organizations'),
    ({'auth_type': 'NoAuth'}, 'allowed_microsoft_organizations'),
    ({'api_key': KEY}, 'api_token'),
    ({'api_email': 'admin@example.com', 'api_key': KEY}, 'api_token'),
    ({'api_token': None, 'api_key': KEY}, 'api_email'),
    ({'api_token': None, 'api_email': 'admin@example.com'}, 'api_key'),
    ({'api_token': None}, 'api_token'),
    ({'api_base_url': 'api.cloudflare.com/client/v4'}, 'api_base_url'),
    ({'api_base_url': 'ftp://127.0.0.1/client/v4'}, 'api_base_url'),
    ({'api_base_url': 'http://127.0.0.1:99999/client/v4'}, 'api_base_url'),
    ({'api_base_url': 'http://api.cloudflare.com/client/v4'}, 'api_base_url'),
    ({'api_base_url': 'http://127.0.0.1.example.com/client/v4'}, 'api_base_url'),
    ({'timeout': -1}, 'timeout'),
    ({'timeout': 0}, 'timeout'),
    ({'rate_limit_retry_timeout': -2}, 'rate_limit_retry_timeout'),
    ({'validate_certs': 'maybe'}, 'validate_certs'),
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
    assert TOKEN not in out and KEY not in out


# --- API failures -------------------------------------------------------------------


def test_failure_envelope_shows_codes_and_error_chain(httpserver, run_module, args):
    errors = [{'code': 6003, 'message': 'Invalid request headers',
               'error_chain': [{'code': 6111, 'message': 'Invalid format for Authorization header'}]},
              {'code': 1001, 'message': 'Second problem'}]
    expect(httpserver, 'GET', 400, envelope(None, False, errors))
    result = run_module(module.main, args)
    assert result.failed
    for text in ('HTTP 400', '[6003] Invalid request headers', '[6111] Invalid format for Authorization header',
                 '[1001] Second problem'):
        assert text in result['msg']
    assert result['status'] == 400
    assert result['errors'] == errors
    assert len(httpserver.log) == 1


@pytest.mark.parametrize('status', [401, 403])
def test_authentication_errors_hint_at_permissions(httpserver, run_module, args, status):
    expect(httpserver, 'GET', status, envelope(None, False, [{'code': 10000, 'message': 'Authentication error'}]))
    result = run_module(module.main, args)
    out = result.out
    assert result.failed
    assert '[10000] Authentication error' in result['msg']
    assert 'Zero Trust Write' in result['msg'] and 'Zero Trust Read' in result['msg']
    assert TOKEN not in out


def test_post_failure_after_get(httpserver, run_module, args):
    expect(httpserver, 'GET', 404, NOT_FOUND)
    expect(httpserver, 'POST', 400, envelope(None, False, [{'code': 1004, 'message': 'bad body'}]))
    result = run_module(module.main, args)
    assert result.failed and '[1004] bad body' in result['msg'] and 'POST' in result['msg']


def test_post_answered_without_the_mapping_fails(httpserver, run_module, args):
    expect(httpserver, 'GET', 404, NOT_FOUND)
    expect(httpserver, 'POST', 200, envelope(None))
    result = run_module(module.main, args)
    assert result.failed and 'answered without the mapping' in result['msg']
    assert len(httpserver.log) == 2


def test_success_false_on_200_fails(httpserver, run_module, args):
    expect(httpserver, 'GET', 200, envelope(None, False, [{'code': 1000, 'message': 'odd'}]))
    result = run_module(module.main, args)
    assert result.failed and '[1000] odd' in result['msg']


def test_200_that_is_not_an_envelope(httpserver, run_module, args):
    expect(httpserver, 'GET', 200, ['not', 'an', 'envelope'])
    result = run_module(module.main, args)
    assert result.failed and 'not a Cloudflare API envelope' in result['msg'] and 'HTTP 200' in result['msg']


def test_rate_limited_then_success(httpserver, run_module, args, no_sleep):
    httpserver.expect_ordered_request(PATH, method='GET').respond_with_json(
        envelope(None, False, [{'code': 971, 'message': 'Please wait'}]), status=429, headers={'Retry-After': '2'})
    expect(httpserver, 'GET', 200, mapping(ORG))
    result = run_module(module.main, args)
    assert result['changed'] is False
    assert no_sleep == [2.0]
    assert len(httpserver.log) == 2


def test_rate_limited_without_retry_after_waits_one_second_then_doubles(httpserver, run_module, args, no_sleep):
    for dummy in range(2):
        httpserver.expect_ordered_request(PATH, method='GET').respond_with_json(envelope(None, False), status=429)
    expect(httpserver, 'GET', 200, mapping(ORG))
    run_module(module.main, args)
    assert no_sleep == [1.0, 2.0]


def test_retry_after_longer_than_budget_fails_at_once(httpserver, run_module, args, no_sleep):
    httpserver.expect_ordered_request(PATH, method='GET').respond_with_json(
        envelope(None, False, [{'code': 971, 'message': 'Please wait'}]), status=429, headers={'Retry-After': '600'})
    result = run_module(module.main, dict(args, rate_limit_retry_timeout=300))
    assert result.failed
    assert 'rate limited' in result['msg'] and '600' in result['msg'] and 'rate_limit_retry_timeout=300' in result['msg']
    assert no_sleep == []
    assert len(httpserver.log) == 1


def test_rate_limit_budget_zero_never_retries(httpserver, run_module, args, no_sleep):
    httpserver.expect_ordered_request(PATH, method='GET').respond_with_json(
        envelope(None, False), status=429, headers={'Retry-After': '1'})
    result = run_module(module.main, dict(args, rate_limit_retry_timeout=0))
    assert result.failed and 'rate limited' in result['msg']
    assert no_sleep == [] and len(httpserver.log) == 1


def test_rate_limit_budget_runs_out(httpserver, run_module, args, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(_api.time, 'monotonic', lambda: clock[0])
    monkeypatch.setattr(_api.time, 'sleep', lambda seconds: clock.__setitem__(0, clock[0] + seconds))
    httpserver.expect_request(PATH, method='GET').respond_with_json(envelope(None, False), status=429,
                                                                    headers={'Retry-After': '4'})
    result = run_module(module.main, dict(args, rate_limit_retry_timeout=10))
    assert result.failed
    assert 'asked to wait 4 s' in result['msg'] and 'rate_limit_retry_timeout=10' in result['msg']
    assert len(httpserver.log) == 3  # waited 4 s twice; a third wait would pass 10 s


@pytest.mark.parametrize('status', [500, 502, 503, 504])
def test_server_error_then_success_on_get(httpserver, run_module, args, status):
    expect(httpserver, 'GET', status, envelope(None, False, [{'code': 1000, 'message': 'busy'}]))
    expect(httpserver, 'GET', 200, mapping(ORG))
    result = run_module(module.main, args)
    assert result['changed'] is False
    assert [entry[0] for entry in sent(httpserver)] == ['GET', 'GET']


def test_server_error_then_success_on_post(httpserver, run_module, args):
    expect(httpserver, 'GET', 404, NOT_FOUND)
    expect(httpserver, 'POST', 503, envelope(None, False, [{'code': 1000, 'message': 'busy'}]))
    expect(httpserver, 'POST', 200, mapping(ORG))
    result = run_module(module.main, args)
    assert result['changed'] is True and result['addin_identifier_token'] == ADDIN
    assert [entry[0] for entry in sent(httpserver)] == ['GET', 'POST', 'POST']


def test_server_errors_give_up_after_three_retries(httpserver, run_module, args, no_sleep):
    for dummy in range(4):
        expect(httpserver, 'GET', 502, '<html><body><h1>502 Bad Gateway</h1></body></html>')
    result = run_module(module.main, args)
    assert result.failed
    assert 'HTTP 502' in result['msg'] and '<h1>502 Bad Gateway</h1>' in result['msg']
    assert len(httpserver.log) == 4
    assert no_sleep == [0.5, 1.0, 2.0]  # backed off before each retry


def test_html_body_shows_status_and_start_of_body(httpserver, run_module, args):
    page = '<html>' + 'x' * 500 + '</html>'
    expect(httpserver, 'GET', 404, page)  # a 404 that is not an envelope still counts as absent
    expect(httpserver, 'POST', 418, page)
    result = run_module(module.main, args)
    assert result.failed
    assert 'HTTP 418' in result['msg'] and page[:200] in result['msg'] and page[:201] not in result['msg']


def test_read_timeout_is_retried_then_fails(httpserver, run_module, args, no_sleep):
    def slow(request):  # pylint: disable=unused-argument
        threading.Event().wait(0.5)  # not time.sleep, which no_sleep replaces
        return Response(json.dumps(mapping(ORG)), status=200, content_type='application/json')

    httpserver.expect_request(PATH, method='GET').respond_with_handler(slow)
    result = run_module(module.main, dict(args, timeout=0.1))
    assert result.failed
    assert 'timed out' in result['msg'].lower() and 'GET' in result['msg']
    assert no_sleep == [0.5, 1.0, 2.0]
    threading.Event().wait(0.6)  # the server logs a request once its slow answer is written
    assert len(httpserver.log) == 4


def test_connection_refused(run_module, args, no_sleep):
    args['api_base_url'] = 'http://127.0.0.1:9/client/v4'
    result = run_module(module.main, args)
    out = result.out
    assert result.failed
    assert 'refused' in result['msg'].lower() or 'connect' in result['msg'].lower()
    assert 'Traceback' not in out and TOKEN not in out


def test_path_segment_is_percent_encoded(httpserver, run_module, args):
    httpserver.expect_request(re.compile('.*')).respond_with_json(mapping(ORG))
    result = run_module(module.main, dict(args, account_id='a/b?c#d e'))
    assert not result.failed
    assert len(httpserver.log) == 1
    assert httpserver.log[0][0].environ['RAW_URI'] == '/client/v4/accounts/a%2Fb%3Fc%23d%20e/dlp/email/account_mapping'


def test_netrc_never_replaces_the_credentials(httpserver, run_module, args, monkeypatch, tmp_path):
    netrc = tmp_path / '.netrc'
    netrc.write_text('machine 127.0.0.1 login someone password netrc-password\n')
    netrc.chmod(0o600)
    monkeypatch.setenv('NETRC', str(netrc))
    monkeypatch.setenv('HOME', str(tmp_path))
    expect(httpserver, 'GET', 200, mapping(ORG))
    run_module(module.main, args)
    assert httpserver.log[0][0].headers['Authorization'] == 'Bearer ' + TOKEN


def test_validate_certs_false_warns(httpserver, run_module, args):
    expect(httpserver, 'GET', 200, mapping(ORG))
    result = run_module(module.main, dict(args, validate_certs=False))
    assert any('validate_certs' in w for w in result.warnings)


# --- secrets ------------------------------------------------------------------------


def test_secrets_never_in_output(httpserver, run_module, args, monkeypatch):
    """The token and key, given as options or from the environment, are masked even when the API echoes them."""
    echo = envelope(None, False, [{'code': 10000, 'message': 'Authentication error for %s and %s' % (TOKEN, KEY)}])
    expect(httpserver, 'GET', 403, echo)
    result = run_module(module.main, dict(args, _ansible_diff=True))
    out = result.out
    assert result.failed and TOKEN not in out

    httpserver.clear()
    expect(httpserver, 'GET', 403, echo)
    monkeypatch.setenv('CLOUDFLARE_EMAIL', 'admin@example.com')
    monkeypatch.setenv('CLOUDFLARE_API_KEY', KEY)
    del args['api_token']
    result = run_module(module.main, args)
    out = result.out
    assert result.failed and KEY not in out
