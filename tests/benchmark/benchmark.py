# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmarks of the collection against the local emulator; prints one table.

Run it with nox -s benchmark, which prepares the virtual environment and
a clean environment. Every figure of the table is measured in the same run:

- per task: median wall time of a no-op of the mapping module, of
  ansible.builtin.uri doing the same GET, and of ansible.builtin.ping;
- on change: the mapping module against the hand-written equivalent (a uri GET
  and a when-guarded uri POST);
- fleet: one play over 50, 100 and 200 hosts, each its own account, with the
  mapping module and with uri;
- inventory: the inventory plugin's source of 50, 100 and 200 accounts, the time
  ansible-inventory --list takes and the requests it sends; over it, the role's
  first run, its no-op and a no-op play of the bare mapping module;
- requests: how many API requests each case sends, from the emulator's log;
- request budget: the no-op with the default budget against the same no-op with
  it off, and a fleet (200 accounts at forks 40) under the emulator's model of
  Cloudflare's limit scaled down (60 requests per 10 s, then a lockout of 10 s)
  with a budget of 50 per 10 s and with it off: lockouts, wall time, and wall
  time against the floor the budget implies;
- profile: where the time of one module run goes.

Tasks of different kinds are interleaved (and their order rotated) so that a
noisy machine slows all of them alike; only ratios within one run mean much.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

# pylint: disable-next=wrong-import-position
from harness import DEFAULT_TOKEN, ROOT, Ansible, clean_env, start_emulator, visible_accounts  # noqa: E402

PYTHON = sys.executable
MAPPING = 'zerotrust.cloudflare.cloudflare_dlp_email_mapping'
REFERENCE = 'zerotrust_benchmark.reference.'  # tests/benchmark/reference/, as a scratch collection
MAPPING_PATH = '/accounts/{account}/dlp/email/account_mapping'
ADDIN_TOKEN = '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e'
ORG = {'type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com']}
NOAUTH = {'type': 'NoAuth'}
RULE = {'name': 'Block leaks', 'description': None, 'enabled': True,
        'conditions': [{'selector': 'Recipients', 'operator': 'InList', 'value': ['leaks@example.com']}],
        'action': {'action': 'Block', 'message': None}}
RULE_ID = '2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d'


def account(number):
    """A valid account ID (32 lower-case hex digits) for a number."""
    return '%032x' % (0xbe0c0000000000000000000000000000 + number)


def module_exists(name):
    return (ROOT / 'plugins' / 'modules' / (name + '.py')).is_file()


def role_exists(name):
    return (ROOT / 'roles' / name / 'tasks' / 'main.yml').is_file()


def timings(events):
    """Task and play durations from the recorder's events: a task runs from its start to the last result of any
    host (the span ansible.posix's profile_tasks reports), a play from its start to the next play or the end."""
    tasks, plays = [], []
    for event in events:
        if event['event'] == 'play':
            plays.append({'name': event['name'], 'started': event['time'], 'seconds': None})
        elif event['event'] == 'task':
            tasks.append({'name': event['name'], 'action': event['action'], 'started': event['time'], 'seconds': 0.0,
                          'hosts': {}})
        elif event['event'] == 'result' and tasks:
            tasks[-1]['seconds'] = event['time'] - tasks[-1]['started']
            tasks[-1]['hosts'][event['host']] = event['status']
        if event['event'] in ('play', 'stats') and len(plays) > (event['event'] == 'play'):
            ended = plays[-2] if event['event'] == 'play' else plays[-1]
            ended['seconds'] = event['time'] - ended['started']
    return {'tasks': tasks, 'plays': plays}


class Runner:
    """Runs generated playbooks with the collection, the reference modules (as a collection of their own, so that
    they pay what any collection module pays) and the recorder callback."""

    def __init__(self, work, emulator):
        self.work = work
        self.emulator = emulator
        self.base_url = emulator.base_url
        reference = work / 'reference-collections' / 'ansible_collections' / 'zerotrust_benchmark' / 'reference' / 'plugins' / 'modules'
        reference.mkdir(parents=True, exist_ok=True)
        for module in (HERE / 'reference').glob('ref_*.py'):
            shutil.copyfile(module, reference / module.name)
        self.ansible = Ansible(work, work / 'reference-collections')

    def inventory(self, hosts):
        """An inventory file: {host: vars}, local connection, this Python."""
        return self.ansible.inventory(hosts)

    def play(self, tasks, hosts='localhost', inventory=None, forks=5, extra_env=None, check=True):
        """Run one play; returns its task and play timings, the process wall time and the output."""
        return self.run([{'name': 'benchmark', 'hosts': hosts, 'gather_facts': False, 'tasks': tasks}], inventory, forks,
                        extra_env, check)

    def run(self, plays, inventory=None, forks=5, extra_env=None, check=True):
        """Run plays; returns their task and play timings, the process wall time and the output."""
        started = time.perf_counter()
        run = self.ansible.run(plays, inventory, env=extra_env, forks=forks)
        wall = time.perf_counter() - started
        if check and run.returncode != 0:
            raise RuntimeError('ansible-playbook failed (%d):\n%s' % (run.returncode, run.output[-4000:]))
        record = timings(run.records)
        record['wall'] = wall
        record['output'] = run.stdout
        return record


# --- tasks -------------------------------------------------------------------------------------------------------


def mapping_task(name, base_url, account_id, desired, extra=None, args=None):
    args = dict({'account_id': account_id, 'api_token': DEFAULT_TOKEN, 'api_base_url': base_url, 'auth_type': desired['type']},
                **(args or {}))
    if desired['type'] == 'Org':
        args['allowed_microsoft_organizations'] = desired['allowed_microsoft_organizations']
    task = {'name': name, MAPPING: args}
    task.update(extra or {})
    return task


def uri_get_task(name, base_url, account_id, register=None):
    task = {'name': name, 'ansible.builtin.uri': {
        'url': base_url + MAPPING_PATH.format(account=account_id),
        'headers': {'Authorization': 'Bearer ' + DEFAULT_TOKEN},
        'status_code': [200, 404]}}
    if register:
        task['register'] = register
    return task


def uri_post_task(name, base_url, account_id, desired, current):
    """The when-guarded POST of the hand-written equivalent: only when the mapping is absent or different."""
    orgs = json.dumps(sorted(desired.get('allowed_microsoft_organizations', [])))
    condition = (
        "{c}.status == 404 or {c}.json.result is none"
        " or {c}.json.result.auth_requirements.type != '{type}'"
        " or ({c}.json.result.auth_requirements.allowed_microsoft_organizations | default([]) | sort) != {orgs}"
    ).format(c=current, type=desired['type'], orgs=orgs)
    return {'name': name, 'when': condition, 'ansible.builtin.uri': {
        'url': base_url + MAPPING_PATH.format(account=account_id),
        'method': 'POST',
        'headers': {'Authorization': 'Bearer ' + DEFAULT_TOKEN},
        'body_format': 'json',
        'body': {'auth_requirements': desired}}}


# --- sections ----------------------------------------------------------------------------------------------------


def per_task(runner, iterations, warmup=2):
    """Interleaved single-host tasks; returns {kind: [seconds per task]} without the warm-up rounds."""
    emulator, url = runner.emulator, runner.base_url
    noop, change, pair = account(1), account(2), account(3)
    emulator.reset()
    emulator.set_state({'accounts': {
        noop: {'mapping': {'addin_identifier_token': ADDIN_TOKEN, 'auth_requirements': ORG}, 'rules': []},
        change: {'mapping': {'addin_identifier_token': ADDIN_TOKEN, 'auth_requirements': NOAUTH}, 'rules': []},
        pair: {'mapping': {'addin_identifier_token': ADDIN_TOKEN, 'auth_requirements': NOAUTH}, 'rules': []},
    }})
    tasks = []
    for index in range(warmup + iterations):
        desired = ORG if index % 2 == 0 else NOAUTH  # the stored mapping starts as NoAuth: every round changes it
        group = [
            [mapping_task('noop-mapping %d' % index, url, noop, ORG)],
            [mapping_task('noop-nobudget %d' % index, url, noop, ORG, args={'rate_limit_budget': 0})],
            [uri_get_task('noop-uri %d' % index, url, noop)],
            [{'name': 'noop-ping %d' % index, 'ansible.builtin.ping': {}}],
            [{'name': 'ref-ping %d' % index, REFERENCE + 'ref_ping': {}}],
            [{'name': 'ref-import %d' % index, REFERENCE + 'ref_requests_import': {}}],
            [{'name': 'ref-get %d' % index, REFERENCE + 'ref_requests_get': {'url': url + MAPPING_PATH.format(account=noop), 'api_token': DEFAULT_TOKEN}}],
            [mapping_task('change-mapping %d' % index, url, change, desired)],
            [uri_get_task('change-uriget %d' % index, url, pair, register='current'),
             uri_post_task('change-uripost %d' % index, url, pair, desired, 'current')],
        ]
        shift = index % len(group)
        for block in group[shift:] + group[:shift]:
            tasks.extend(block)
    record = runner.play(tasks)
    times = collections.defaultdict(list)
    statuses = collections.defaultdict(collections.Counter)
    for task in record['tasks']:
        kind, index = task['name'].rsplit(' ', 1)
        statuses[kind].update(task['hosts'].values())
        if int(index) >= warmup:
            times[kind].append(task['seconds'])
    expected = {'noop-mapping': 'ok', 'noop-nobudget': 'ok', 'noop-uri': 'ok', 'noop-ping': 'ok', 'change-mapping': 'changed',
                'change-uriget': 'ok', 'change-uripost': 'ok', 'ref-ping': 'ok', 'ref-import': 'ok', 'ref-get': 'ok'}
    for kind, status in expected.items():
        if set(statuses[kind]) != {status}:
            raise RuntimeError('per-task benchmark: %s tasks ended %s, expected all %s' % (kind, dict(statuses[kind]), status))
    times['change-uripair'] = [get + post for get, post in zip(times['change-uriget'], times['change-uripost'])]
    return times


def fleet(runner, sizes, forks):
    """One play over N hosts, each its own account, written with the mapping module and with uri."""
    url = runner.base_url
    results = {}
    for size in sizes:
        hosts = {'host%03d' % number: {'cf_account': account(1000 + number)} for number in range(size)}
        inventory = runner.inventory(hosts)
        plays = {
            'mapping': [mapping_task('map', url, '{{ cf_account }}', ORG)],
            'uri': [uri_get_task('read', url, '{{ cf_account }}', register='current'),
                    uri_post_task('write', url, '{{ cf_account }}', ORG, 'current')],
        }
        for kind, tasks in plays.items():
            runner.emulator.reset()
            runner.emulator.configure(rate_limit={'requests': 0, 'period': 1})
            record = runner.play(tasks, hosts='all', inventory=inventory, forks=forks)
            state = runner.emulator.state()['accounts']
            mapped = sum(1 for entry in state.values() if entry['mapping'] and entry['mapping']['auth_requirements'] == ORG)
            if mapped != size:
                raise RuntimeError('fleet of %d with %s: %d accounts mapped' % (size, kind, mapped))
            results[(size, kind)] = record['plays'][0]['seconds']
    return results


# Cloudflare's limit scaled down by 30 (1200 per 300 s, lockout 300 s), and a budget below it, as DESIGN suggests.
MODELLED_LIMIT = {'requests': 60, 'period': 10, 'lockout': 10}
BUDGET = {'rate_limit_budget': 50, 'rate_limit_window': 10}


def budget_fleet(runner, size, forks):
    """The mapping module over ``size`` new accounts under the modelled limit, with the budget and with it off:
    {kind: {'lockouts', 'seconds', 'requests', 'floor'}}. The floor is what the budget alone implies: requests beyond
    the first window's budget, at budget / window requests per second."""
    url = runner.base_url
    inventory = runner.inventory({'host%03d' % number: {'cf_account': account(3000 + number)} for number in range(size)})
    results = {}
    for kind, args in (('budget', BUDGET), ('off', {'rate_limit_budget': 0})):
        runner.emulator.reset()
        runner.emulator.configure(rate_limit=MODELLED_LIMIT)
        record = runner.play([mapping_task('map', url, '{{ cf_account }}', ORG, args=args)], hosts='all', inventory=inventory,
                             forks=forks)
        state = runner.emulator.state()['accounts']
        mapped = sum(1 for entry in state.values() if entry['mapping'] and entry['mapping']['auth_requirements'] == ORG)
        sent = len(runner.emulator.log())
        useful = 2 * size  # a GET and a POST per new account
        floor = max(0, useful - BUDGET['rate_limit_budget']) / (BUDGET['rate_limit_budget'] / BUDGET['rate_limit_window'])
        results[kind] = {'lockouts': runner.emulator.lockouts(), 'seconds': record['plays'][0]['seconds'], 'requests': sent,
                         'floor': floor, 'mapped': mapped}
    runner.emulator.reset()
    runner.emulator.configure(rate_limit={'requests': 0, 'period': 1})
    return results


def budget_rows(size, forks, results):
    rows = []
    for kind, label in (('budget', 'budget 50 per 10 s'), ('off', 'budget off')):
        figures = results[kind]
        rows.append(('budget fleet', '%d accounts, forks %d, %s: lockouts / requests / mapped' % (size, forks, label),
                     '%d / %d / %d' % (figures['lockouts'], figures['requests'], figures['mapped']),
                     '0 lockouts' if kind == 'budget' else '', verdict(figures['lockouts'], 0) if kind == 'budget' else ''))
        rows.append(('budget fleet', '%s: wall time / floor the budget implies (%.0f s)' % (label, figures['floor']),
                     '%.0f s = %s' % (figures['seconds'], ratio(figures['seconds'] / figures['floor'])), '', ''))
    return rows


INVENTORY_ROUNDS = 2  # no-op plays of each kind, alternated; the fastest counts


def inventory_fleet(runner, sizes, forks):
    """The inventory plugin over N visible accounts: ansible-inventory --list (seconds, requests), then over that
    source the role's first run, and no-op plays of the role and of the bare mapping module, alternated."""
    emulator, url = runner.emulator, runner.base_url
    results = {}
    for size in sizes:
        ids = [account(3000 + number) for number in range(size)]
        emulator.reset()
        emulator.configure(rate_limit={'requests': 0, 'period': 1})
        emulator.set_visible_accounts(visible_accounts(ids))
        source = runner.ansible.accounts_source(emulator)
        listed = runner.ansible.inventory_command(source, '--list')
        if listed.returncode != 0 or len(json.loads(listed.stdout)['_meta']['hostvars']) != size:
            raise RuntimeError('ansible-inventory of %d accounts failed:\n%s' % (size, listed.output[-4000:]))
        requests = sum(1 for entry in emulator.log() if entry['path'] == '/client/v4/accounts')
        role = [{'name': 'role', 'hosts': 'all', 'gather_facts': False, 'roles': ['zerotrust.cloudflare.dlp_email'], 'vars': {
            'dlp_email_api_token': DEFAULT_TOKEN, 'dlp_email_api_base_url': url, 'dlp_email_auth_type': ORG['type'],
            'dlp_email_allowed_microsoft_organizations': ORG['allowed_microsoft_organizations']}}]
        module = [{'name': 'module', 'hosts': 'all', 'gather_facts': False,
                   'tasks': [mapping_task('map', url, '{{ cloudflare_account_id }}', ORG)]}]
        first = runner.run(role, source, forks)['plays'][0]['seconds']
        mapped = sum(1 for entry in emulator.state()['accounts'].values() if entry['mapping'])
        if mapped != size:
            raise RuntimeError('the role over %d accounts mapped %d' % (size, mapped))
        emulator.clear_log()
        noop = collections.defaultdict(list)
        for dummy in range(INVENTORY_ROUNDS):
            for kind, plays in (('module', module), ('role', role)):
                noop[kind].append(runner.run(plays, source, forks)['plays'][0]['seconds'])
        writes = [entry for entry in emulator.log() if entry['method'] != 'GET']
        if writes:
            raise RuntimeError('no-op plays over %d accounts wrote: %s' % (size, writes[:3]))
        results[size] = {'list': listed.seconds, 'requests': requests, 'role first run': first,
                         'role no-op': min(noop['role']), 'module no-op': min(noop['module'])}
    return results


def count_requests(log, account_id):
    """API requests for one account, retries (an answer 429 or 5xx followed by the same request) not counted."""
    entries = [entry for entry in log if '/accounts/%s/' % account_id in entry['path']]
    counted = 0
    for index, entry in enumerate(entries):
        following = entries[index + 1] if index + 1 < len(entries) else None
        retried = (entry['status'] == 429 or entry['status'] >= 500) and following is not None and \
            (following['method'], following['path']) == (entry['method'], entry['path'])
        counted += not retried
    return counted


def request_counts(runner):
    """Each case on its own account in one play; the emulator's log tells how many requests each sent."""
    url = runner.base_url
    cases = {
        'no-op': (account(11), 1, [mapping_task('no-op', url, account(11), ORG)]),
        'change': (account(12), 2, [mapping_task('change', url, account(12), ORG)]),
        'check mode': (account(13), 1, [mapping_task('check mode', url, account(13), ORG, {'check_mode': True})]),
        'bad input': (account(14), 0, [mapping_task('bad input', url, account(14), {'type': 'Org', 'allowed_microsoft_organizations': []},
                                                    {'ignore_errors': True})]),
    }
    state = {account(11): {'mapping': {'addin_identifier_token': ADDIN_TOKEN, 'auth_requirements': ORG}, 'rules': []}}
    rule = dict(RULE, rule_id=RULE_ID, priority=0, created_at='2024-01-01T00:00:00.000000Z', updated_at='2024-01-01T00:00:00.000000Z')
    wanted_rule = {'name': RULE['name'], 'enabled': True, 'conditions': RULE['conditions'], 'action': 'Block', 'priority': 0}
    if module_exists('cloudflare_dlp_email_rules'):
        cases['rule set no-op'] = (account(15), 1, [{'name': 'rule set no-op', 'zerotrust.cloudflare.cloudflare_dlp_email_rules': {
            'account_id': account(15), 'api_token': DEFAULT_TOKEN, 'api_base_url': url, 'rules': [wanted_rule]}}])
        state[account(15)] = {'mapping': None, 'rules': [rule]}
    if role_exists('dlp_email'):
        cases['role no-op'] = (account(16), 2, [{'name': 'role no-op', 'ansible.builtin.include_role': {'name': 'zerotrust.cloudflare.dlp_email'},
                                                 'vars': {'dlp_email_account_id': account(16), 'dlp_email_api_token': DEFAULT_TOKEN,
                                                          'dlp_email_api_base_url': url, 'dlp_email_auth_type': 'Org',
                                                          'dlp_email_allowed_microsoft_organizations': ORG['allowed_microsoft_organizations'],
                                                          'dlp_email_rules': [wanted_rule]}}])
        state[account(16)] = {'mapping': {'addin_identifier_token': ADDIN_TOKEN, 'auth_requirements': ORG}, 'rules': [rule]}
    runner.emulator.reset()
    runner.emulator.set_state({'accounts': state})
    tasks = [task for dummy, dummy2, case_tasks in cases.values() for task in case_tasks]
    record = runner.play(tasks)
    log = runner.emulator.log()
    statuses = collections.defaultdict(set)
    current = None
    for task in record['tasks']:  # a role's own tasks follow the task that includes it
        current = task['name'] if task['name'] in cases else current
        statuses[current].update(task['hosts'].values())
    return {name: (count_requests(log, account_id), goal, sorted(statuses[name]))
            for name, (account_id, goal, dummy) in cases.items()}


# --- profile of one module run -----------------------------------------------------------------------------------


def keep_payloads(runner):
    """Run the mapping no-op, uri and ping once with ANSIBLE_KEEP_REMOTE_FILES; returns {kind: AnsiballZ file}."""
    url, noop = runner.base_url, account(21)
    runner.emulator.reset()
    runner.emulator.set_state({'accounts': {noop: {'mapping': {'addin_identifier_token': ADDIN_TOKEN, 'auth_requirements': ORG},
                                                   'rules': []}}})
    remote = runner.work / 'kept'
    shutil.rmtree(remote, ignore_errors=True)
    remote.mkdir()
    payloads = {}
    for kind, task in (('mapping', mapping_task('mapping', url, noop, ORG)), ('uri', uri_get_task('uri', url, noop)),
                       ('ping', {'name': 'ping', 'ansible.builtin.ping': {}})):
        before = set(remote.glob('*/AnsiballZ_*.py'))
        runner.play([task], extra_env={'ANSIBLE_KEEP_REMOTE_FILES': '1', 'ANSIBLE_REMOTE_TMP': str(remote)})
        (payloads[kind],) = set(remote.glob('*/AnsiballZ_*.py')) - before
        subprocess.run([PYTHON, payloads[kind].name, 'explode'], cwd=payloads[kind].parent, check=True, stdout=subprocess.DEVNULL)
    return payloads


def run_payload(path, *args):
    started = time.perf_counter()
    process = subprocess.run([PYTHON, *args, path.name], cwd=path.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, check=False)
    return time.perf_counter() - started, process


IMPORT_LINE = re.compile(r'^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)')


def imported(stderr):
    """{module: (self us, cumulative us, depth)} from python -X importtime output."""
    modules = {}
    for line in stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            modules[match.group(4)] = (int(match.group(1)), int(match.group(2)), len(match.group(3)))
    return modules


def profile(runner, rounds):
    payloads = keep_payloads(runner)
    whole = collections.defaultdict(list)
    startup = []
    importtimes = collections.defaultdict(list)
    phases = collections.defaultdict(lambda: collections.defaultdict(list))
    for dummy in range(rounds):
        started = time.perf_counter()
        subprocess.run([PYTHON, '-c', 'pass'], check=True)
        startup.append(time.perf_counter() - started)
        for kind, path in payloads.items():
            seconds, process = run_payload(path)
            if '"failed": true' in process.stdout:
                raise RuntimeError('profile: the %s module failed: %s' % (kind, process.stdout))
            whole[kind].append(seconds)
            dummy_seconds, process = run_payload(path, '-X', 'importtime')
            importtimes[kind].append(imported(process.stderr))
            process = subprocess.run([PYTHON, str(HERE / 'profile_run.py'), str(path)],
                                     stdout=subprocess.PIPE, text=True, check=True)
            for phase, seconds in json.loads(process.stdout)['phases'].items():
                phases[kind][phase].append(seconds)
    sizes = {kind: path.stat().st_size for kind, path in payloads.items()}
    return {'startup': startup, 'whole': whole, 'importtimes': importtimes, 'phases': phases, 'sizes': sizes}


def extra_imports(importtimes, kind, reference='ping'):
    """Median self time per top-level package of what `kind` imports and `reference` does not."""
    reference_modules = set().union(*importtimes[reference])
    per_run = []
    for modules in importtimes[kind]:
        packages = collections.Counter()
        for name, (self_us, dummy, dummy2) in modules.items():
            if name not in reference_modules:
                top = 'this collection' if name.startswith('ansible_collections') else name.split('.')[0]
                packages[top] += self_us
        per_run.append(packages)
    tops = set().union(*per_run)
    return {top: statistics.median([run.get(top, 0) for run in per_run]) / 1e6 for top in tops}


# --- the table ---------------------------------------------------------------------------------------------------


def ms(seconds):
    return '%.0f ms' % (seconds * 1000)


def ratio(value):
    return '%.2fx' % value


def verdict(value, goal):
    return 'met' if round(value, 2) <= goal else 'MISSED'  # as the table shows it


def print_table(rows):
    widths = [max(len(str(row[column])) for row in rows) for column in range(len(rows[0]))]
    for number, row in enumerate(rows):
        print('  '.join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
        if number == 0:
            print('  '.join('-' * width for width in widths))


def inventory_rows(args, inventory_times):
    rows = []
    for size, figures in sorted(inventory_times.items()):
        goal = -(-size // 50)
        rows += [
            ('inventory %d' % size, 'ansible-inventory --list, requests sent', '%.1f s, %d requests' % (
                figures['list'], figures['requests']), '%d requests' % goal, 'met' if figures['requests'] == goal else 'MISSED'),
            ('inventory %d' % size, 'role over it, first run (forks %d, accounts mapped)' % args.forks,
             '%.1f s' % figures['role first run'], '', ''),
            ('inventory %d' % size, 'no-op: role / bare mapping module play (fastest of %d)' % INVENTORY_ROUNDS,
             '%.1f s / %.1f s = %s' % (figures['role no-op'], figures['module no-op'], ratio(figures['role no-op'] / figures['module no-op'])),
             '<= 1.60x', verdict(figures['role no-op'] / figures['module no-op'], 1.60)),
        ]
    return rows


def build_rows(args, times, fleet_times, counts, prof):
    med = {kind: statistics.median(values) for kind, values in times.items()}
    low = {kind: min(values) for kind, values in times.items()}

    def task_ms(kind):
        """A median, with the fastest run beside it: on a busy machine the spread is wide."""
        return '%.0f ms (min %.0f)' % (med[kind] * 1000, low[kind] * 1000)
    n = len(times['noop-mapping'])
    rows = [('section', 'figure', 'value', 'goal', 'result')]
    noop_uri = med['noop-mapping'] / med['noop-uri']
    noop_ping = med['noop-mapping'] / med['noop-ping']
    change = med['change-mapping'] / med['change-uripair']
    rows += [
        ('per task', 'a. mapping module, no-op (median of %d tasks)' % n, task_ms('noop-mapping'), '', ''),
        ('per task', 'b. ansible.builtin.uri, same GET (median of %d)' % n, task_ms('noop-uri'), '', ''),
        ('per task', 'c. ansible.builtin.ping (median of %d)' % n, task_ms('noop-ping'), '', ''),
        ('per task', 'a/b', ratio(noop_uri), '<= 0.90x', verdict(noop_uri, 0.90)),
        ('per task', 'a/c', ratio(noop_ping), '<= 1.20x', verdict(noop_ping, 1.20)),
        ('per task', 'a. / the same no-op with the request budget off (median of %d)' % n, '%s / %s = %s' % (
            task_ms('noop-mapping'), task_ms('noop-nobudget'), ratio(med['noop-mapping'] / med['noop-nobudget'])), '<= 1.03x',
         verdict(med['noop-mapping'] / med['noop-nobudget'], 1.03)),
        ('reference', 'd. ping as a collection module (reference/ref_ping.py)', '%s = %s c' % (
            task_ms('ref-ping'), ratio(med['ref-ping'] / med['noop-ping'])), '', ''),
        ('reference', 'e. d + import requests, no request: floor of any requests module', '%s = %s c' % (
            task_ms('ref-import'), ratio(med['ref-import'] / med['noop-ping'])), '', ''),
        ('reference', 'f. plainest requests module, the same GET', '%s = %s c = %s b' % (
            task_ms('ref-get'), ratio(med['ref-get'] / med['noop-ping']), ratio(med['ref-get'] / med['noop-uri'])), '', ''),
        ('reference', 'a/f (this module against the plainest one)', ratio(med['noop-mapping'] / med['ref-get']), '', ''),
        ('on change', 'mapping module, change (median of %d)' % n, task_ms('change-mapping'), '', ''),
        ('on change', 'uri GET + when-guarded uri POST (median of %d pairs)' % n, task_ms('change-uripair'), '', ''),
        ('on change', 'mapping / uri pair', ratio(change), '<= 0.50x', verdict(change, 0.50)),
    ]
    sizes = sorted({size for size, dummy in fleet_times})
    for size in sizes:
        mapping, uri = fleet_times[(size, 'mapping')], fleet_times[(size, 'uri')]
        rows.append(('fleet %d' % size, 'mapping play / uri play (forks %d, accounts created)' % args.forks,
                     '%.1f s / %.1f s = %s' % (mapping, uri, ratio(mapping / uri)), '<= 0.85x', verdict(mapping / uri, 0.85)))
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        rows.append(('fleet', 'growth %d -> %d accounts (linear = %.1fx)' % (first, last, last / first),
                     'mapping %s, uri %s' % (ratio(fleet_times[(last, 'mapping')] / fleet_times[(first, 'mapping')]),
                                             ratio(fleet_times[(last, 'uri')] / fleet_times[(first, 'uri')])), '', ''))
        for size in sizes:
            rows.append(('fleet', 'per account at %d (mapping, uri)' % size,
                         '%s, %s' % (ms(fleet_times[(size, 'mapping')] / size), ms(fleet_times[(size, 'uri')] / size)), '', ''))
    for name, (count, goal, statuses) in counts.items():
        goal_text = ('<= %d' % goal) if name == 'role no-op' else str(goal)
        good = count <= goal if name == 'role no-op' else count == goal
        rows.append(('requests', '%s (task %s)' % (name, '/'.join(statuses)), str(count), goal_text, 'met' if good else 'MISSED'))
    for name in ('rule set no-op', 'role no-op'):
        if name not in counts:
            rows.append(('requests', name, 'n/a: not in this checkout', '', ''))
    if prof:
        rows += profile_rows(prof)
    return rows


def profile_rows(prof):
    rows = []
    rounds = len(prof['startup'])
    rows.append(('profile', 'interpreter start, python -c pass (median of %d)' % rounds, ms(statistics.median(prof['startup'])), '', ''))
    for kind in ('mapping', 'uri', 'ping'):
        rows.append(('profile', '%s: whole module run, python AnsiballZ_*.py' % kind, ms(statistics.median(prof['whole'][kind])), '', ''))
    for kind in ('mapping', 'ping'):
        for phase, values in prof['phases'][kind].items():
            if kind == 'ping' and phase == 'HTTP':
                continue
            rows.append(('profile', '%s: %s' % (kind, phase), ms(statistics.median(values)), '', ''))
            if kind == 'mapping' and phase.startswith('import the module'):
                cumulative = [modules['requests'][1] / 1e6 for modules in prof['importtimes']['mapping'] if 'requests' in modules]
                rows.append(('profile', 'mapping:   of which import requests (-X importtime, cumulative)',
                             ms(statistics.median(cumulative)) if cumulative else 'n/a', '', ''))
    extra = extra_imports(prof['importtimes'], 'mapping')
    total = sum(extra.values())
    top = sorted(extra.items(), key=lambda item: -item[1])[:8]
    rows.append(('profile', 'mapping imports beyond ping (-X importtime, self times)', ms(total), '', ''))
    for name, seconds in top:
        rows.append(('profile', '  %s' % name, '%.1f ms' % (seconds * 1000), '', ''))
    extra_uri = extra_imports(prof['importtimes'], 'uri')
    rows.append(('profile', 'uri imports beyond ping (importtime, self)', ms(sum(extra_uri.values())), '', ''))
    rows.append(('profile', 'AnsiballZ payload: mapping / uri / ping',
                 ' / '.join('%.0f KB' % (prof['sizes'][kind] / 1024) for kind in ('mapping', 'uri', 'ping')), '', ''))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--iterations', type=int, default=30, help='tasks of each kind in the per-task benchmark (default 30)')
    parser.add_argument('--fleet', default='50,100,200', help='fleet sizes, comma-separated, or "" to skip (default 50,100,200)')
    parser.add_argument('--inventory', default='50,100,200',
                        help='accounts listed by the inventory plugin, comma-separated, or "" to skip (default 50,100,200)')
    parser.add_argument('--forks', type=int, default=20, help='forks for the fleet plays (default 20)')
    parser.add_argument('--profile-rounds', type=int, default=10, help='runs of each module for the profile, 0 to skip (default 10)')
    parser.add_argument('--budget-fleet', type=int, default=200, help='accounts of the fleet under the modelled limit, 0 to skip (default 200)')
    parser.add_argument('--budget-forks', type=int, default=40, help='forks of that fleet (default 40)')
    parser.add_argument('--only-budget-fleet', action='store_true', help='run only the fleet under the modelled limit')
    parser.add_argument('--work', type=Path, help='scratch directory (default: a temporary one, removed afterwards)')
    parser.add_argument('--json', type=Path, help='also write every measurement to this file')
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix='zerotrust-cloudflare-benchmark-'))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        with start_emulator('--rate-limit', '0/1', env=clean_env()) as emulator:
            runner = Runner(work, emulator)
            print('Emulator at %s; scratch in %s' % (emulator.base_url, work), file=sys.stderr)
            budget_results = {}
            if args.budget_fleet:
                print('budget fleet: %d hosts at forks %d ...' % (args.budget_fleet, args.budget_forks), file=sys.stderr)
                budget_results = budget_fleet(runner, args.budget_fleet, args.budget_forks)
            if args.only_budget_fleet:
                print_table([('section', 'figure', 'value', 'goal', 'result')] + budget_rows(args.budget_fleet, args.budget_forks, budget_results))
                return
            print('per task: %d rounds ...' % args.iterations, file=sys.stderr)
            times = per_task(runner, args.iterations)
            sizes = [int(size) for size in args.fleet.split(',') if size.strip()]
            print('fleet: %s hosts ...' % sizes, file=sys.stderr)
            fleet_times = fleet(runner, sizes, args.forks)
            inventory_sizes = [int(size) for size in args.inventory.split(',') if size.strip()]
            print('inventory: %s accounts ...' % inventory_sizes, file=sys.stderr)
            inventory_times = inventory_fleet(runner, inventory_sizes, args.forks)
            print('request counts ...', file=sys.stderr)
            counts = request_counts(runner)
            prof = None
            if args.profile_rounds:
                print('profile: %d rounds ...' % args.profile_rounds, file=sys.stderr)
                prof = profile(runner, args.profile_rounds)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    rows = build_rows(args, times, fleet_times, counts, prof) + inventory_rows(args, inventory_times)
    if budget_results:
        rows += budget_rows(args.budget_fleet, args.budget_forks, budget_results)
    print()
    print_table(rows)
    print('\n(all figures from this run, %.0f s; ansible-core %s, Python %s, %d CPUs)' % (
        time.perf_counter() - started, ansible_version(), sys.version.split()[0], os.cpu_count()))
    if args.json:
        args.json.write_text(json.dumps({
            'per_task': times, 'fleet': {'%d %s' % key: value for key, value in fleet_times.items()}, 'inventory': inventory_times,
            'requests': counts, 'profile': prof, 'budget_fleet': budget_results, 'table': rows}, indent=1, default=str), encoding='utf-8')


def ansible_version():
    from ansible.release import __version__  # pylint: disable=import-outside-toplevel
    return __version__


if __name__ == '__main__':
    main()
