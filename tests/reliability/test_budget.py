# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The request budget shared by the module processes of a play, against an emulator that models Cloudflare's limit
scaled down (60 requests per 10 s per credential, then a lockout of 10 s), with a budget of 50 per 10 s.

The fleet (marked fleet): 200 accounts at forks 40 with the budget trip no lockout, every account is mapped, and a
rerun writes nothing; the same fleet with the budget off is locked out. The others: a lockout forced from outside,
which the forks wait out together instead of each knocking; the budget off (0) as before; a budget file that cannot be
used or is corrupt; two credentials with a budget each. No test asserts a wall time: they count requests and lockouts.
"""

from __future__ import annotations

import collections
import os
import urllib.request

import pytest

from harness import clean_env
from playbook_runs import DEFAULT_TOKEN, MODULES, ORG, SECRET_TOKEN, account, mapping_path, start_emulator

LIMIT = {'requests': 60, 'period': 10, 'lockout': 10}
BUDGET = {'rate_limit_budget': 50, 'rate_limit_window': 10}
FLEET, FORKS = 200, 40


@pytest.fixture(scope='module')
def limited():
    emulator = start_emulator('--token', DEFAULT_TOKEN, '--token', SECRET_TOKEN,
                              '--rate-limit', '%(requests)d/%(period)d/%(lockout)d' % LIMIT, env=clean_env())
    yield emulator
    emulator.stop()


def hosts(first, count, **host_vars):
    return {'host%04d' % number: dict({'cloudflare_account_id': account(first + number)}, **host_vars) for number in range(count)}


def mapping_task(emulator, token=DEFAULT_TOKEN, **options):
    args = dict(api_token=token, api_base_url=emulator.base_url, account_id='{{ cloudflare_account_id }}',
                auth_type='Org', allowed_microsoft_organizations=ORG['allowed_microsoft_organizations'], **options)
    return {'name': 'map', MODULES['mapping']: args, 'ignore_errors': True}


def play(ansible, emulator, runtime, tasks, inventory, forks=20, **env):
    """Run the play with the budget files in ``runtime``; returns (run, lockouts it started, its requests)."""
    emulator.clear_log()
    before = emulator.lockouts()
    run = ansible.play(tasks, inventory, forks=forks, env=dict(env, XDG_RUNTIME_DIR=str(runtime)))
    return run, emulator.lockouts() - before, emulator.log()


def statuses(run):
    return collections.Counter(record['status'] for record in run.task_results if record['task'] == 'map')


def answers(log):
    return collections.Counter((entry['method'], entry['status']) for entry in log)


def private_dir(path):
    path.mkdir(mode=0o700)
    return path


# --- the fleet ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope='module')
def fleet_runs(ansible, limited, tmp_path_factory):
    """With the budget: a first run and a rerun sharing the controller's budget; then, after a reset, without it."""
    limited.reset()
    runtime = private_dir(tmp_path_factory.mktemp('fleet') / 'run')
    inventory = hosts(1000, FLEET)
    first = play(ansible, limited, runtime, [mapping_task(limited, **BUDGET)], inventory, FORKS)
    rerun = play(ansible, limited, runtime, [mapping_task(limited, **BUDGET)], inventory, FORKS)
    limited.reset()
    off = play(ansible, limited, runtime, [mapping_task(limited, rate_limit_budget=0)], inventory, FORKS)
    return first, rerun, off


@pytest.mark.fleet
def test_a_fleet_with_the_budget_is_never_locked_out(fleet_runs, record_property):
    (run, lockouts, log), (rerun, rerun_lockouts, rerun_log) = fleet_runs[:2]
    record_property('lockouts_with_budget', lockouts + rerun_lockouts)
    print('lockouts with the budget: %d (first run), %d (rerun)' % (lockouts, rerun_lockouts))
    assert (lockouts, rerun_lockouts) == (0, 0)
    assert statuses(run) == {'changed': FLEET}, run.stdout[-3000:]
    assert answers(log) == {('GET', 404): FLEET, ('POST', 200): FLEET}
    assert statuses(rerun) == {'ok': FLEET}
    assert answers(rerun_log) == {('GET', 200): FLEET}  # no write
    waited = [record['result']['rate_limit_waited'] for record in run.task_results if record['task'] == 'map']
    assert all(isinstance(seconds, float) for seconds in waited) and max(waited) > 0


@pytest.mark.fleet
def test_the_same_fleet_without_the_budget_is_locked_out(fleet_runs, record_property):
    dummy, lockouts, log = fleet_runs[2]
    record_property('lockouts_without_budget', lockouts)
    print('lockouts without the budget: %d; answers: %s' % (lockouts, dict(answers(log))))
    assert lockouts > 0
    assert answers(log)[('GET', 429)] + answers(log)[('POST', 429)] > 0


# --- a lockout forced from outside -----------------------------------------------------------------------------------


def lock_out(emulator, token):
    """Send the credential past the limit from outside the play (as the dashboard or other automation would)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    url = emulator.base_url + mapping_path(account(9999))[len('/client/v4'):]
    for dummy in range(LIMIT['requests'] + 1):
        try:
            opener.open(urllib.request.Request(url, headers={'Authorization': 'Bearer ' + token}), timeout=5).close()
        except OSError:  # 404 (no mapping), then 429
            pass
    assert emulator.lockouts() == 1


def test_forks_wait_out_a_lockout_together(ansible, limited, tmp_path):
    """A lockout forced from outside: the first task that gets a 429 closes the budget for every process, so the 30
    forks that start meanwhile send nothing until it has passed (without the budget, each would knock and get a 429
    of its own)."""
    count = 30
    limited.reset()
    lock_out(limited, DEFAULT_TOKEN)
    # The probe does not wait (rate_limit_retry_timeout 0): it fails at once, and still closes the budget.
    probe = dict(mapping_task(limited, rate_limit_retry_timeout=0, **BUDGET), name='probe', run_once=True)
    run, lockouts, log = play(ansible, limited, private_dir(tmp_path / 'run'), [probe, mapping_task(limited, **BUDGET)],
                              hosts(5000, count), forks=count)
    (probe_result,) = [record for record in run.task_results if record['task'] == 'probe']
    assert probe_result['status'] == 'failed' and probe_result['result']['status'] == 429, probe_result
    assert statuses(run) == {'changed': count}, run.stdout[-3000:]
    assert answers(log)[('GET', 429)] + answers(log)[('POST', 429)] == 1  # the probe's, and nobody else's
    assert lockouts == 0  # nobody tripped it again
    waits = [record['result']['rate_limit_waited'] for record in run.task_results if record['task'] == 'map']
    assert min(waits) > 0  # every fork waited for the lockout to pass


# --- the budget off, unusable or corrupt, and per credential -------------------------------------------------------


def test_budget_0_is_as_before(ansible, limited, tmp_path):
    limited.reset()
    runtime = private_dir(tmp_path / 'run')
    run, lockouts, log = play(ansible, limited, runtime, [mapping_task(limited, rate_limit_budget=0)], hosts(6000, 5))
    assert statuses(run) == {'changed': 5} and lockouts == 0
    assert answers(log) == {('GET', 404): 5, ('POST', 200): 5}
    assert {record['result']['rate_limit_waited'] for record in run.task_results if record['task'] == 'map'} == {0.0}
    assert os.listdir(runtime) == []  # no budget file


def budget_warnings(run):
    return [[warning for warning in record['result'].get('warnings', []) if 'request budget' in warning]
            for record in run.task_results if record['task'] == 'map']


def test_an_unusable_budget_directory_degrades_with_one_warning(ansible, limited, tmp_path):
    limited.reset()
    runtime = private_dir(tmp_path / 'run')
    (runtime / 'zerotrust.cloudflare').write_text('not a directory', encoding='utf-8')
    run, dummy, log = play(ansible, limited, runtime, [mapping_task(limited, **BUDGET)], hosts(6100, 3))
    assert statuses(run) == {'changed': 3}
    assert answers(log) == {('GET', 404): 3, ('POST', 200): 3}
    assert [len(warnings) for warnings in budget_warnings(run)] == [1, 1, 1]
    assert DEFAULT_TOKEN not in run.stdout + run.stderr


def test_a_corrupt_budget_file_is_recreated(ansible, limited, tmp_path):
    limited.reset()
    runtime = private_dir(tmp_path / 'run')
    first, dummy, dummy = play(ansible, limited, runtime, [mapping_task(limited, **BUDGET)], hosts(6200, 1))
    assert statuses(first) == {'changed': 1}
    (name,) = os.listdir(runtime / 'zerotrust.cloudflare')
    (runtime / 'zerotrust.cloudflare' / name).write_bytes(b'garbage, not a database ' * 200)
    run, dummy, log = play(ansible, limited, runtime, [mapping_task(limited, **BUDGET)], hosts(6300, 2))
    assert statuses(run) == {'changed': 2}
    assert answers(log) == {('GET', 404): 2, ('POST', 200): 2}
    assert budget_warnings(run) == [[], []]
    assert (runtime / 'zerotrust.cloudflare' / name).read_bytes().startswith(b'SQLite format 3')


def test_two_credentials_have_a_budget_each(ansible, limited, tmp_path):
    """A budget of 2 per minute: each host sends 2 requests, so sharing one budget would make one of them wait."""
    limited.reset()
    runtime = private_dir(tmp_path / 'run')
    tasks = [dict(mapping_task(limited, token=DEFAULT_TOKEN, rate_limit_budget=2, rate_limit_window=60),
                  when='ansible_play_hosts_all.index(inventory_hostname) == 0'),
             dict(mapping_task(limited, token=SECRET_TOKEN, rate_limit_budget=2, rate_limit_window=60),
                  when='ansible_play_hosts_all.index(inventory_hostname) == 1')]
    run, dummy, log = play(ansible, limited, runtime, tasks, hosts(6400, 2))
    assert statuses(run) == {'changed': 2, 'skipped': 2}
    assert answers(log) == {('GET', 404): 2, ('POST', 200): 2}
    assert [record['result']['rate_limit_waited'] for record in run.task_results
            if record['task'] == 'map' and record['status'] != 'skipped'] == [0.0, 0.0]
    assert len(os.listdir(runtime / 'zerotrust.cloudflare')) == 2
    assert SECRET_TOKEN not in run.stdout + run.stderr
