# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Concurrency under the rate limit: 200 accounts, forks 20, one credential, an emulator whose limit is lowered.

Cloudflare's limit is per user, so every module process of the play draws on
the same budget. With the limit lowered (and, so that 429s happen however fast
the machine is, a helper that now and then takes the whole window), every host
must still succeed, the emulator must end with exactly 200 mappings, and a
rerun must send no POST at all.
"""

from __future__ import annotations

import collections
import threading
import urllib.request

import pytest

from harness import clean_env
from playbook_runs import DEFAULT_TOKEN, ORG, Case, account, connection, mapping_path, run_batch, start_emulator

pytestmark = pytest.mark.fleet

HOSTS = 200
LIMIT = {'requests': 10, 'period': 1}
PRESSURE_EVERY = 4.0  # seconds between two bursts that fill the rate-limit window
PRESSURE_ACCOUNT = account(9999)


def fleet():
    return [Case(id='host%03d' % number, module='mapping',
                 args=connection(account(1000 + number), auth_type='Org',
                                 allowed_microsoft_organizations=ORG['allowed_microsoft_organizations']))
            for number in range(HOSTS)]


class Pressure(threading.Thread):
    """Fills the rate-limit window every few seconds with GETs of an account outside the fleet."""

    def __init__(self, base_url):
        super().__init__(daemon=True)
        self.url = base_url + mapping_path(PRESSURE_ACCOUNT)[len('/client/v4'):]
        self.stopped = threading.Event()
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def run(self):
        while not self.stopped.wait(PRESSURE_EVERY):
            for dummy in range(LIMIT['requests']):
                request = urllib.request.Request(self.url, headers={'Authorization': 'Bearer ' + DEFAULT_TOKEN})
                try:
                    self.opener.open(request, timeout=5).close()
                except OSError:  # 404 (no mapping) and 429 are what it expects
                    pass

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.join()


@pytest.fixture(scope='module')
def limited_emulator():
    emulator = start_emulator('--rate-limit', '%d/%d' % (LIMIT['requests'], LIMIT['period']), env=clean_env())
    yield emulator
    emulator.stop()


@pytest.fixture(scope='module')
def runs(ansible, limited_emulator):  # pylint: disable=redefined-outer-name
    cases = fleet()
    with Pressure(limited_emulator.base_url):
        first = run_batch(ansible, limited_emulator, cases)
        second = run_batch(ansible, limited_emulator, cases, reset=False)
    return first, second


def fleet_requests(batch):
    accounts = {case.args['account_id'] for case in fleet()}
    return [entry for entry in batch.log if entry['path'].split('/')[4] in accounts]


def test_first_run_every_host_maps_its_account_once(runs):  # pylint: disable=redefined-outer-name
    first = runs[0]
    statuses = collections.Counter(record['status'] for record in first.run.task_results if record['status'] != 'skipped')
    assert statuses == {'changed': HOSTS}, [record for record in first.run.task_results if record['status'] not in ('changed', 'skipped')][:3]
    requests = fleet_requests(first)
    answers = collections.Counter((entry['method'], entry['status']) for entry in requests)
    assert answers[('GET', 429)] + answers[('POST', 429)] > 0, 'no request was rate limited: %s' % answers
    assert answers[('GET', 404)] == HOSTS and answers[('POST', 200)] == HOSTS, answers
    assert set(answers) <= {('GET', 404), ('POST', 200), ('GET', 429), ('POST', 429)}, answers
    per_account = collections.Counter(entry['path'] for entry in requests if entry['method'] == 'POST' and entry['status'] == 200)
    assert set(per_account.values()) == {1}


def test_emulator_holds_exactly_the_fleet(runs):  # pylint: disable=redefined-outer-name
    first, second = runs
    for batch in (first, second):
        mapped = {acc: entry['mapping'] for acc, entry in batch.state.items() if entry['mapping']}
        assert set(mapped) == {case.args['account_id'] for case in fleet()}
        assert all(mapping['auth_requirements'] == ORG for mapping in mapped.values())
    tokens = {acc: entry['mapping']['addin_identifier_token'] for acc, entry in first.state.items() if entry['mapping']}
    assert tokens == {acc: entry['mapping']['addin_identifier_token'] for acc, entry in second.state.items() if entry['mapping']}


def test_rerun_sends_no_post(runs):  # pylint: disable=redefined-outer-name
    second = runs[1]
    statuses = collections.Counter(record['status'] for record in second.run.task_results if record['status'] != 'skipped')
    assert statuses == {'ok': HOSTS}, statuses
    answers = collections.Counter((entry['method'], entry['status']) for entry in fleet_requests(second))
    assert answers[('GET', 200)] == HOSTS, answers
    assert set(answers) <= {('GET', 200), ('GET', 429)}, answers
