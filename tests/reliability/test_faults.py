# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault matrix: what the API (or the network) does wrong, what the task reports, and what the account holds afterwards.

Every case runs on its own account with faults aimed at that account's exact
path, all cases in one ansible-playbook run. Each asserts the outcome, the
message, `changed`, the requests the emulator saw, and its state afterwards
(nothing lost, nothing duplicated).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from playbook_runs import (ADDIN_TOKEN, NOAUTH, ORG, Case, account, available, case_of, closed_port, connection, mapping_path,
                           needs, rules_path, run_batch)

HTML = '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>'
TWO_ERRORS = {'success': False, 'errors': [{'code': 1001, 'message': 'first problem'}, {'code': 1002, 'message': 'second problem'}],
              'messages': [], 'result': None}
RULE_NAME = 'Block leaks'
CONDITIONS = [{'selector': 'Recipients', 'operator': 'InList', 'value': ['leaks@example.com']}]
ABSENT = 'absent'  # the account has no mapping


@dataclasses.dataclass
class FaultCase(Case):
    """A case with its faults, the account's state before, and what must come out."""

    faults: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    before: Any = None          # the mapping before (a dict of auth_requirements, or ABSENT); rules start empty
    failed: bool = False
    changed: bool | None = False
    msg: tuple[str, ...] = ()   # regular expressions the message must match (searched, case-insensitive)
    calls: list[tuple[str, int]] | None = None  # the exact (method, status) sequence the emulator saw for this account
    after: Any = None           # the mapping after (auth_requirements or ABSENT); None: as before
    rules_after: int | None = None  # how many rules the account must hold afterwards
    posts: int | None = None    # how many POSTs the emulator saw


def mapping_case(number, name, faults=(), before=ABSENT, desired=None, **kwargs):
    """A mapping task on account `number`; faults are given as (method, fault) and aimed at its mapping path."""
    acc = account(number)
    desired = desired or ORG
    options = kwargs.pop('options', {})
    args = connection(acc, auth_type=desired['type'], **options)
    if desired['type'] == 'Org':
        args['allowed_microsoft_organizations'] = desired['allowed_microsoft_organizations']
    aimed = [dict(fault, method=method, path=mapping_path(acc)) for method, fault in faults]
    return FaultCase(id=name, module='mapping', args=args, faults=aimed, before=before, **kwargs)


def rule_case(number, name, kind, fault, **kwargs):
    """A rule-create task (module `kind`: rule or rules) on an account without rules; the fault is aimed at the rules POST."""
    acc = account(number)
    rule = {'name': RULE_NAME, 'conditions': CONDITIONS}
    options = kwargs.pop('options', {})
    args = connection(acc, **options)
    if kind == 'rule':
        args.update(rule)
    else:
        args['rules'] = [rule]
    return FaultCase(id=name, module=kind, args=args, faults=[dict(fault, method='POST', path=rules_path(acc))], before=ABSENT,
                     **kwargs)


RETRY_AFTER_1 = {'status': 429, 'headers': {'Retry-After': '1'}}
TIMEOUT_1 = {'timeout': 1}

CASES = [
    # --- 429 -----------------------------------------------------------------------------------------------------
    mapping_case(1, '429-get-retry-after-then-success', [('GET', RETRY_AFTER_1)], before=ORG,
                 calls=[('GET', 429), ('GET', 200)]),
    mapping_case(2, '429-post-retry-after-then-success', [('POST', RETRY_AFTER_1)], changed=True, after=ORG,
                 calls=[('GET', 404), ('POST', 429), ('POST', 200)]),
    mapping_case(3, '429-repeated-until-budget-runs-out', [('GET', dict(RETRY_AFTER_1, count=10))],
                 options={'rate_limit_retry_timeout': 2}, failed=True, calls=[('GET', 429)] * 3,
                 msg=(r'rate limited GET \S+ \(HTTP 429\)', r'asked to wait 1 s', r'rate_limit_retry_timeout=2 s')),
    mapping_case(4, '429-retry-after-longer-than-budget', [('GET', {'status': 429, 'headers': {'Retry-After': '30'}})],
                 options={'rate_limit_retry_timeout': 5}, failed=True, calls=[('GET', 429)],
                 msg=(r'rate limited GET \S+ \(HTTP 429\)', r'asked to wait 30 s', r'rate_limit_retry_timeout=5 s')),
    mapping_case(5, '429-with-retries-disabled', [('GET', RETRY_AFTER_1)], options={'rate_limit_retry_timeout': 0},
                 failed=True, calls=[('GET', 429)], msg=(r'rate limited', r'asked to wait 1 s', r'rate_limit_retry_timeout=0 s')),
]
for offset, status in enumerate((500, 502, 503, 504)):
    CASES += [
        mapping_case(10 + offset, '%d-on-get-then-success' % status, [('GET', {'status': status})], before=ORG,
                     calls=[('GET', status), ('GET', 200)]),
        mapping_case(20 + offset, '%d-on-mapping-post-then-success' % status, [('POST', {'status': status})], changed=True,
                     after=ORG, calls=[('GET', 404), ('POST', status), ('POST', 200)]),
    ]
CASES += [
    mapping_case(30, '502-after-mapping-post-applied-then-success', [('POST', {'status': 502, 'after': True})], before=NOAUTH,
                 changed=True, after=ORG, calls=[('GET', 200), ('POST', 502), ('POST', 200)]),
    mapping_case(31, '503-on-every-try', [('GET', {'status': 503, 'count': 4})], failed=True,
                 calls=[('GET', 503)] * 4, msg=(r'GET \S+ failed with HTTP 503', r'\[10001\]')),
    # --- timeouts and the network ------------------------------------------------------------------------------------
    mapping_case(32, 'read-timeout-on-get-then-success', [('GET', {'delay': 2.5})], options=TIMEOUT_1, before=ORG,
                 calls=[('GET', 200), ('GET', 200)]),
    mapping_case(33, 'read-timeout-on-every-try', [('GET', {'delay': 2, 'count': 4})], options=TIMEOUT_1, failed=True,
                 calls=[('GET', 404)] * 4, msg=(r'GET \S+ failed', r'read timed out')),
    mapping_case(34, 'read-timeout-after-mapping-post-applied', [('POST', {'delay': 2.5, 'after': True})], options=TIMEOUT_1,
                 changed=True, after=ORG, calls=[('GET', 404), ('POST', 200), ('POST', 200)]),
    mapping_case(35, 'connection-refused', options={'api_base_url': 'http://127.0.0.1:%d/client/v4' % closed_port()},
                 failed=True, calls=[], msg=(r'GET \S+ failed', r'connection refused|failed to establish a new connection')),
    # --- bodies that are not what they should be ------------------------------------------------------------------
    mapping_case(40, 'html-body-200', [('GET', {'status': 200, 'body': HTML})], failed=True, calls=[('GET', 200)],
                 msg=(r'answered HTTP 200 with a body that is not a Cloudflare API envelope', r'<html>')),
    mapping_case(41, 'html-body-502-on-every-try', [('GET', {'status': 502, 'body': HTML, 'count': 4})], failed=True,
                 calls=[('GET', 502)] * 4, msg=(r'answered HTTP 502 with a body that is not a Cloudflare API envelope', r'Bad Gateway')),
    mapping_case(42, 'success-false-with-several-errors-on-get', [('GET', {'status': 400, 'json': TWO_ERRORS})], failed=True,
                 calls=[('GET', 400)], msg=(r'failed with HTTP 400', r'\[1001\] first problem', r'\[1002\] second problem')),
    mapping_case(43, 'success-false-with-several-errors-on-post', [('POST', {'status': 400, 'json': TWO_ERRORS})], failed=True,
                 calls=[('GET', 404), ('POST', 400)], msg=(r'POST \S+ failed with HTTP 400', r'\[1001\] first problem', r'\[1002\] second problem')),
    mapping_case(44, '401-code-10000', [('GET', {'status': 401})], failed=True, calls=[('GET', 401)],
                 msg=(r'failed with HTTP 401', r'\[10000\]', r'Zero Trust')),
    mapping_case(45, '403-code-10000', [('GET', {'status': 403})], failed=True, calls=[('GET', 403)],
                 msg=(r'failed with HTTP 403', r'\[10000\]', r'Zero Trust')),
    mapping_case(46, 'unknown-token-403', options={'api_token': 'not-a-token-the-api-knows'}, failed=True, calls=[('GET', 403)],
                 msg=(r'failed with HTTP 403', r'\[10000\] Authentication error')),
    mapping_case(47, '200-body-not-the-envelope', [('GET', {'status': 200, 'json': {'result': {'auth_requirements': ORG}}})],
                 failed=True, calls=[('GET', 200)], msg=(r'answered HTTP 200 with a body that is not a Cloudflare API envelope',)),
    mapping_case(48, '200-body-a-json-list', [('GET', {'status': 200, 'json': [1, 2]})], failed=True, calls=[('GET', 200)],
                 msg=(r'not a Cloudflare API envelope',)),
    mapping_case(49, '200-envelope-with-unexpected-result', [('GET', {'status': 200, 'json': {
        'success': True, 'errors': [], 'messages': [], 'result': 'surprise'}})], failed=True, calls=[('GET', 200)],
        msg=(r'unexpected result',)),
    # --- a rule-create POST is never resent blindly ------------------------------------------------------------------
    pytest.param(rule_case(60, 'rule-create-502-after-applied', 'rule', {'status': 502, 'after': True}, changed=True,
                           rules_after=1, posts=1), marks=needs('rule')),
    pytest.param(rule_case(61, 'rule-create-502-not-applied', 'rule', {'status': 502}, failed=True, changed=True,
                           rules_after=0, posts=1, msg=(r'POST \S+ failed with HTTP 502',)), marks=needs('rule')),
    pytest.param(rule_case(62, 'rule-create-timeout-after-applied', 'rule', {'delay': 2.5, 'after': True}, options=TIMEOUT_1,
                           changed=True, rules_after=1, posts=1), marks=needs('rule')),
    pytest.param(rule_case(63, 'rules-create-502-after-applied', 'rules', {'status': 502, 'after': True}, changed=True,
                           rules_after=1, posts=1), marks=needs('rules')),
    pytest.param(rule_case(64, 'rules-create-502-not-applied', 'rules', {'status': 502}, failed=True, changed=True,
                           rules_after=0, posts=1, msg=(r'POST \S+ failed with HTTP 502',)), marks=needs('rules')),
]


def initial_state(cases):
    state = {}
    for case in cases:
        acc = case.args.get('account_id')
        mapping = None if case.before in (None, ABSENT) else {'addin_identifier_token': ADDIN_TOKEN, 'auth_requirements': case.before}
        state[acc] = {'mapping': mapping, 'rules': []}
    return state


@pytest.fixture(scope='module')
def batch(ansible, emulator):
    cases = available(CASES)
    faults = [fault for case in cases for fault in case.faults]
    return run_batch(ansible, emulator, cases, state=initial_state(cases), faults=faults)


@pytest.mark.parametrize('case', CASES, ids=lambda entry: case_of(entry).id)
def test_fault(batch, case):  # pylint: disable=redefined-outer-name
    result = batch.run.result(case.id)
    outcome = result['result']
    acc = case.args['account_id']
    requests = batch.requests(acc)
    context = 'result %s\nrequests %s' % (outcome, [(entry['method'], entry['status']) for entry in requests])

    assert (result['status'] == 'failed') is case.failed, context
    if case.changed is not None:
        assert bool(outcome.get('changed')) is case.changed, context
    for pattern in case.msg:
        assert re.search(pattern, outcome.get('msg', ''), re.IGNORECASE), 'message does not match %r: %s' % (pattern, context)
    if not case.failed:
        assert 'msg' not in outcome or not outcome['msg'], context
    if case.calls is not None:
        assert [(entry['method'], entry['status']) for entry in requests] == case.calls, context
    if case.posts is not None:
        assert [entry['method'] for entry in requests].count('POST') == case.posts, context

    state = batch.state.get(acc, {'mapping': None, 'rules': []})
    expected_mapping = case.after if case.after is not None else case.before
    if expected_mapping == ABSENT:
        assert state['mapping'] is None, state
    else:
        assert state['mapping']['auth_requirements'] == expected_mapping, state
        if case.before != ABSENT:
            assert state['mapping']['addin_identifier_token'] == ADDIN_TOKEN, state
    if case.module == 'mapping' and not case.failed:
        assert outcome['auth_requirements'] == expected_mapping, context
        assert outcome['addin_identifier_token'] == state['mapping']['addin_identifier_token'], context
    if case.rules_after is not None:
        assert len(state['rules']) == case.rules_after, state
        assert all(rule['name'] == RULE_NAME for rule in state['rules']), state
    elif case.module == 'mapping':
        assert state['rules'] == [], state


def test_every_fault_was_used(batch):  # pylint: disable=redefined-outer-name
    """A fault still pending would mean its case never met it (the 429 budget case stops before using them all)."""
    pending = [fault for fault in batch.pending_faults if fault.get('status') != 429]
    assert batch.run.task_results, batch.run.stdout[-3000:]
    assert not pending, pending
