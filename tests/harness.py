# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every test suite of the collection shares: a clean environment, the collection on a collections path,
the emulator, and ansible-playbook runs against it.

tests/conftest.py turns these into pytest fixtures; the benchmark (not a pytest suite) imports them directly.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'tests' / 'emulator'))

# Re-exported for the suites: the emulator's client lives beside the emulator.
# pylint: disable-next=wrong-import-position,unused-import
from control import DEFAULT_EMAIL, DEFAULT_KEY, DEFAULT_TOKEN, Emulator, EmulatorError, start_emulator  # noqa: E402,F401

CALLBACK_PLUGINS = ROOT / 'tests' / 'callback_plugins'

# Variables that could send a test to a real account, authenticate it behind its back or route it through a proxy.
_STRAY_PREFIXES = ('CLOUDFLARE_',)
_STRAY_NAMES = ('HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'SSL_CERT_FILE')


# Where Ansible keeps its temporary files changes no behaviour: the caller's places (the noxfile's, under .nox/) stay.
_TEMP_PLACES = ('ANSIBLE_LOCAL_TEMP', 'ANSIBLE_REMOTE_TMP', 'ANSIBLE_ASYNC_DIR')


def is_stray(name: str, ansible: bool = False) -> bool:
    """Whether a variable must not reach a test; with ``ansible``, ANSIBLE_* too (a child ansible-playbook
    gets exactly the settings its runner gives it), but for the places of Ansible's temporary files."""
    upper = name.upper()
    return (upper.startswith(_STRAY_PREFIXES) or upper in _STRAY_NAMES
            or (ansible and upper.startswith('ANSIBLE_') and upper not in _TEMP_PLACES))


def clean_env(ansible: bool = True) -> dict[str, str]:
    """This process's environment without the stray variables, for a child process."""
    return {name: value for name, value in os.environ.items() if not is_stray(name, ansible)}


_COLLECTIONS: list[Path] = []


def collections_path() -> Path:
    """A directory for ANSIBLE_COLLECTIONS_PATH (and sys.path) that holds this checkout as zerotrust.cloudflare.

    Made once per process, as a symlink (the collection loader and Python's imports follow it), and removed at exit.
    """
    if not _COLLECTIONS:
        path = Path(tempfile.mkdtemp(prefix='zerotrust-cloudflare-collections-'))
        atexit.register(shutil.rmtree, path, True)
        (path / 'ansible_collections' / 'zerotrust').mkdir(parents=True)
        (path / 'ansible_collections' / 'zerotrust' / 'cloudflare').symlink_to(ROOT)
        _COLLECTIONS.append(path)
    return _COLLECTIONS[0]


def make_collection_importable() -> None:
    """ansible-test makes ansible_collections.zerotrust.cloudflare importable; plain pytest and scripts need this."""
    try:
        import ansible_collections.zerotrust.cloudflare  # noqa: F401  pylint: disable=unused-import,import-outside-toplevel
    except ImportError:
        sys.path.insert(0, str(collections_path()))


def ansible_env(*extra_collections: Path, **settings: str) -> dict[str, str]:
    """A clean environment for ansible-playbook with this collection (and ``extra_collections``) and quiet defaults."""
    env = clean_env()
    env.update(
        ANSIBLE_COLLECTIONS_PATH=os.pathsep.join(str(path) for path in (collections_path(),) + extra_collections),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
        ANSIBLE_LOCALHOST_WARNING='false',
        ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
        ANSIBLE_RETRY_FILES_ENABLED='false',
        ANSIBLE_NOCOLOR='true',
        ANSIBLE_FORCE_COLOR='false',
        ANSIBLE_HOST_KEY_CHECKING='false',
    )
    env.update(settings)
    return env


def executable(name: str) -> str:
    """A command of this Python's environment (the venv), whatever PATH says."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def visible_accounts(account_ids: list[str]) -> list[dict[str, Any]]:
    """Accounts for the emulator's GET /accounts (Emulator.set_visible_accounts): named Tenant 000, Tenant 001, ...,
    every third one of type enterprise, the others standard."""
    return [{'id': account_id, 'name': 'Tenant %03d' % number, 'type': 'enterprise' if number % 3 == 2 else 'standard'}
            for number, account_id in enumerate(account_ids)]


@dataclasses.dataclass
class Run:
    """What one ansible-playbook run produced; ``records`` are the events of the recorder callback."""

    returncode: int
    stdout: str
    stderr: str
    records: list[dict[str, Any]]
    seconds: float = 0.0

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def recap(self) -> dict[str, dict[str, int]]:
        """The PLAY RECAP: {host: {'ok': n, 'changed': n, ...}}."""
        return {match.group(1): {key: int(value) for key, value in re.findall(r'(\w+)=(\d+)', match.group(2))}
                for match in re.finditer(r'^(\S+)\s+:\s+(ok=.*)$', self.stdout, re.MULTILINE)}

    @property
    def task_results(self) -> list[dict[str, Any]]:
        """Every task result: {'host', 'task', 'status', 'result'} (status ok, changed, failed, skipped or unreachable)."""
        return [record for record in self.records if record['event'] == 'result']

    def results(self, host: str) -> list[dict[str, Any]]:
        """The host's task results, skipped tasks left out."""
        return [record for record in self.task_results if record['host'] == host and record['status'] != 'skipped']

    def result(self, host: str) -> dict[str, Any]:
        """The host's one task result that was not skipped."""
        found = self.results(host)
        assert len(found) == 1, 'expected one result for %s, got %s\n%s' % (host, found, self.stdout[-3000:])
        return found[0]


class Ansible:
    """Runs playbooks (a file, or plays and tasks given as data) with an inventory given as data, in a scratch
    directory, with the collection on the collections path and the recorder callback enabled."""

    def __init__(self, work: Path, *extra_collections: Path, **settings: str):
        self.work = work
        self.env = ansible_env(*extra_collections, ANSIBLE_CALLBACK_PLUGINS=str(CALLBACK_PLUGINS),
                               ANSIBLE_CALLBACKS_ENABLED='recorder', ANSIBLE_LOCAL_TEMP=str(work / 'ansible-local'),
                               ANSIBLE_REMOTE_TMP=str(work / 'ansible-remote'), **settings)
        self.count = 0

    def runtime_dir(self) -> str:
        """A fresh XDG_RUNTIME_DIR for one run, so that no run waits for the request budget of another (a test that
        wants runs to share one passes its own in ``env``)."""
        path = self.work / ('runtime-%d' % self.count)
        path.mkdir(mode=0o700, exist_ok=True)
        return str(path)

    def inventory(self, hosts: dict[str, dict[str, Any]] | None = None, **group_vars: Any) -> Path:
        """An inventory file of ``hosts`` ({name: vars}); hosts run locally with this Python unless their vars say otherwise."""
        self.count += 1
        path = self.work / ('inventory-%d.json' % self.count)
        variables = {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}
        variables.update(group_vars)
        path.write_text(json.dumps({'all': {'vars': variables, 'hosts': hosts if hosts is not None else {'localhost': {}}}}),
                        encoding='utf-8')
        return path

    def accounts_source(self, emulator: Emulator, **options: Any) -> Path:
        """A source file of the inventory plugin zerotrust.cloudflare.accounts against ``emulator`` with the default
        token; ``options`` add to or replace its options (None leaves one out)."""
        self.count += 1
        path = self.work / ('fleet-%d.cloudflare.yml' % self.count)
        config = dict({'plugin': 'zerotrust.cloudflare.accounts', 'api_token': DEFAULT_TOKEN, 'api_base_url': emulator.base_url},
                      **options)
        path.write_text(json.dumps({name: value for name, value in config.items() if value is not None}), encoding='utf-8')
        return path

    def inventory_command(self, source: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600) -> Run:
        """Run ansible-inventory -i ``source`` with ``args`` (such as --list); a failed source fails the command."""
        self.count += 1
        run_env = dict(self.env, ANSIBLE_INVENTORY_UNPARSED_FAILED='true', XDG_RUNTIME_DIR=self.runtime_dir())
        run_env.update(env or {})
        started = time.monotonic()
        process = subprocess.run([executable('ansible-inventory'), '-i', str(source), *args], env=run_env, cwd=self.work,
                                 capture_output=True, text=True, timeout=timeout, check=False)
        return Run(process.returncode, process.stdout, process.stderr, [], time.monotonic() - started)

    def run(self, playbook: Path | list[dict[str, Any]], inventory: Path | None = None, args: tuple[str, ...] = (),
            env: dict[str, str] | None = None, forks: int = 20, cwd: Path | None = None, timeout: float = 1200) -> Run:
        """Run ``playbook`` (a path, or a list of plays) and return its outcome, with the recorder's events."""
        self.count += 1
        prefix = self.work / ('run-%d' % self.count)
        if not isinstance(playbook, Path):
            path = prefix.with_suffix('.playbook.yml')
            path.write_text(json.dumps(playbook), encoding='utf-8')
            playbook = path
        records = prefix.with_suffix('.records.jsonl')
        run_env = dict(self.env, RECORDER_OUTPUT=str(records), XDG_RUNTIME_DIR=self.runtime_dir())
        run_env.update(env or {})
        command = [executable('ansible-playbook'), '-i', str(inventory or self.inventory()), '-f', str(forks), *args, str(playbook)]
        process = subprocess.run(command, env=run_env, cwd=cwd or self.work, capture_output=True, text=True,
                                 timeout=timeout, check=False)
        lines = records.read_text(encoding='utf-8').splitlines() if records.exists() else []
        events = [json.loads(line) for line in lines]
        seconds = events[-1]['time'] - events[0]['time'] if len(events) > 1 else 0.0
        return Run(process.returncode, process.stdout, process.stderr, events, seconds)

    def play(self, tasks: list[dict[str, Any]], hosts: dict[str, dict[str, Any]] | None = None, pattern: str = 'all',
             **options: Any) -> Run:
        """Run one play of ``tasks`` over ``hosts`` ({name: vars}; localhost by default)."""
        plays = [{'name': 'test', 'hosts': pattern, 'gather_facts': False, 'tasks': tasks}]
        return self.run(plays, self.inventory(hosts), **options)
