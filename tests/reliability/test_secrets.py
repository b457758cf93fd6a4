# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets: a long, distinctive API token and global API key, given as options and through the environment, never show.

Runs at -vvvv, in check mode, in diff mode, and failing in several ways. Neither
value, nor any 16-character piece of it, may appear in Ansible's output
(stdout and stderr), in the results Ansible hands to callbacks, or in the
emulator's log.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from playbook_runs import (DEFAULT_EMAIL, MODULES, NOAUTH, ORG, SECRET_KEY, SECRET_TOKEN, account, closed_port, mapping_path,
                           module_exists)

SECRETS = {'token': SECRET_TOKEN, 'key': SECRET_KEY}
PIECE = 16


def leaks(text: str) -> list[str]:
    """Every secret, or 16-character piece of one, found in `text`."""
    found = []
    for name, secret in SECRETS.items():
        pieces = {secret[start:start + PIECE] for start in range(len(secret) - PIECE + 1)}
        hits = sorted(piece for piece in pieces if piece in text)
        if hits:
            found.append('%s: %s' % (name, hits[:3]))
    return found


@dataclasses.dataclass
class SecretRun:
    """One ansible-playbook run and what each of its tasks must end as."""

    name: str
    args: tuple[str, ...]
    env: dict[str, str]
    tasks: list[dict[str, Any]]
    expected: dict[str, str]  # task name -> ok / changed / failed
    faults: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def task(name, acc, credentials, desired=None, module='mapping', **keywords):
    desired = desired or ORG
    args = {'account_id': acc, 'api_base_url': '@BASE_URL@'}
    args.update(credentials)
    if module == 'mapping':
        args['auth_type'] = desired['type']
        if 'allowed_microsoft_organizations' in desired:
            args['allowed_microsoft_organizations'] = desired['allowed_microsoft_organizations']
    else:
        args.update({'name': 'Block leaks', 'conditions': [{'selector': 'Recipients', 'operator': 'InList', 'value': 'leaks@example.com'}]})
    entry = {'name': name, MODULES[module]: args, 'register': 'registered'}
    entry.update(keywords)
    return entry


TOKEN = {'api_token': SECRET_TOKEN}
KEY = {'api_email': DEFAULT_EMAIL, 'api_key': SECRET_KEY}
FAIL_OK = {'ignore_errors': True}


def runs() -> list[SecretRun]:
    refused = 'http://127.0.0.1:%d/client/v4' % closed_port()
    as_options = [
        task('token, change, diff', account(201), TOKEN, diff=True),
        task('token, no-op', account(201), TOKEN),
        task('token, check mode, diff', account(202), TOKEN, check_mode=True, diff=True),
        task('key, change, diff', account(203), KEY, desired=NOAUTH, diff=True),
        task('key, check mode', account(204), KEY, check_mode=True),
        task('token, fails with 403', account(205), TOKEN, **FAIL_OK),
        task('key, fails with 500 on every try', account(206), KEY, **FAIL_OK),
        task('token and key, fails before any request', account(207), dict(TOKEN, **KEY), **FAIL_OK),
        task('token, fails on plain http to a remote host', account(208), dict(TOKEN, api_base_url='http://api.example.com/client/v4'),
             **FAIL_OK),
        task('token, fails on a refused connection', account(209), dict(TOKEN, api_base_url=refused, timeout=1), **FAIL_OK),
        task('token, fails on bad input', account(210), TOKEN, desired={'type': 'Org', 'allowed_microsoft_organizations': []}, **FAIL_OK),
    ]
    expected = {'token, change, diff': 'changed', 'token, no-op': 'ok', 'token, check mode, diff': 'changed',
                'key, change, diff': 'changed', 'key, check mode': 'changed'}
    if module_exists('rule'):
        as_options.append(task('rule with token, change, diff', account(211), TOKEN, module='rule', diff=True))
        expected['rule with token, change, diff'] = 'changed'
    from_env = [
        task('environment, change', account(221), {}),
        task('environment, fails with 401', account(222), {}, **FAIL_OK),
        task('environment, fails on bad input', account(223), {}, desired=dict(NOAUTH, allowed_microsoft_organizations=['x']),
             **FAIL_OK),
    ]
    env_expected = {'environment, change': 'changed'}
    faults = [
        {'method': 'GET', 'path': mapping_path(account(205)), 'status': 403},
        {'method': 'GET', 'path': mapping_path(account(206)), 'status': 500, 'count': 4},
        {'method': 'GET', 'path': mapping_path(account(222)), 'status': 401},
    ]
    return [
        SecretRun('options, -vvvv', ('-vvvv',), {}, as_options, expected, faults),
        SecretRun('token from the environment, -vvvv --check --diff', ('-vvvv', '--check', '--diff'),
                  {'CLOUDFLARE_API_TOKEN': SECRET_TOKEN}, from_env, env_expected, faults),
        SecretRun('key from the environment, -vvvv --diff', ('-vvvv', '--diff'),
                  {'CLOUDFLARE_EMAIL': DEFAULT_EMAIL, 'CLOUDFLARE_API_KEY': SECRET_KEY}, from_env, env_expected, faults),
        SecretRun('token in CLOUDFLARE_TOKEN, failing, -vvvv', ('-vvvv',), {'CLOUDFLARE_TOKEN': SECRET_TOKEN}, from_env[1:],
                  {}, faults),
    ]


RUNS = runs()


@pytest.fixture(scope='module', params=RUNS, ids=lambda run: run.name)
def secret_run(request, ansible, emulator):
    run = request.param
    emulator.reset()
    for fault in run.faults:
        emulator.add_fault(**fault)
    tasks = json.loads(json.dumps(run.tasks).replace('@BASE_URL@', emulator.base_url))
    result = ansible.play(tasks, args=run.args, env=run.env)
    return run, result, emulator.log()


def test_tasks_ended_as_expected(secret_run):  # pylint: disable=redefined-outer-name
    """The secrets were really used: the tasks that should succeed did, against an emulator that knows only these values."""
    run, result, dummy = secret_run
    statuses = {record['task']: record['status'] for record in result.task_results}
    assert set(statuses) == {entry['name'] for entry in run.tasks}, result.stdout[-3000:]
    for name, status in statuses.items():
        assert status == run.expected.get(name, 'failed'), (name, result.task_results)


def test_not_in_ansible_output(secret_run):  # pylint: disable=redefined-outer-name
    dummy, result, dummy2 = secret_run
    assert 'module_args' in result.stdout, 'results are printed in full at -vvvv'
    assert leaks(result.stdout) == []
    assert leaks(result.stderr) == []


def test_not_in_returned_results(secret_run):  # pylint: disable=redefined-outer-name
    dummy, result, dummy2 = secret_run
    assert result.task_results
    assert leaks(json.dumps(result.records)) == []


def test_not_in_emulator_log(secret_run):  # pylint: disable=redefined-outer-name
    dummy, dummy2, log = secret_run
    assert log
    assert leaks(json.dumps(log)) == []
