# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the role's tests: a fresh emulator, and ansible-playbook runs of the role against it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# role_runner, and through it the emulator's control module, become importable.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from role_runner import ROOT, TOKEN, Emulator, RoleRunner, clean_env  # noqa: E402  pylint: disable=wrong-import-position
from control import start_emulator  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(name="collections", scope="session")
def fixture_collections(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory for ANSIBLE_COLLECTIONS_PATH holding this checkout as zerotrust.cloudflare."""
    path = tmp_path_factory.mktemp("collections")
    (path / "ansible_collections" / "zerotrust").mkdir(parents=True)
    (path / "ansible_collections" / "zerotrust" / "cloudflare").symlink_to(ROOT)
    return path


@pytest.fixture(name="shared_emulator", scope="session")
def fixture_shared_emulator() -> Emulator:
    """One emulator for the session, accepting TOKEN."""
    emulator = start_emulator("--token", TOKEN, env=clean_env())
    yield emulator
    emulator.stop()


@pytest.fixture(name="emu")
def fixture_emu(shared_emulator: Emulator) -> Emulator:
    """The shared emulator, reset to an empty state."""
    shared_emulator.reset()
    return shared_emulator


@pytest.fixture(name="role")
def fixture_role(emu: Emulator, tmp_path: Path, collections: Path) -> RoleRunner:
    """Runs the role against the fresh emulator."""
    return RoleRunner(emu, tmp_path, collections)
