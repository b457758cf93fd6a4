# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Galaxy tarball, built once per session from this checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness import ROOT, executable


@pytest.fixture(scope='session')
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ansible-galaxy collection build of this checkout: exactly one tarball."""
    dist = tmp_path_factory.mktemp('dist')
    subprocess.run([executable('ansible-galaxy'), 'collection', 'build', '--force', '--output-path', str(dist), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (built,) = dist.glob('zerotrust-cloudflare-*.tar.gz')
    return built


@pytest.fixture(scope='session')
def installed(tarball: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tarball installed alone into an empty collections path; returns that path."""
    path = tmp_path_factory.mktemp('collections')
    subprocess.run([executable('ansible-galaxy'), 'collection', 'install', '--offline', '-p', str(path), str(tarball)],
                   check=True, capture_output=True, text=True)
    return path
