# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the role's tests, on top of tests/conftest.py: an emulator that accepts TOKEN, and the role's runner."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from role_runner import TOKEN, RoleRunner  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def emulator_options() -> tuple[str, ...]:
    return ("--token", TOKEN)


@pytest.fixture(name="role")
def fixture_role(emu, ansible, tmp_path: Path) -> RoleRunner:  # pylint: disable=unused-argument
    """Runs the role against the freshly reset emulator."""
    return RoleRunner(ansible, tmp_path)
