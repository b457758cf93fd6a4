# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs tests/role/playbook.yml (the role dlp_email) with ansible-playbook against the emulator, from a clean environment."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "emulator"))

from control import Emulator  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK = Path(__file__).resolve().with_name("playbook.yml")
TOKEN = "role-test-token"
STRAY_PREFIXES = ("CLOUDFLARE_", "ANSIBLE_")
STRAY_NAMES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


def clean_env() -> dict[str, str]:
    """This process's environment without CLOUDFLARE_*, ANSIBLE_* and proxy variables."""
    return {name: value for name, value in os.environ.items()
            if not name.upper().startswith(STRAY_PREFIXES) and name.upper() not in STRAY_NAMES}


class PlaybookRun:
    """The outcome of one ansible-playbook run: exit status, output, the recap and each host's facts."""

    def __init__(self, completed: subprocess.CompletedProcess, results_dir: Path):
        self.rc = completed.returncode
        self.output = completed.stdout + completed.stderr
        self.recap = {
            match.group(1): {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(2))}
            for match in re.finditer(r"^(\S+)\s+:\s+(ok=.*)$", completed.stdout, re.MULTILINE)
        }
        self.facts = {path.stem: json.loads(path.read_text()) for path in sorted(results_dir.glob("*.json"))}


class RoleRunner:
    """Runs tests/role/playbook.yml with an inventory, against the emulator, from a clean environment."""

    def __init__(self, emulator: Emulator, tmp_path: Path, collections: Path):
        self.emulator = emulator
        self.tmp_path = tmp_path
        self.collections = collections
        self.runs = 0

    def run(self, hosts: dict, group_vars: dict | None = None, args: tuple = (), env: dict | None = None) -> PlaybookRun:
        """Runs the playbook once. hosts maps host names to their variables; group_vars go to the group all."""
        self.runs += 1
        run_dir = self.tmp_path / ("run%d" % self.runs)
        results_dir = run_dir / "results"
        results_dir.mkdir(parents=True)
        # The managed hosts point at a closed port: a task that tried to reach them would fail as unreachable.
        managed = {"ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": 9, "ansible_user": "nobody"}
        inventory = {"all": {
            "hosts": {name: dict(managed, **variables) for name, variables in hosts.items()},
            "vars": dict({"dlp_email_test_results_dir": str(results_dir)}, **(group_vars or {})),
        }}
        inventory_file = run_dir / "inventory.json"
        inventory_file.write_text(json.dumps(inventory))
        run_env = clean_env()
        run_env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(self.collections),
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_PIPELINING": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
        })
        run_env.update(env or {})
        command = [ansible_playbook(), "-i", str(inventory_file), str(PLAYBOOK), *args]
        completed = subprocess.run(command, cwd=run_dir, env=run_env, capture_output=True, text=True, timeout=600, check=False)
        return PlaybookRun(completed, results_dir)


def ansible_playbook() -> str:
    """ansible-playbook beside this Python (the virtual environment), else from PATH."""
    beside = Path(sys.executable).with_name("ansible-playbook")
    found = str(beside) if beside.exists() else shutil.which("ansible-playbook")
    if not found:
        pytest.skip("ansible-playbook is not installed")
    return found
