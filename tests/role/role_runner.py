# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs tests/role/playbook.yml (the role dlp_email) with ansible-playbook against the emulator."""

from __future__ import annotations

import json
from pathlib import Path

from harness import ROOT, Ansible, Run  # noqa: F401  pylint: disable=unused-import

PLAYBOOK = Path(__file__).resolve().with_name("playbook.yml")
TOKEN = "role-test-token"
# The managed hosts point at a closed port: a task that tried to reach them would fail as unreachable.
MANAGED = {"ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": 9, "ansible_user": "nobody"}


class RoleRun:
    """One run of the playbook: its outcome, and the facts the role set on each host."""

    def __init__(self, run: Run, results_dir: Path):
        self.rc = run.returncode
        self.output = run.output
        self.recap = run.recap
        self.facts = {path.stem: json.loads(path.read_text()) for path in sorted(results_dir.glob("*.json"))}


class RoleRunner:
    """Runs tests/role/playbook.yml over managed hosts that are never contacted."""

    def __init__(self, ansible: Ansible, tmp_path: Path):
        self.ansible = ansible
        self.tmp_path = tmp_path
        self.runs = 0

    def run(self, hosts: dict, group_vars: dict | None = None, args: tuple = (), env: dict | None = None) -> RoleRun:
        """Runs the playbook once. hosts maps host names to their variables; group_vars go to the group all."""
        self.runs += 1
        results_dir = self.tmp_path / ("run%d" % self.runs) / "results"
        results_dir.mkdir(parents=True)
        inventory = self.ansible.inventory({name: dict(MANAGED, **variables) for name, variables in hosts.items()},
                                           dlp_email_test_results_dir=str(results_dir), **(group_vars or {}))
        run = self.ansible.run(PLAYBOOK, inventory, args=args, env=dict({"ANSIBLE_PIPELINING": "1"}, **(env or {})),
                               forks=5, timeout=600)
        return RoleRun(run, results_dir)
