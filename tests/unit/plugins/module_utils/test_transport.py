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
    assert no_sleep == [0.5]


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
    assert len(httpserver.log) == 2 and no_sleep == [0.5]


def test_a_client_error_is_never_retried(httpserver, connection, no_sleep):
    expect(httpserver, 'PUT', RULES, 400, envelope(None, False, [{'code': 1002, 'message': 'Invalid'}]))
    with pytest.raises(_transport.APIError) as error:
        connection.send('PUT', PATH, {})
    assert error.value.details['maybe_applied'] is False
    assert len(httpserver.log) == 1 and no_sleep == []


def test_rate_limits_and_server_errors_in_one_call(httpserver, connection, no_sleep):
    limited = httpserver.expect_ordered_request(RULES, method='GET')
    limited.respond_with_json(envelope(None, False), status=429, headers={'Retry-After': '3'})
    expect(httpserver, 'GET', RULES, 503, BUSY)
    expect(httpserver, 'GET', RULES, 200, envelope([]))
    assert connection.send('GET', PATH) == []
    assert len(httpserver.log) == 3 and no_sleep == [3.0, 0.5]


@pytest.mark.parametrize('status', [401, 403])
def test_the_transport_gives_no_permission_hint(httpserver, connection, status):
    expect(httpserver, 'GET', RULES, status, envelope(None, False, [{'code': 10000, 'message': 'Authentication error'}]))
    with pytest.raises(_transport.APIError) as error:
        connection.send('GET', PATH)
    assert error.value.msg.endswith('[10000] Authentication error. Check the credentials')
