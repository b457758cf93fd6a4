# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The unit tests' side of the HTTP exchange: Cloudflare's answers scripted call by call on pytest-httpserver,
and the requests the server received."""

from __future__ import annotations

import copy

ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353'
TOKEN = 'unit-test-api-token-7f3a9c0e5b1d4e2f8a6c'
KEY = 'unit-test-global-key-c2e8f1a4b7d0e3f6a9b2'
ACCOUNT_PATH = '/client/v4/accounts/%s' % ACCOUNT
MAPPING = ACCOUNT_PATH + '/dlp/email/account_mapping'
RULES = ACCOUNT_PATH + '/dlp/email/rules'
PROFILES = ACCOUNT_PATH + '/dlp/profiles'
BAD_GATEWAY = '<html><body><h1>502 Bad Gateway</h1></body></html>'
RULE_BODY_KEYS = ('name', 'description', 'enabled', 'conditions', 'action')


def envelope(result, success=True, errors=None):
    """An answer in Cloudflare's envelope."""
    return {'success': success, 'errors': errors or [], 'messages': [], 'result': result}


def expect(httpserver, method, path, status, body, json=None, headers=None, query=None):
    """The next request must be ``method path`` (with the JSON body ``json`` and the query ``query``, a dict, when
    given); answer it with ``status`` and ``body`` (JSON, or HTML when it is a string)."""
    matching = dict({} if json is None else {'json': json}, **({} if query is None else {'query_string': query}))
    handler = httpserver.expect_ordered_request(path, method=method, **matching)
    if isinstance(body, str):
        handler.respond_with_data(body, status=status, content_type='text/html', headers=headers)
    else:
        handler.respond_with_json(body, status=status, headers=headers)


def sent(httpserver):
    """(method, path, JSON body) of every request the server received, in order."""
    return [(entry[0].method, entry[0].path, entry[0].get_json(silent=True)) for entry in httpserver.log]


def connection(httpserver, **options):
    """The connection options of a task against the scripted server."""
    return dict({'account_id': ACCOUNT, 'api_token': TOKEN, 'api_base_url': httpserver.url_for('/client/v4')}, **options)


def rule_path(rule_id):
    return RULES + '/' + rule_id


def rule(rule_id, name, priority, conditions, **changes):
    """A rule as the API returns it."""
    value = {'rule_id': rule_id, 'name': name, 'description': None, 'enabled': True, 'priority': priority,
             'conditions': copy.deepcopy(conditions), 'action': {'action': 'Block', 'message': None},
             'created_at': '2025-01-01T12:00:00Z', 'updated_at': '2025-01-01T12:00:00Z'}
    value.update(changes)
    return value


def body_of(value):
    """The POST/PUT body that carries a rule's content."""
    return {key: value[key] for key in RULE_BODY_KEYS if key in value}


def profile(profile_id, name, kind='predefined'):
    """A DLP profile as the API lists it (the fields the modules read, and a few more)."""
    return {'id': profile_id, 'name': name, 'type': kind, 'allowed_match_count': 0, 'entries': []}


CARDS_PROFILE = profile('56a8c060-01bb-4f89-ba1e-3ad42770a342', 'Credit Card Numbers')
FINANCE_PROFILE = profile('3e9d1c52-8b1f-4c6e-9a0d-7f2b5e4c1a93', 'Financial Information')
EMPLOYEE_PROFILE = profile('6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a', 'Employee IDs', 'custom')
TWIN_PROFILE = profile('1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', 'Employee IDs', 'integration')
ACCOUNT_PROFILES = [CARDS_PROFILE, FINANCE_PROFILE, EMPLOYEE_PROFILE]
CUSTOM_PROFILES = PROFILES + '/custom'
ENTRIES = ACCOUNT_PATH + '/dlp/entries'
VALIDATE = ACCOUNT_PATH + '/dlp/patterns/validate'


def custom_profile_path(profile_id):
    return CUSTOM_PROFILES + '/' + profile_id


def predefined_profile_path(profile_id):
    return PROFILES + '/predefined/' + profile_id


def regex_entry(entry_id, name, regex, **changes):
    """A custom (regex) entry as the API returns it."""
    value = {'id': entry_id, 'name': name, 'type': 'custom', 'enabled': True, 'pattern': {'regex': regex},
             'description': None, 'created_at': '2025-01-01T12:00:00Z', 'updated_at': '2025-01-01T12:00:00Z'}
    value.update(changes)
    return value


def custom_profile(profile_id, name, entries=(), **changes):
    """A custom DLP profile as the API returns it, with the default settings."""
    value = {'id': profile_id, 'name': name, 'type': 'custom', 'description': None, 'allowed_match_count': 0,
             'confidence_threshold': 'low', 'ocr_enabled': False, 'ai_context_enabled': False,
             'entries': copy.deepcopy(list(entries)), 'shared_entries': [],
             'created_at': '2025-01-01T12:00:00Z', 'updated_at': '2025-01-01T12:00:00Z'}
    value.update(changes)
    return value


def predefined_profile(profile_id, name, entries, **changes):
    """A predefined DLP profile as GET /dlp/profiles/predefined/{id} returns it: ``entries`` is [(id, name, enabled)]."""
    value = {'id': profile_id, 'name': name, 'type': 'predefined', 'allowed_match_count': 0, 'confidence_threshold': 'low',
             'ocr_enabled': False, 'ai_context_enabled': False, 'open_access': False,
             'entries': [{'id': entry_id, 'name': entry_name, 'type': 'predefined', 'enabled': enabled, 'profile_id': profile_id,
                          'confidence': {'ai_context_available': False, 'available': True}}
                         for entry_id, entry_name, enabled in entries]}
    value.update(changes)
    return value
