# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP helper on its own: credentials, checks before any request, retries, rate limits, error text and
secrets, through a minimal module that reads the account mapping against a real local HTTP server."""

from __future__ import annotations

import json
import re
import threading

import pytest
from werkzeug import Response

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _api, _transport
from ansible_collections.zerotrust.cloudflare.tests.unit.plugins.scripted_api import (
    ACCOUNT, BAD_GATEWAY, KEY, MAPPING, TOKEN, connection, envelope, expect, sent)

ORG = {'type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com']}


def main():
    """A module with only the common options, which reads the account mapping through the helper."""
    module = AnsibleModule(argument_spec=_api.common_argument_spec(), supports_check_mode=True)
    try:
        api = _api.CloudflareAPI(module)
        result = api.send('GET', api.mapping_path)
    except _transport.CloudflareError as error:
        _api.fail(module, error)
    module.exit_json(changed=False, result=result)


def mapping(auth):
    return envelope({'addin_identifier_token': '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e', 'auth_requirements': auth})


@pytest.fixture
def base_url(httpserver):
    return httpserver.url_for('/client/v4')


@pytest.fixture
def args(httpserver):
    return connection(httpserver)


# --- bad input: a clear error naming the option, and no request ---------------------

BAD_INPUT = [
    ({'account_id': ''}, 'account_id'),
    ({'account_id': '.'}, 'account_id'),
    ({'account_id': '..'}, 'account_id'),
    ({'account_id': None}, 'account_id'),
    ({'api_key': KEY}, 'api_token'),
    ({'api_email': 'admin@example.com', 'api_key': KEY}, 'api_token'),
    ({'api_token': None, 'api_key': KEY}, 'api_email'),
    ({'api_token': None, 'api_email': 'admin@example.com'}, 'api_key'),
    ({'api_token': None}, 'api_token'),
    ({'api_token': TOKEN + '\n'}, 'api_token'),
    ({'api_token': None, 'api_email': 'admin@example.com', 'api_key': ' ' + KEY}, 'api_key'),
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
    result = run_module(main, args)
    assert result.failed
    assert option in result['msg']
    assert httpserver.log == []
    assert TOKEN not in result.out and KEY not in result.out


# --- credentials -------------------------------------------------------------------

def test_global_key_headers(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    del args['api_token']
    args.update(api_email='admin@example.com', api_key=KEY)
    result = run_module(main, args)
    out = result.out
    assert result['changed'] is False
    headers = httpserver.log[0][0].headers
    assert headers['X-Auth-Email'] == 'admin@example.com'
    assert headers['X-Auth-Key'] == KEY
    assert 'Authorization' not in headers
    assert KEY not in out


def test_aliases_for_global_key(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    del args['api_token']
    args.update(account_email='admin@example.com', account_api_key=KEY)
    run_module(main, args)
    assert httpserver.log[0][0].headers['X-Auth-Key'] == KEY


@pytest.mark.parametrize('token_variable', ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_TOKEN'])
def test_environment_fallbacks(httpserver, run_module, args, monkeypatch, base_url, token_variable):
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    monkeypatch.setenv(token_variable, TOKEN)
    monkeypatch.setenv('CLOUDFLARE_ACCOUNT_ID', ACCOUNT)
    monkeypatch.setenv('CLOUDFLARE_BASE_URL', base_url)
    for name in ('api_token', 'account_id', 'api_base_url'):
        del args[name]
    result = run_module(main, args)
    out = result.out
    assert result['changed'] is False
    assert httpserver.log[0][0].headers['Authorization'] == 'Bearer ' + TOKEN
    assert TOKEN not in out


def test_environment_global_key(httpserver, run_module, args, monkeypatch):
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    monkeypatch.setenv('CLOUDFLARE_EMAIL', 'admin@example.com')
    monkeypatch.setenv('CLOUDFLARE_API_KEY', KEY)
    del args['api_token']
    run_module(main, args)
    assert httpserver.log[0][0].headers['X-Auth-Key'] == KEY


def test_task_global_key_wins_over_token_in_environment(httpserver, run_module, args, monkeypatch):
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    monkeypatch.setenv('CLOUDFLARE_API_TOKEN', 'token-from-environment')
    del args['api_token']
    args.update(api_email='admin@example.com', api_key=KEY)
    result = run_module(main, args)
    assert not result.failed
    headers = httpserver.log[0][0].headers
    assert headers['X-Auth-Key'] == KEY
    assert 'Authorization' not in headers


def test_empty_environment_values_count_as_unset(httpserver, run_module, args, monkeypatch):
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    for name in ('CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_BASE_URL', 'CLOUDFLARE_EMAIL', 'CLOUDFLARE_API_KEY'):
        monkeypatch.setenv(name, '')
    monkeypatch.setenv('CLOUDFLARE_TOKEN', TOKEN)
    del args['api_token']
    result = run_module(main, args)
    assert not result.failed
    assert httpserver.log[0][0].headers['Authorization'] == 'Bearer ' + TOKEN


def test_empty_base_url_in_environment_uses_default(monkeypatch):
    monkeypatch.setenv('CLOUDFLARE_BASE_URL', '')
    with pytest.raises(_api.AnsibleFallbackNotFound):
        _api._env_fallback('CLOUDFLARE_BASE_URL')


# --- API failures -------------------------------------------------------------------


def test_failure_envelope_shows_codes_and_error_chain(httpserver, run_module, args):
    errors = [{'code': 6003, 'message': 'Invalid request headers',
               'error_chain': [{'code': 6111, 'message': 'Invalid format for Authorization header'}]},
              {'code': 1001, 'message': 'Second problem'}]
    expect(httpserver, 'GET', MAPPING, 400, envelope(None, False, errors))
    result = run_module(main, args)
    assert result.failed
    for text in ('HTTP 400', '[6003] Invalid request headers', '[6111] Invalid format for Authorization header',
                 '[1001] Second problem'):
        assert text in result['msg']
    assert result['status'] == 400
    assert result['errors'] == errors
    assert len(httpserver.log) == 1


@pytest.mark.parametrize('status', [401, 403])
def test_authentication_errors_hint_at_permissions(httpserver, run_module, args, status):
    expect(httpserver, 'GET', MAPPING, status, envelope(None, False, [{'code': 10000, 'message': 'Authentication error'}]))
    result = run_module(main, args)
    out = result.out
    assert result.failed
    assert '[10000] Authentication error' in result['msg']
    assert 'Zero Trust Write' in result['msg'] and 'Zero Trust Read' in result['msg']
    assert TOKEN not in out


def test_success_false_on_200_fails(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 200, envelope(None, False, [{'code': 1000, 'message': 'odd'}]))
    result = run_module(main, args)
    assert result.failed and '[1000] odd' in result['msg']


def test_200_that_is_not_an_envelope(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 200, ['not', 'an', 'envelope'])
    result = run_module(main, args)
    assert result.failed and 'not a Cloudflare API envelope' in result['msg'] and 'HTTP 200' in result['msg']


def test_rate_limited_then_success(httpserver, run_module, args, no_sleep):
    httpserver.expect_ordered_request(MAPPING, method='GET').respond_with_json(
        envelope(None, False, [{'code': 971, 'message': 'Please wait'}]), status=429, headers={'Retry-After': '2'})
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    result = run_module(main, args)
    assert result['changed'] is False
    assert no_sleep == pytest.approx([2.0], abs=0.3)
    assert len(httpserver.log) == 2


def test_rate_limited_without_retry_after_waits_one_second_then_doubles(httpserver, run_module, args, no_sleep):
    for dummy in range(2):
        httpserver.expect_ordered_request(MAPPING, method='GET').respond_with_json(envelope(None, False), status=429)
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    run_module(main, args)
    assert no_sleep == pytest.approx([1.0, 2.0], abs=0.3)


def test_retry_after_longer_than_budget_fails_at_once(httpserver, run_module, args, no_sleep):
    httpserver.expect_ordered_request(MAPPING, method='GET').respond_with_json(
        envelope(None, False, [{'code': 971, 'message': 'Please wait'}]), status=429, headers={'Retry-After': '600'})
    result = run_module(main, dict(args, rate_limit_retry_timeout=300))
    assert result.failed
    assert 'rate limited' in result['msg'] and '600' in result['msg'] and 'rate_limit_retry_timeout=300' in result['msg']
    assert no_sleep == []
    assert len(httpserver.log) == 1


def test_rate_limit_budget_zero_never_retries(httpserver, run_module, args, no_sleep):
    httpserver.expect_ordered_request(MAPPING, method='GET').respond_with_json(
        envelope(None, False), status=429, headers={'Retry-After': '1'})
    result = run_module(main, dict(args, rate_limit_retry_timeout=0))
    assert result.failed and 'rate limited' in result['msg']
    assert no_sleep == [] and len(httpserver.log) == 1


def test_rate_limit_budget_runs_out(httpserver, run_module, args, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(_transport.time, 'monotonic', lambda: clock[0])
    monkeypatch.setattr(_transport.time, 'sleep', lambda seconds: clock.__setitem__(0, clock[0] + seconds))
    httpserver.expect_request(MAPPING, method='GET').respond_with_json(envelope(None, False), status=429,
                                                                       headers={'Retry-After': '4'})
    result = run_module(main, dict(args, rate_limit_retry_timeout=10))
    assert result.failed
    assert 'asked to wait 4 s' in result['msg'] and 'rate_limit_retry_timeout=10' in result['msg']
    assert len(httpserver.log) == 3  # waited 4 s twice; a third wait would pass 10 s


@pytest.mark.parametrize('status', [500, 502, 503, 504])
def test_server_error_then_success_on_get(httpserver, run_module, args, status):
    expect(httpserver, 'GET', MAPPING, status, envelope(None, False, [{'code': 1000, 'message': 'busy'}]))
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    result = run_module(main, args)
    assert result['changed'] is False
    assert [entry[0] for entry in sent(httpserver)] == ['GET', 'GET']


def test_server_errors_give_up_after_three_retries(httpserver, run_module, args, no_sleep):
    for dummy in range(4):
        expect(httpserver, 'GET', MAPPING, 502, BAD_GATEWAY)
    result = run_module(main, args)
    assert result.failed
    assert 'HTTP 502' in result['msg'] and '<h1>502 Bad Gateway</h1>' in result['msg']
    assert len(httpserver.log) == 4
    assert no_sleep == pytest.approx([0.5, 1.0, 2.0], abs=0.3)  # backed off before each retry


def test_read_timeout_is_retried_then_fails(httpserver, run_module, args, no_sleep):
    def slow(request):  # pylint: disable=unused-argument
        threading.Event().wait(0.5)  # not time.sleep, which no_sleep replaces
        return Response(json.dumps(mapping(ORG)), status=200, content_type='application/json')

    httpserver.expect_request(MAPPING, method='GET').respond_with_handler(slow)
    result = run_module(main, dict(args, timeout=0.1))
    assert result.failed
    assert 'timed out' in result['msg'].lower() and 'GET' in result['msg']
    assert no_sleep == pytest.approx([0.5, 1.0, 2.0], abs=0.3)
    threading.Event().wait(0.6)  # the server logs a request once its slow answer is written
    assert len(httpserver.log) == 4


def test_connection_refused(run_module, args, no_sleep):
    args['api_base_url'] = 'http://127.0.0.1:9/client/v4'
    result = run_module(main, args)
    out = result.out
    assert result.failed
    assert 'refused' in result['msg'].lower() or 'connect' in result['msg'].lower()
    assert 'Traceback' not in out and TOKEN not in out


def test_path_segment_is_percent_encoded(httpserver, run_module, args):
    httpserver.expect_request(re.compile('.*')).respond_with_json(mapping(ORG))
    result = run_module(main, dict(args, account_id='a/b?c#d e'))
    assert not result.failed
    assert len(httpserver.log) == 1
    assert httpserver.log[0][0].environ['RAW_URI'] == '/client/v4/accounts/a%2Fb%3Fc%23d%20e/dlp/email/account_mapping'


def test_netrc_never_replaces_the_credentials(httpserver, run_module, args, monkeypatch, tmp_path):
    netrc = tmp_path / '.netrc'
    netrc.write_text('machine 127.0.0.1 login someone password netrc-password\n')
    netrc.chmod(0o600)
    monkeypatch.setenv('NETRC', str(netrc))
    monkeypatch.setenv('HOME', str(tmp_path))
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    run_module(main, args)
    assert httpserver.log[0][0].headers['Authorization'] == 'Bearer ' + TOKEN


def test_validate_certs_false_warns(httpserver, run_module, args):
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    result = run_module(main, dict(args, validate_certs=False))
    assert any('validate_certs' in w for w in result.warnings)


# --- secrets ------------------------------------------------------------------------


def test_secrets_never_in_output(httpserver, run_module, args, monkeypatch):
    """The token and key, given as options or from the environment, are masked even when the API echoes them."""
    echo = envelope(None, False, [{'code': 10000, 'message': 'Authentication error for %s and %s' % (TOKEN, KEY)}])
    expect(httpserver, 'GET', MAPPING, 403, echo)
    result = run_module(main, dict(args, _ansible_diff=True))
    out = result.out
    assert result.failed and TOKEN not in out

    httpserver.clear()
    expect(httpserver, 'GET', MAPPING, 403, echo)
    monkeypatch.setenv('CLOUDFLARE_EMAIL', 'admin@example.com')
    monkeypatch.setenv('CLOUDFLARE_API_KEY', KEY)
    del args['api_token']
    result = run_module(main, args)
    out = result.out
    assert result.failed and KEY not in out


def test_every_result_says_how_long_it_waited_for_the_rate_limit(httpserver, run_module, args, no_sleep):
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    result = run_module(main, args)
    assert result['rate_limit_waited'] == 0.0 and 'rate_limit_waits' not in result
    limited = httpserver.expect_ordered_request(MAPPING, method='GET')
    limited.respond_with_json(envelope(None, False), status=429, headers={'Retry-After': '3'})
    expect(httpserver, 'GET', MAPPING, 200, mapping(ORG))
    result = run_module(main, dict(args, _ansible_verbosity=3))
    assert result['rate_limit_waited'] == pytest.approx(3, abs=0.3)
    assert [wait['reason'] for wait in result['rate_limit_waits']] == ['429']


def test_a_failure_says_how_long_it_waited_too(httpserver, run_module, args, no_sleep):
    expect(httpserver, 'GET', MAPPING, 403, envelope(None, False, [{'code': 10000, 'message': 'no'}]))
    result = run_module(main, dict(args, rate_limit_budget=1, _ansible_verbosity=3))
    assert result.failed and result['rate_limit_waited'] == 0.0 and result['rate_limit_waits'] == []
