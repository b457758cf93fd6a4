# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Path safety: account_id and rule_id values with '/', '..', '?', '#', '%2F' or spaces never reach another route.

Asserted from the emulator's log: every request's raw path has exactly the
expected segments, the value percent-encoded as one segment, and no query string.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

import pytest

from playbook_runs import Case, account, available, case_of, connection, needs, run_batch

RULE_ID = '2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d'
ACCOUNT_VALUES = [
    'a/b', '../other', '../../accounts/x', 'acc/../../dlp/email/rules', 'x?y=1', 'x#fragment', 'a%2Fb', '..%2F..', 'a b',
    ' ', '/', '?', '#', '%', '%2F', './.', 'acc/dlp/email/rules', '..;', 'acc\\..\\..', 'x/?#%2F ..',
]
RULE_ID_VALUES = ['a/b', '../' + RULE_ID, RULE_ID + '/..', RULE_ID + '?x=1', RULE_ID + '#x', RULE_ID + '%2F..', 'a b', '..']


@dataclasses.dataclass
class PathCase(Case):
    """A task whose requests may only go to `routes` (raw paths)."""

    routes: tuple[str, ...] = ()
    reaches_api: bool = True


def segments(account_value, *tail):
    return '/'.join(['', 'client', 'v4', 'accounts', quote(account_value, safe=''), 'dlp', 'email', *tail])


def mapping(number, value):
    args = connection(value, auth_type='NoAuth')
    return PathCase(id='mapping-account-%02d' % number, module='mapping', args=args, routes=(segments(value, 'account_mapping'),))


def rule_by_id(number, value, rule_id):
    args = connection(value, rule_id=rule_id, state='absent')
    return pytest.param(PathCase(id='rule-%02d' % number, module='rule', args=args, routes=(segments(value, 'rules', rule_id),),
                                 reaches_api=rule_id == RULE_ID), marks=needs('rule'))


def rule_set(number, value):
    args = connection(value, rules=[{'name': 'Block leaks', 'state': 'absent'}])
    return pytest.param(PathCase(id='rules-account-%02d' % number, module='rules', args=args, routes=(segments(value, 'rules'),)),
                        marks=needs('rules'))


CASES = [mapping(number, value) for number, value in enumerate(ACCOUNT_VALUES)]
# Each case has its own account value (a suffix tells them apart), so that the log can be attributed.
CASES += [rule_by_id(number, value + ' r', RULE_ID) for number, value in enumerate(ACCOUNT_VALUES[:6])]
CASES += [rule_by_id(50 + number, account(300 + number), value) for number, value in enumerate(RULE_ID_VALUES)]
CASES += [rule_set(number, value + ' s') for number, value in enumerate(ACCOUNT_VALUES[:6])]


@pytest.fixture(scope='module')
def batch(ansible, emulator):
    cases = available(CASES)
    return run_batch(ansible, emulator, cases)


@pytest.mark.parametrize('case', CASES, ids=lambda entry: case_of(entry).id)
def test_requests_stay_on_the_route(batch, case):  # pylint: disable=redefined-outer-name
    result = batch.run.result(case.id)
    account_segment = quote(case.args['account_id'], safe='')
    mine = [entry for entry in batch.log if entry['path'].split('/')[4:5] == [account_segment]]
    for entry in mine:
        assert entry['path'] in case.routes and entry['query'] == '', (entry, case.routes)
    if case.reaches_api:
        assert mine, 'the task sent nothing: %s' % result
    else:  # a rule_id that is not a UUID is refused before any request
        assert result['status'] == 'failed' and 'rule_id' in result['result']['msg'], result
        assert mine == []


def test_every_request_is_on_an_intended_route(batch):  # pylint: disable=redefined-outer-name
    routes = {route for case in map(case_of, CASES) for route in case.routes}
    assert batch.log, batch.run.stdout[-3000:]
    strays = [entry['method'] + ' ' + entry['path'] + ('?' + entry['query'] if entry['query'] else '') for entry in batch.log
              if entry['path'] not in routes or entry['query']]
    assert strays == []
