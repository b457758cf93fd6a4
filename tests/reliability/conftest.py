# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the reliability tests, on top of tests/conftest.py: where the runs are kept, and the emulator's
credentials and rate limit."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

# pylint: disable-next=wrong-import-position
from playbook_runs import DEFAULT_EMAIL, DEFAULT_TOKEN, SECRET_KEY, SECRET_TOKEN, Ansible  # noqa: E402


@pytest.fixture(scope='session')
def ansible(tmp_path_factory: pytest.TempPathFactory) -> Ansible:
    """Playbooks, inventories and recorded results go to $RELIABILITY_WORK when that is set (kept for a look), else
    to a scratch directory."""
    kept = os.environ.get('RELIABILITY_WORK')
    if kept:
        shutil.rmtree(kept, ignore_errors=True)
        Path(kept).mkdir(parents=True)
        return Ansible(Path(kept))
    return Ansible(tmp_path_factory.mktemp('reliability'))


@pytest.fixture(scope='session')
def emulator_options() -> tuple[str, ...]:
    """The default token, the secret token and the secret key (with the default email); no rate limit."""
    return ('--token', DEFAULT_TOKEN, '--token', SECRET_TOKEN, '--email', DEFAULT_EMAIL, '--key', SECRET_KEY,
            '--rate-limit', '0/1')
