# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Galaxy tarball: no development files, the shipped extras present, accepted by galaxy-importer without a
warning, and, installed alone, its main playbook runs (changed, then ok)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tarfile

import pytest

from harness import ROOT, ansible_env, executable

ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353'
# Nothing that only development needs: virtual environments, scratch and test output, caches, CI, git, nox.
DEVELOPMENT = re.compile(r'(^|/)(\.venv[^/]*|\.nox|\.ansible|\.tmpbuild|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.tox|__pycache__|'
                         r'\.git|\.ci)(/|$)|^(scripts|build|tests/output)(/|$)|\.pyc$|^tests/integration/integration_config\.yml$|'
                         r'\.tar\.gz$|^(noxfile\.py|antsibull-nox\.toml|\.flake8|\.yamllint.*)$')
SHIPPED = ['MANIFEST.json', 'FILES.json', 'meta/runtime.yml', 'meta/execution-environment.yml', 'bindep.txt', 'requirements.txt',
           'playbooks/dlp_email_mapping.yml', 'plugins/modules/cloudflare_dlp_email_mapping.py', 'tests/unit',
           'tests/emulator/cf_emulator.py', 'tests/emulator/cloudflare-dlp-email.openapi.json',
           'tests/emulator/LICENSE-cloudflare-api-schemas', 'COPYING']


@pytest.fixture(scope='module')
def members(tarball):
    with tarfile.open(tarball) as archive:
        return sorted(name.lstrip('./').rstrip('/') for name in archive.getnames())


def test_no_development_files(members):
    assert [name for name in members if DEVELOPMENT.search(name)] == [], 'add them to build_ignore in galaxy.yml'


def test_shipped_extras(members):
    assert [path for path in SHIPPED if path not in members] == []


def test_galaxy_importer_accepts_it_without_a_warning(tarball):
    """What Galaxy runs on upload (offline: no ansible-test; ansible-lint on). antsibull-nox's build-import-check
    only warns about its ERROR lines and ignores its WARNING lines: here either fails."""
    # galaxy-importer runs ansible-doc and ansible-lint from PATH: those of this environment.
    env = dict(os.environ, GALAXY_IMPORTER_CONFIG=str(ROOT / 'tests' / 'galaxy-importer.cfg'),
               PATH=os.pathsep.join([os.path.dirname(sys.executable), os.environ['PATH']]))
    process = subprocess.run([sys.executable, '-m', 'galaxy_importer.main', tarball.name], cwd=tarball.parent, env=env,
                             capture_output=True, text=True, check=False)
    log = process.stdout + process.stderr
    assert process.returncode == 0, log
    assert [line for line in log.splitlines() if line.startswith(('WARNING:', 'ERROR:'))] == [], log
    assert 'Importing with galaxy-importer' in log, log


def test_installed_alone_the_main_playbook_runs(installed, tmp_path):
    """The emulator shipped in the tarball, and the main playbook by its collection name: changed, then ok, and the
    token recorded with set_stats is the emulator's."""
    collection = installed / 'ansible_collections' / 'zerotrust' / 'cloudflare'
    spec = importlib.util.spec_from_file_location('installed_control', collection / 'tests' / 'emulator' / 'control.py')
    control = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(control)
    env = ansible_env(ANSIBLE_COLLECTIONS_PATH=str(installed), ANSIBLE_SHOW_CUSTOM_STATS='true')
    listed = subprocess.run([executable('ansible-galaxy'), 'collection', 'list', 'zerotrust.cloudflare'], env=env,
                            capture_output=True, text=True, check=True).stdout
    assert '# %s' % (installed / 'ansible_collections') in listed, listed
    with control.start_emulator(env=env) as emulator:
        env.update(CLOUDFLARE_API_TOKEN=control.DEFAULT_TOKEN, CLOUDFLARE_ACCOUNT_ID=ACCOUNT, CLOUDFLARE_BASE_URL=emulator.base_url)
        runs = [subprocess.run([executable('ansible-playbook'), 'zerotrust.cloudflare.dlp_email_mapping'], env=env, cwd=tmp_path,
                               capture_output=True, text=True, check=False) for dummy in range(2)]
        mapping = emulator.state()['accounts'][ACCOUNT]['mapping']
    results = []
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
        recap = re.search(r'^localhost\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0', run.stdout, re.M)
        token = re.search(r'"addin_identifier_token": "([^"]+)"', run.stdout)
        assert recap and token, run.stdout
        results.append((int(recap.group(1)), token.group(1)))
    (first_changed, first_token), (second_changed, second_token) = results
    assert first_changed >= 1 and second_changed == 0
    assert first_token == second_token == mapping['addin_identifier_token']
