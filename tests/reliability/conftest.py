# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the reliability tests: scratch space, the ansible-playbook runner and a shared emulator."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

# pylint: disable-next=wrong-import-position
from playbook_runs import DEFAULT_EMAIL, DEFAULT_TOKEN, SECRET_KEY, SECRET_TOKEN, Ansible, Emulator, clean_env, start_emulator  # noqa: E402


@pytest.fixture(scope='session')
def work() -> Path:
    """Scratch space: playbooks, inventories and recorded results; kept in $RELIABILITY_WORK when that is set."""
    kept = os.environ.get('RELIABILITY_WORK')
    if kept:
        shutil.rmtree(kept, ignore_errors=True)
        Path(kept).mkdir(parents=True)
        yield Path(kept)
        return
    with tempfile.TemporaryDirectory(prefix='zerotrust-cloudflare-reliability-') as directory:
        yield Path(directory)


@pytest.fixture(scope='session')
def ansible(work: Path) -> Ansible:  # pylint: disable=redefined-outer-name
    return Ansible(work)


@pytest.fixture(scope='session')
def emulator() -> Emulator:
    """One emulator for the session; it accepts the default token, the secret token and the secret key (with the default email)."""
    started = start_emulator('--token', DEFAULT_TOKEN, '--token', SECRET_TOKEN, '--email', DEFAULT_EMAIL, '--key', SECRET_KEY,
                             '--rate-limit', '0/1', env=clean_env())
    yield started
    started.stop()
