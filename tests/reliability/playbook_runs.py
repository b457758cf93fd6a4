# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real ansible-playbook runs of the collection against the emulator, for the reliability tests.

Each test file runs its cases as one batch: one inventory host per case, each
with its own account (so faults and the emulator's log can be told apart),
forks 20. The emulator's log and state are snapshot right after the batch and
each case is then asserted on its own.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE.parent / 'emulator'))

# DEFAULT_EMAIL and start_emulator are imported for the tests, from here.
# pylint: disable-next=wrong-import-position,unused-import
from control import DEFAULT_EMAIL, DEFAULT_TOKEN, Emulator, start_emulator  # noqa: E402

COLLECTION = 'zerotrust.cloudflare'
MODULES = {
    'mapping': COLLECTION + '.cloudflare_dlp_email_mapping',
    'rule': COLLECTION + '.cloudflare_dlp_email_rule',
    'rules': COLLECTION + '.cloudflare_dlp_email_rules',
}
# Long, distinctive credentials: the secrets tests look for them (and for any 16-character piece of them) everywhere.
SECRET_TOKEN = 'ztcf-token-' + 'Q9vXw2LmK7pR4sT8yZ3nB6cD1fG5hJ0k' + 'aE7uI2oP9lM4nB8v'
SECRET_KEY = 'ztcf-key-' + 'c8F3kL9pQ2wE7rT1yU6iO4aS0dG5hJ2z' + 'M7xN3bV9cX1zA5sD'
ADDIN_TOKEN = '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e'
ORG = {'type': 'Org', 'allowed_microsoft_organizations': ['contoso.onmicrosoft.com']}
NOAUTH = {'type': 'NoAuth'}
# The ansible-playbook of this Python's environment (the venv), whatever PATH says.
ANSIBLE_PLAYBOOK = str(Path(sys.executable).with_name('ansible-playbook'))
STRAY_PREFIXES = ('CLOUDFLARE_', 'ANSIBLE_')
STRAY_NAMES = ('http_proxy', 'https_proxy', 'all_proxy', 'no_proxy', 'requests_ca_bundle', 'curl_ca_bundle', 'ssl_cert_file')


def clean_env() -> dict[str, str]:
    """This process's environment without CLOUDFLARE_*, ANSIBLE_* and proxy variables."""
    return {name: value for name, value in os.environ.items()
            if not name.upper().startswith(STRAY_PREFIXES) and name.lower() not in STRAY_NAMES}


def account(number: int) -> str:
    """A valid account ID (32 lower-case hex digits), distinct for each number."""
    return '%032x' % (0x5e1a0000000000000000000000000000 + number)


def module_exists(kind: str) -> bool:
    return (ROOT / 'plugins' / 'modules' / (MODULES[kind].rsplit('.', 1)[1] + '.py')).is_file()


def needs(kind: str) -> Any:
    """A pytest mark that skips a case whose module is not in this checkout yet."""
    return pytest.mark.skipif(not module_exists(kind), reason='%s is not in this checkout' % MODULES[kind])


def mapping_path(account_id: str) -> str:
    return '/client/v4/accounts/%s/dlp/email/account_mapping' % account_id


def rules_path(account_id: str) -> str:
    return '/client/v4/accounts/%s/dlp/email/rules' % account_id


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@dataclasses.dataclass
class Run:
    """What one ansible-playbook run produced."""

    returncode: int
    stdout: str
    stderr: str
    records: list[dict[str, Any]]

    def results(self, host: str) -> list[dict[str, Any]]:
        """The host's task results, skipped tasks left out."""
        return [record for record in self.records if record['host'] == host and record['status'] != 'skipped']

    def result(self, host: str) -> dict[str, Any]:
        """The host's one task result that was not skipped."""
        found = self.results(host)
        assert len(found) == 1, 'expected one result for %s, got %s\n%s' % (host, found, self.stdout[-3000:])
        return found[0]


class Ansible:
    """Runs generated playbooks with the collection on ANSIBLE_COLLECTIONS_PATH and a result recorder."""

    def __init__(self, work: Path):
        self.work = work
        link = work / 'collections' / 'ansible_collections' / 'zerotrust' / 'cloudflare'
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(ROOT)
        self.env = clean_env()
        self.env.update(
            ANSIBLE_COLLECTIONS_PATH=str(work / 'collections'),
            ANSIBLE_CALLBACK_PLUGINS=str(HERE / 'callback_plugins'),
            ANSIBLE_CALLBACKS_ENABLED='result_recorder',
            ANSIBLE_LOCALHOST_WARNING='false',
            ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
            ANSIBLE_RETRY_FILES_ENABLED='false',
            ANSIBLE_NOCOLOR='true',
            ANSIBLE_FORCE_COLOR='false',
            ANSIBLE_LOCAL_TEMP=str(work / 'ansible-local'),
            ANSIBLE_REMOTE_TMP=str(work / 'ansible-remote'),
        )
        self.count = 0

    def playbook(self, tasks: list[dict[str, Any]], hosts: dict[str, dict[str, Any]] | None = None, args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None, forks: int = 20) -> Run:
        """Run one play of `tasks` over `hosts` ({name: vars}, local connection, this Python); localhost by default."""
        self.count += 1
        prefix = self.work / ('run-%d' % self.count)
        inventory = prefix.with_suffix('.inventory.json')
        inventory.write_text(json.dumps({'all': {
            'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable},
            'hosts': hosts if hosts is not None else {'localhost': {}}}}), encoding='utf-8')
        playbook = prefix.with_suffix('.playbook.yml')
        playbook.write_text(json.dumps([{'name': 'reliability', 'hosts': 'all', 'gather_facts': False, 'tasks': tasks}]),
                            encoding='utf-8')
        records = prefix.with_suffix('.results.jsonl')
        run_env = dict(self.env, RESULT_RECORDER_OUTPUT=str(records))
        run_env.update(env or {})
        process = subprocess.run([ANSIBLE_PLAYBOOK, '-i', str(inventory), '-f', str(forks), *args, str(playbook)],
                                 env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
        lines = records.read_text(encoding='utf-8').splitlines() if records.exists() else []
        return Run(process.returncode, process.stdout, process.stderr, [json.loads(line) for line in lines])


def case_task(kind: str, options: list[str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """One task of `kind` whose options come from the host's `case.args` (an option a case leaves out is omitted)."""
    task = {
        'name': kind,
        MODULES[kind]: {option: '{{ case.args.%s | default(omit) }}' % option for option in options},
        'when': "case.module == '%s'" % kind,
        'check_mode': '{{ case.check_mode | default(false) }}',
        'diff': '{{ case.diff | default(false) }}',
        'environment': '{{ case.env | default({}) }}',
        'ignore_errors': True,
    }
    task.update(extra or {})
    return task


def batch_tasks(cases: list[Any]) -> list[dict[str, Any]]:
    """One task per module kind used by `cases`, with every option any of them sets."""
    tasks = []
    for kind in MODULES:
        options = sorted({option for case in cases if case.module == kind for option in case.args})
        if options:
            tasks.append(case_task(kind, options))
    return tasks


BASE_URL = '@BASE_URL@'  # replaced by the emulator's API URL when a batch runs
OMIT = object()  # connection(..., api_token=OMIT) leaves an option out


@dataclasses.dataclass
class Case:
    """One task run on its own inventory host (named `id`): a module kind, its options and how it is run."""

    id: str
    module: str
    args: dict[str, Any]
    check_mode: bool = False
    diff: bool = False
    env: dict[str, str] = dataclasses.field(default_factory=dict)


def connection(account_id: str | None, **options: Any) -> dict[str, Any]:
    """Options for a task against the emulator with the default token; None leaves account_id out."""
    args = {'api_token': DEFAULT_TOKEN, 'api_base_url': BASE_URL}
    if account_id is not None:
        args['account_id'] = account_id
    args.update(options)
    return {name: value for name, value in args.items() if value is not OMIT}


def resolve(value: Any, emulator: Emulator) -> Any:
    """`value` with BASE_URL replaced by the emulator's API URL, in every string."""
    if isinstance(value, str):
        return value.replace(BASE_URL, emulator.base_url)
    if isinstance(value, dict):
        return {key: resolve(item, emulator) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, emulator) for item in value]
    return value


@dataclasses.dataclass
class Batch:
    """A batch's run, with the emulator's log and state right after it."""

    run: Run
    log: list[dict[str, Any]]
    state: dict[str, Any]
    pending_faults: list[dict[str, Any]]

    def requests(self, account_id: str) -> list[dict[str, Any]]:
        """Log entries for one account."""
        return [entry for entry in self.log if '/accounts/%s/' % account_id in entry['path']]


def run_batch(ansible: Ansible, emulator: Emulator, cases: list[Any], state: dict[str, Any] | None = None,
              faults: list[dict[str, Any]] | None = None, args: tuple[str, ...] = (), reset: bool = True) -> Batch:
    """Reset the emulator (or only clear its log), load `state` and `faults`, run every case on its own host in one play."""
    if reset:
        emulator.reset()
    else:
        emulator.clear_log()
    if state:
        emulator.set_state({'accounts': state})
    for fault in faults or []:
        emulator.add_fault(**fault)
    hosts = {case.id: {'case': resolve({'module': case.module, 'args': case.args, 'check_mode': case.check_mode, 'diff': case.diff,
                                        'env': case.env}, emulator)}
             for case in cases}
    run = ansible.playbook(batch_tasks(cases), hosts=hosts, args=args)
    return Batch(run, emulator.log(), emulator.state()['accounts'], emulator.faults())
