# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input: every case fails with a message naming the option, and the emulator sees no request at all."""

from __future__ import annotations

import dataclasses

import pytest

from playbook_runs import OMIT, Case, account, available, case_of, connection, needs, run_batch

ORGS = ('contoso.onmicrosoft.com',)
CONDITIONS = [{'selector': 'Recipients', 'operator': 'InList', 'value': ['leaks@example.com']}]


@dataclasses.dataclass
class BadCase(Case):
    """A case that must fail before any request, with a message that names `option`."""

    option: str = ''
    own_account: bool = True  # False when the account ID itself is the bad input


def mapping(number, name, option, auth_type='Org', organizations=ORGS, env=None, **options):
    """A mapping task on account `number`; options set to OMIT are left out."""
    acc = options.pop('account_id', account(100 + number))
    if isinstance(organizations, tuple):
        organizations = list(organizations)
    args = connection(acc, auth_type=auth_type, allowed_microsoft_organizations=organizations, **options)
    args = {key: value for key, value in args.items() if value is not OMIT}
    return BadCase(id=name, module='mapping', args=args, env=env or {}, option=option,
                   own_account=acc not in (None, OMIT) and len(str(acc)) == 32)


def rule(number, case_id, option, kind='rule', **options):
    """A rule task (module `kind`) on account `number`."""
    args = connection(account(100 + number))
    if kind == 'rule':
        args.update({'name': 'Block leaks', 'conditions': CONDITIONS})
        args.update(options)
    else:
        entry = {'name': 'Block leaks', 'conditions': CONDITIONS}
        entry.update(options)
        args['rules'] = [entry]
    args = {key: value for key, value in args.items() if value is not OMIT}
    return pytest.param(BadCase(id=case_id, module=kind, args=args, option=option), marks=needs(kind))


CASES = [
    mapping(1, 'account-id-missing', 'account_id', account_id=None),
    mapping(2, 'account-id-empty', 'account_id', account_id=''),
    mapping(3, 'account-id-dot', 'account_id', account_id='.'),
    mapping(4, 'account-id-dot-dot', 'account_id', account_id='..'),
    mapping(5, 'auth-type-wrong-case', 'auth_type', auth_type='org'),
    mapping(6, 'auth-type-unknown', 'auth_type', auth_type='Microsoft'),
    mapping(7, 'auth-type-missing', 'auth_type', auth_type=OMIT),
    mapping(8, 'org-without-organizations', 'allowed_microsoft_organizations', organizations=OMIT),
    mapping(9, 'org-with-null-organizations', 'allowed_microsoft_organizations', organizations=None),
    mapping(10, 'org-with-empty-list', 'allowed_microsoft_organizations', organizations=[]),
    mapping(11, 'org-with-a-blank-entry', 'allowed_microsoft_organizations', organizations=['contoso.onmicrosoft.com', '  ']),
    mapping(12, 'org-with-an-empty-entry', 'allowed_microsoft_organizations', organizations=['']),
    mapping(13, 'noauth-with-organizations', 'allowed_microsoft_organizations', auth_type='NoAuth'),
    mapping(14, 'token-with-email-and-key', 'api_token', api_email='admin@example.com', api_key='a-global-key'),
    mapping(15, 'token-with-key', 'api_token', api_key='a-global-key'),
    mapping(16, 'key-without-email', 'api_email', api_token=OMIT, api_key='a-global-key'),
    mapping(17, 'email-without-key', 'api_key', api_token=OMIT, api_email='admin@example.com'),
    mapping(18, 'no-credential', 'api_token', api_token=OMIT),
    mapping(19, 'env-email-without-env-key', 'CLOUDFLARE_API_KEY', api_token=OMIT, env={'CLOUDFLARE_EMAIL': 'admin@example.com'}),
    mapping(20, 'base-url-ftp', 'api_base_url', api_base_url='ftp://127.0.0.1/client/v4'),
    mapping(21, 'base-url-without-scheme', 'api_base_url', api_base_url='api.cloudflare.com/client/v4'),
    mapping(22, 'base-url-with-query', 'api_base_url', api_base_url='https://api.cloudflare.com/client/v4?debug=1'),
    mapping(23, 'base-url-with-fragment', 'api_base_url', api_base_url='https://api.cloudflare.com/client/v4#top'),
    mapping(24, 'base-url-bad-port', 'api_base_url', api_base_url='http://127.0.0.1:99999/client/v4'),
    mapping(25, 'base-url-empty', 'api_base_url', api_base_url=''),
    mapping(26, 'http-to-a-name', 'api_base_url', api_base_url='http://api.example.com/client/v4'),
    mapping(27, 'http-to-a-private-address', 'api_base_url', api_base_url='http://10.1.2.3:8080/client/v4'),
    mapping(28, 'http-to-a-localhost-lookalike', 'api_base_url', api_base_url='http://localhost.example.com/client/v4'),
    mapping(29, 'timeout-negative', 'timeout', timeout=-1),
    mapping(30, 'timeout-zero', 'timeout', timeout=0),
    mapping(31, 'timeout-not-a-number', 'timeout', timeout='soon'),
    mapping(32, 'rate-limit-retry-timeout-below-minus-one', 'rate_limit_retry_timeout', rate_limit_retry_timeout=-2),
    mapping(33, 'validate-certs-not-a-bool', 'validate_certs', validate_certs='maybe'),
    mapping(34, 'unknown-option', 'api_tokn', api_tokn='a-typo'),
    rule(50, 'rule-id-not-a-uuid', 'rule_id', rule_id='not-a-uuid'),
    rule(51, 'rule-id-path-like', 'rule_id', rule_id='../../account_mapping'),
    rule(52, 'rule-selector-unknown', 'selector', conditions=[dict(CONDITIONS[0], selector='Subject')]),
    rule(53, 'rule-operator-unknown', 'operator', conditions=[dict(CONDITIONS[0], operator='Contains')]),
    rule(54, 'rule-action-unknown', 'action', action='Allow'),
    rule(55, 'rule-priority-negative', 'priority', priority=-1),
    rule(56, 'rule-name-blank', 'name', name='  '),
    rule(57, 'rule-value-a-number', 'value', conditions=[dict(CONDITIONS[0], value=5)]),
    rule(58, 'rule-without-name-or-id', 'name', name=OMIT),
    rule(59, 'rule-state-unknown', 'state', state='gone'),
    rule(60, 'rules-rule-id-not-a-uuid', 'rule_id', kind='rules', rule_id='1234'),
    rule(61, 'rules-selector-unknown', 'selector', kind='rules', conditions=[dict(CONDITIONS[0], selector='Subject')]),
    rule(62, 'rules-operator-unknown', 'operator', kind='rules', conditions=[dict(CONDITIONS[0], operator='Contains')]),
    rule(63, 'rules-priority-negative', 'priority', kind='rules', priority=-5),
]


@pytest.fixture(scope='module')
def batch(ansible, emulator):
    cases = available(CASES)
    return run_batch(ansible, emulator, cases)


def test_enough_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize('case', CASES, ids=lambda entry: case_of(entry).id)
def test_bad_input(batch, case):  # pylint: disable=redefined-outer-name
    result = batch.run.result(case.id)
    outcome = result['result']
    assert result['status'] == 'failed', outcome
    assert not outcome.get('changed'), outcome
    assert case.option in outcome.get('msg', ''), outcome
    if case.own_account:
        sent = batch.requests(case.args['account_id'])
    else:  # requests that name none of the valid case accounts could come from this case
        valid = {other.args['account_id'] for other in map(case_of, CASES) if other.own_account}
        sent = [entry for entry in batch.log if not any(acc in entry['path'] for acc in valid)]
    assert sent == [], sent


def test_no_request_at_all(batch):  # pylint: disable=redefined-outer-name
    assert batch.run.task_results, batch.run.stdout[-3000:]
    assert batch.log == []
