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
import socket
from typing import Any

import pytest

# DEFAULT_EMAIL and start_emulator are imported for the tests, from here.
# pylint: disable-next=unused-import
from harness import DEFAULT_EMAIL, DEFAULT_TOKEN, ROOT, Ansible, Emulator, Run, start_emulator  # noqa: F401

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


def case_of(entry: Any) -> Any:
    """A case, or the case inside a pytest.param."""
    return entry.values[0] if hasattr(entry, 'values') else entry


def available(entries: list[Any]) -> list[Any]:
    """The cases (plain or pytest.param) whose module is in this checkout."""
    return [case_of(entry) for entry in entries if module_exists(case_of(entry).module)]


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
    run = ansible.play(batch_tasks(cases), hosts, args=args)
    return Batch(run, emulator.log(), emulator.state()['accounts'], emulator.faults())
