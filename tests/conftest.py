# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of every test suite (units, emulator, reliability, role, AWX), from tests/harness.py.

A suite that needs the emulator started with other options overrides ``emulator_options``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402  pylint: disable=wrong-import-position

harness.make_collection_importable()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line('markers', 'fleet: a play over a fleet of a hundred accounts or more at forks 20 (the nox session fleet)')


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No CLOUDFLARE_*, proxy or CA bundle variable from the caller's shell may reach a test; and each test has its
    own request budget files (XDG_RUNTIME_DIR), so that no test waits for the requests of another."""
    for name in list(os.environ):
        if harness.is_stray(name):
            monkeypatch.delenv(name)
    monkeypatch.setenv('XDG_RUNTIME_DIR', str(tmp_path_factory.mktemp('run')))


@pytest.fixture(scope='session')
def collections_path() -> Path:
    """A directory for ANSIBLE_COLLECTIONS_PATH holding this checkout as zerotrust.cloudflare."""
    return harness.collections_path()


@pytest.fixture(scope='session')
def emulator_options() -> tuple[str, ...]:
    """Command-line options of the suite's emulator (default: the default token, email and key)."""
    return ()


@pytest.fixture(scope='session')
def running_emulators() -> dict[tuple[str, ...], harness.Emulator]:
    """The emulators of the session, one per set of options, stopped at its end."""
    started: dict[tuple[str, ...], harness.Emulator] = {}
    yield started
    for running in started.values():
        running.stop()


@pytest.fixture(scope='module')
def emulator(emulator_options: tuple[str, ...], running_emulators) -> harness.Emulator:  # pylint: disable=redefined-outer-name
    """The emulator started with the suite's options (module-scoped, so that suites with other options that run in
    one pytest session each get theirs; the process itself is shared)."""
    if emulator_options not in running_emulators:
        running_emulators[emulator_options] = harness.start_emulator(*emulator_options, env=harness.clean_env())
    return running_emulators[emulator_options]


@pytest.fixture
def emu(emulator: harness.Emulator) -> harness.Emulator:  # pylint: disable=redefined-outer-name
    """The session's emulator, reset to an empty state, log and configuration."""
    emulator.reset()
    return emulator


@pytest.fixture(scope='session')
def ansible(tmp_path_factory: pytest.TempPathFactory) -> harness.Ansible:
    """Runs ansible-playbook with the collection, from a clean environment, in a scratch directory."""
    return harness.Ansible(tmp_path_factory.mktemp('ansible'))
