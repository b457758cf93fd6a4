# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The transport's own retry loop against a real local HTTP server: every attempt is a request the server sees, and
a call that may not be resent (a creating POST) is sent once."""

from __future__ import annotations

import json
import threading

import pytest
from werkzeug import Response

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _transport
from ansible_collections.zerotrust.cloudflare.tests.unit.plugins.scripted_api import (
    BAD_GATEWAY, RULES, TOKEN, envelope, expect, sent)

BUSY = envelope(None, False, [{'code': 10001, 'message': 'Service Unavailable'}])
PATH = RULES[len('/client/v4'):]


@pytest.fixture
def connection(httpserver):
    options = dict(api_token=TOKEN, api_email=None, api_key=None, api_base_url=httpserver.url_for('/client/v4'),
                   validate_certs=True, ca_path=None, timeout=0.2, rate_limit_retry_timeout=300)
    return _transport.Connection(options, warn=pytest.fail)


def slow(request):  # pylint: disable=unused-argument
    threading.Event().wait(0.5)  # not time.sleep, which no_sleep replaces
    return Response(json.dumps(envelope([])), status=200, content_type='application/json')


def test_the_adapter_retries_nothing_itself(connection):
    for adapter in connection.session.adapters.values():
        assert adapter.max_retries.total == 0


@pytest.mark.parametrize('status', [500, 502, 503, 504])
def test_a_retried_call_is_sent_again_after_a_server_error(httpserver, connection, no_sleep, status):
    expect(httpserver, 'POST', RULES, status, BUSY)
    expect(httpserver, 'POST', RULES, 200, envelope({'ok': True}))
    assert connection.send('POST', PATH, {'a': 1}) == {'ok': True}
    assert sent(httpserver) == [('POST', RULES, {'a': 1})] * 2
    assert no_sleep == pytest.approx([0.5], abs=0.3)


def test_a_call_that_may_not_be_resent_is_sent_once_after_a_server_error(httpserver, connection, no_sleep):
    expect(httpserver, 'POST', RULES, 502, BAD_GATEWAY)
    with pytest.raises(_transport.APIError) as error:
        connection.send('POST', PATH, {'a': 1}, retry=False)
    assert error.value.details['maybe_applied'] is True and error.value.details['status'] == 502
    assert len(httpserver.log) == 1 and no_sleep == []


def test_a_call_that_may_not_be_resent_is_sent_once_after_a_timeout(httpserver, connection, no_sleep):
    httpserver.expect_request(RULES, method='POST').respond_with_handler(slow)
    with pytest.raises(_transport.APIError) as error:
        connection.send('POST', PATH, {'a': 1}, retry=False)
    assert error.value.details['maybe_applied'] is True and 'timed out' in error.value.msg.lower()
    threading.Event().wait(0.6)  # the server logs a request once its slow answer is written
    assert len(httpserver.log) == 1 and no_sleep == []


def test_a_timeout_then_an_answer(httpserver, connection, no_sleep):
    httpserver.expect_ordered_request(RULES, method='GET').respond_with_handler(slow)
    expect(httpserver, 'GET', RULES, 200, envelope(['rule']))
    assert connection.send('GET', PATH) == ['rule']
    threading.Event().wait(0.6)
    assert len(httpserver.log) == 2 and no_sleep == pytest.approx([0.5], abs=0.3)


def test_a_client_error_is_never_retried(httpserver, connection, no_sleep):
    expect(httpserver, 'PUT', RULES, 400, envelope(None, False, [{'code': 1002, 'message': 'Invalid'}]))
    with pytest.raises(_transport.APIError) as error:
        connection.send('PUT', PATH, {})
    assert error.value.details['maybe_applied'] is False
    assert len(httpserver.log) == 1 and no_sleep == []


def test_rate_limits_and_server_errors_in_one_call(httpserver, no_sleep):
    # Without the budget: a fake sleep does not move its clock, so after the 429 it would wait once more.
    connection = _transport.Connection(options(httpserver, rate_limit_budget=0), warn=pytest.fail)
    limited = httpserver.expect_ordered_request(RULES, method='GET')
    limited.respond_with_json(envelope(None, False), status=429, headers={'Retry-After': '3'})
    expect(httpserver, 'GET', RULES, 503, BUSY)
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    assert connection.send('GET', PATH) == []
    assert len(httpserver.log) == 3 and no_sleep == pytest.approx([3.0, 0.5], abs=0.3)


@pytest.mark.parametrize('status', [401, 403])
def test_the_transport_gives_no_permission_hint(httpserver, connection, status):
    expect(httpserver, 'GET', RULES, status, envelope(None, False, [{'code': 10000, 'message': 'Authentication error'}]))
    with pytest.raises(_transport.APIError) as error:
        connection.send('GET', PATH)
    assert error.value.msg.endswith('[10000] Authentication error. Check the credentials')


# --- a hostile network or server (DESIGN) -----------------------------------------------------------------------------

ACCOUNTS = '/client/v4/accounts'


def options(httpserver, **changes):
    return dict(dict(api_token=TOKEN, api_email=None, api_key=None, api_base_url=httpserver.url_for('/client/v4'),
                     validate_certs=True, ca_path=None, timeout=5, rate_limit_retry_timeout=300), **changes)


@pytest.mark.parametrize('status', [301, 302, 303, 307, 308])
def test_a_redirect_is_never_followed(httpserver, connection, status):
    elsewhere = httpserver.url_for('/elsewhere')
    expect(httpserver, 'GET', RULES, status, envelope([]), headers={'Location': elsewhere})
    with pytest.raises(_transport.APIError) as error:
        connection.send('GET', PATH)
    assert error.value.msg == ('Cloudflare API call GET %s answered HTTP %d, a redirect to %r, which is never followed:'
                               ' check api_base_url' % (PATH, status, elsewhere))
    assert error.value.details['maybe_applied'] is False
    assert len(httpserver.log) == 1


def test_plain_http_to_loopback_never_goes_through_a_proxy(httpserver, connection, monkeypatch):
    proxy = 'http://127.0.0.1:9'  # the discard port: nothing listens there
    for name in ('HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'):
        monkeypatch.setenv(name, proxy)
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    assert connection.send('GET', PATH) == []
    assert len(httpserver.log) == 1


def test_https_keeps_the_proxy_settings_of_the_environment():
    options = dict(api_token=TOKEN, api_email=None, api_key=None, api_base_url='https://api.example.com/client/v4',
                   validate_certs=True, ca_path=None, timeout=1, rate_limit_retry_timeout=0)
    assert _transport.Connection(options, warn=pytest.fail).session.trust_env is True


@pytest.mark.parametrize('body', ['<html>applied</html>', envelope(None, False)], ids=['html', 'success-false'])
def test_a_2xx_that_is_no_successful_envelope_may_have_been_applied(httpserver, connection, body):
    expect(httpserver, 'POST', RULES, 200, body)
    with pytest.raises(_transport.APIError) as error:
        connection.send('POST', PATH, {'a': 1}, retry=False)
    assert error.value.details['maybe_applied'] is True and 'HTTP 200' in error.value.msg


@pytest.mark.parametrize('value, waited', [
    ('3', 3.0), ('2.5', 2.5), ('0', 1.0), ('-4', 1.0), (None, 1.0), ('inf', 1.0), ('-inf', 1.0), ('nan', 1.0),
    ('Wed, 21 Oct 2099 07:28:00 GMT', 1.0), ('soon', 1.0),
], ids=['3', '2.5', '0', 'negative', 'absent', 'inf', '-inf', 'nan', 'http-date', 'text'])
def test_retry_after_is_used_only_when_a_finite_number_and_at_least_1_s(httpserver, connection, no_sleep, value, waited):
    headers = {} if value is None else {'Retry-After': value}
    expect(httpserver, 'GET', RULES, 429, envelope(None, False), headers=headers)
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    assert connection.send('GET', PATH) == []
    assert no_sleep == pytest.approx([waited], abs=0.3)


def test_without_a_usable_retry_after_the_wait_doubles(httpserver, connection, no_sleep):
    for value in ('inf', 'nan', 'inf'):
        expect(httpserver, 'GET', RULES, 429, envelope(None, False), headers={'Retry-After': value})
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    assert connection.send('GET', PATH) == []
    assert no_sleep == pytest.approx([1.0, 2.0, 4.0], abs=0.3)


def test_retry_after_inf_without_a_limit_waits_and_does_not_crash(httpserver, no_sleep):
    connection = _transport.Connection(options(httpserver, rate_limit_retry_timeout=-1), warn=pytest.fail)
    expect(httpserver, 'GET', RULES, 429, envelope(None, False), headers={'Retry-After': 'inf'})
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    assert connection.send('GET', PATH) == []
    assert no_sleep == pytest.approx([1.0], abs=0.3)


def test_a_wait_past_the_remaining_budget_fails_at_once(httpserver, no_sleep):
    connection = _transport.Connection(options(httpserver, rate_limit_retry_timeout=2), warn=pytest.fail)
    expect(httpserver, 'GET', RULES, 429, envelope(None, False), headers={'Retry-After': '3'})
    with pytest.raises(_transport.APIError) as error:
        connection.send('GET', PATH)
    assert 'asked to wait 3 s' in error.value.msg and 'rate_limit_retry_timeout=2' in error.value.msg
    assert no_sleep == [] and len(httpserver.log) == 1


def accounts_page(ids, total_pages):
    return dict(envelope([{'id': item, 'name': item} for item in ids]), result_info={'total_pages': total_pages})


def paged(number):
    return {'page': str(number), 'per_page': '50'}


def test_pagination_stops_at_the_first_empty_page_whatever_total_pages_says(httpserver, connection):
    expect(httpserver, 'GET', ACCOUNTS, 200, accounts_page(['a', 'b'], 100000), query=paged(1))
    expect(httpserver, 'GET', ACCOUNTS, 200, accounts_page([], 100000), query=paged(2))
    assert [item['id'] for item in connection.get_all('/accounts')] == ['a', 'b']
    assert len(httpserver.log) == 2


def test_pagination_fails_when_a_page_holds_only_items_seen_before(httpserver, connection):
    full = ['%02d' % number for number in range(50)]
    for number in (1, 2):
        expect(httpserver, 'GET', ACCOUNTS, 200, accounts_page(full, 5), query=paged(number))
    with pytest.raises(_transport.APIError) as error:
        connection.get_all('/accounts')
    assert error.value.msg == ('Cloudflare answered GET /accounts?page=2&per_page=50 with only items of earlier pages: the'
                               ' server ignores the page asked for, so the list cannot be read')
    assert len(httpserver.log) == 2


def test_pagination_drops_a_single_repeated_item(httpserver, connection):
    first = ['%02d' % number for number in range(50)]
    expect(httpserver, 'GET', ACCOUNTS, 200, accounts_page(first, 2), query=paged(1))
    expect(httpserver, 'GET', ACCOUNTS, 200, accounts_page(['49', 'new'], 2), query=paged(2))
    assert [item['id'] for item in connection.get_all('/accounts')] == first + ['new']


def test_pagination_reads_at_most_1000_pages(httpserver):
    connection = _transport.Connection(options(httpserver, rate_limit_budget=0), warn=pytest.fail)  # 1000 requests

    def page_of_its_own(request):
        number = request.args['page']
        return Response(json.dumps(accounts_page(['p%s-%d' % (number, item) for item in range(50)], 5000)), status=200,
                        content_type='application/json')

    httpserver.expect_request(ACCOUNTS, method='GET').respond_with_handler(page_of_its_own)
    with pytest.raises(_transport.APIError) as error:
        connection.get_all('/accounts')
    assert error.value.msg == 'Cloudflare answered GET /accounts with more than 1000 pages: stopped there'
    assert len(httpserver.log) == 1000


@pytest.mark.parametrize('answer', [[{'name': 'no id'}], ['text'], {'id': 'x'}, None], ids=['no-id', 'text', 'object', 'null'])
def test_a_page_of_the_wrong_shape_is_a_clear_error(httpserver, connection, answer):
    expect(httpserver, 'GET', ACCOUNTS, 200, envelope(answer), query=paged(1))
    with pytest.raises(_transport.APIError) as error:
        connection.get_all('/accounts')
    assert error.value.msg.startswith('Cloudflare answered GET /accounts?page=1&per_page=50 with a result that is not a list'
                                      ' of items with an id')


@pytest.mark.parametrize('changes, message', [
    ({'api_base_url': 'https://[::1'}, "api_base_url must be an http:// or https:// URL such as %s, got 'https://[::1'"
     % _transport.DEFAULT_BASE_URL),
    ({'ca_path': '/nonexistent/ca.pem'}, "ca_path must be a readable CA bundle file or a directory of certificates, got"
     " '/nonexistent/ca.pem'"),
    ({'api_token': TOKEN + '\u00e9'}, 'api_token contains a character other than printable ASCII'),
    ({'api_token': TOKEN + '\u20ac'}, 'api_token contains a character other than printable ASCII'),
    ({'api_token': None, 'api_email': 'me@example.com', 'api_key': TOKEN + '\u00ff'}, 'api_key contains a character other'),
    ({'api_token': None, 'api_email': 'm\u0113@example.com', 'api_key': TOKEN}, 'api_email contains white space at an end, a'
     ' control character or a character outside latin-1, which cannot be sent in an HTTP header'),
    ({'api_token': None, 'api_email': 'me@example.com\n', 'api_key': TOKEN}, 'api_email contains white space at an end'),
], ids=['unclosed-ipv6', 'missing-ca-path', 'latin-1-token', 'euro-token', 'key', 'email-outside-latin-1', 'email-newline'])
def test_options_that_only_parse_when_used_fail_before_any_request(httpserver, changes, message):
    with pytest.raises(_transport.CloudflareError) as error:
        _transport.Connection(options(httpserver, **changes), warn=pytest.fail)
    assert error.value.msg.startswith(message)
    assert TOKEN not in error.value.msg
    assert len(httpserver.log) == 0


def test_a_ca_path_may_be_a_directory(httpserver, tmp_path):
    connection = _transport.Connection(options(httpserver, ca_path=str(tmp_path)), warn=pytest.fail)
    assert connection.verify == str(tmp_path)


# --- the request budget (its own file, under the test's XDG_RUNTIME_DIR) ---------------------------------------------


def test_every_attempt_takes_a_slot_of_the_budget(httpserver, no_sleep):
    connection = _transport.Connection(options(httpserver, rate_limit_budget=2, rate_limit_window=60), warn=pytest.fail)
    expect(httpserver, 'GET', RULES, 502, BAD_GATEWAY)
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    connection.send('GET', PATH)  # a retry: two slots
    assert connection.waits == []
    connection.send('GET', PATH)
    assert [reason for reason, dummy in connection.waits] == ['budget']
    assert connection.waited == pytest.approx(60, abs=1)


@pytest.mark.parametrize('headers', [
    {'Ratelimit': '"default";r=1;t=30', 'Ratelimit-Policy': '"burst";q=100;w=60'},
    {'X-RateLimit-Remaining': '1', 'X-RateLimit-Limit': '100', 'X-RateLimit-Reset': '30'},
    # Several policies: the one with the fewest requests left counts.
    {'Ratelimit': '"burst";r=500;t=30, "daily";r=1;t=30', 'Ratelimit-Policy': '"burst";q=600;w=60, "daily";q=100;w=86400'},
], ids=['ietf', 'x-ratelimit', 'several-policies'])
def test_the_remaining_count_lowers_the_budget(httpserver, no_sleep, headers):
    connection = _transport.Connection(options(httpserver, rate_limit_window=60), warn=pytest.fail)
    expect(httpserver, 'GET', RULES, 200, envelope([]), headers=headers)
    for dummy in range(2):
        expect(httpserver, 'GET', RULES, 200, envelope([]))
    for dummy in range(3):
        connection.send('GET', PATH)
    assert [reason for reason, dummy in connection.waits] == ['remaining count']


@pytest.mark.parametrize('headers', [
    {'Ratelimit': '"default";r=' + '9' * 5000, 'Ratelimit-Policy': '"burst";q=100'},
    {'Ratelimit': '"default";r=1;t=30', 'Ratelimit-Policy': '"burst";q=1' + '0' * 400},
    {'Ratelimit': '"default";r=0;t=1' + '0' * 400, 'Ratelimit-Policy': '"burst";q=100'},
    {'X-RateLimit-Remaining': '0', 'X-RateLimit-Limit': '100', 'X-RateLimit-Reset': '1' + '0' * 400},
    {'Ratelimit': '"default";r=-1;r=;;=3,,', 'Ratelimit-Policy': 'q=q;w'},
], ids=['remaining-of-5000-digits', 'quota-of-401-digits', 'reset-of-401-digits', 'x-reset-of-401-digits', 'garbage'])
def test_hostile_rate_limit_headers_neither_crash_nor_hold_the_budget_past_one_window(httpserver, no_sleep, headers):
    # Python's int() refuses more than 4300 digits and float() overflows past 1e308: each crashed the task.
    connection = _transport.Connection(options(httpserver, rate_limit_window=60), warn=pytest.fail)
    expect(httpserver, 'GET', RULES, 200, envelope([]), headers=headers)
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    assert connection.send('GET', PATH) == [] and connection.send('GET', PATH) == []
    assert connection.waited <= 60 + 1


def test_a_remaining_count_above_the_low_water_mark_changes_nothing(httpserver, no_sleep):
    connection = _transport.Connection(options(httpserver, rate_limit_budget=3), warn=pytest.fail)
    for dummy in range(3):
        headers = {'Ratelimit': '"default";r=10;t=30', 'Ratelimit-Policy': '"burst";q=100;w=60'}
        expect(httpserver, 'GET', RULES, 200, envelope([]), headers=headers)
        connection.send('GET', PATH)
    assert connection.waits == []


def test_a_429_closes_the_budget_for_every_process_even_when_it_fails_at_once(httpserver, no_sleep):
    failing = _transport.Connection(options(httpserver, rate_limit_retry_timeout=0), warn=pytest.fail)
    other = _transport.Connection(options(httpserver), warn=pytest.fail)
    expect(httpserver, 'GET', RULES, 429, envelope(None, False), headers={'Retry-After': '20'})
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    with pytest.raises(_transport.APIError):
        failing.send('GET', PATH)
    other.send('GET', PATH)
    assert [reason for reason, dummy in other.waits] == ['429']
    assert other.waited == pytest.approx(20, abs=1)


@pytest.mark.parametrize('budget', [1000, 0])
def test_a_retry_after_past_the_window_is_waited_for_one_window(httpserver, no_sleep, budget):
    # 1e10 s is more than time.sleep takes: waited in full, it would crash the task and, with the budget, keep every
    # later run on this controller waiting.
    failing = _transport.Connection(options(httpserver, rate_limit_retry_timeout=0, rate_limit_budget=budget,
                                            rate_limit_window=30), warn=pytest.fail)
    waiting = _transport.Connection(options(httpserver, rate_limit_retry_timeout=-1, rate_limit_budget=budget,
                                            rate_limit_window=30), warn=pytest.fail)
    for dummy in range(2):
        expect(httpserver, 'GET', RULES, 429, envelope(None, False), headers={'Retry-After': '1e10'})
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    with pytest.raises(_transport.APIError, match='asked to wait 1e[+]10 s'):
        failing.send('GET', PATH)
    assert waiting.send('GET', PATH) == []
    assert len(httpserver.log) == 3
    assert [reason for reason, dummy in waiting.waits] == ['429'] * (2 if budget else 1)
    assert waiting.waited == pytest.approx(30 * len(waiting.waits), abs=1)


def test_budget_0_is_off(httpserver, no_sleep, tmp_path):
    connection = _transport.Connection(options(httpserver, rate_limit_budget=0), warn=pytest.fail)
    for dummy in range(3):
        expect(httpserver, 'GET', RULES, 200, envelope([]))
        connection.send('GET', PATH)
    assert connection.waits == [] and connection.budget is None
    assert not (tmp_path / 'zerotrust.cloudflare').exists()


@pytest.mark.parametrize('name, value', [('rate_limit_budget', -1), ('rate_limit_window', 0), ('rate_limit_budget', 'x')])
def test_bad_budget_options_fail_before_any_request(httpserver, name, value):
    with pytest.raises(_transport.CloudflareError, match=name):
        _transport.Connection(options(httpserver, **{name: value}), warn=pytest.fail)
    assert not httpserver.log


def test_the_budget_options_come_from_the_environment_and_empty_is_unset(httpserver, monkeypatch):
    monkeypatch.setenv('CLOUDFLARE_RATE_LIMIT_BUDGET', '0')
    assert _transport.Connection(options(httpserver, rate_limit_budget=''), warn=pytest.fail).budget is None
    monkeypatch.setenv('CLOUDFLARE_RATE_LIMIT_BUDGET', '')
    monkeypatch.setenv('CLOUDFLARE_RATE_LIMIT_WINDOW', '60')
    budget = _transport.Connection(options(httpserver), warn=pytest.fail).budget
    assert (budget.budget, budget.window) == (1000, 60)
