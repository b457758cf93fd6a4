# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""API data never runs as a template: the inventory plugin through a real ansible-playbook of the ansible-core under
test (2.16 templates inventory_hostname, 2.19 does not), against accounts scripted on a local HTTP server. Each case
puts a lookup('pipe', 'touch FILE') where a template could run, and the file must never appear.

These run with every ansible-test units session, so the ansible-core versions that template host names are covered."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import ansible_collections.zerotrust.cloudflare as collection
from ansible_collections.zerotrust.cloudflare.tests.unit.plugins.scripted_api import TOKEN, envelope

ACCOUNTS = '/client/v4/accounts'
ACCOUNT_ID = '%032x' % 0xacc0


def collections_root():
    """The directory that holds ansible_collections/zerotrust/cloudflare (ansible-test's copy, or the test symlink)."""
    return str(Path(list(collection.__path__)[0]).parents[2])


def ansible_playbook():
    beside = Path(sys.executable).with_name('ansible-playbook')
    return str(beside) if beside.exists() else shutil.which('ansible-playbook')


def run_play(httpserver, tmp_path, accounts, **config):
    """ansible-playbook over the plugin's hosts: one task that uses inventory_hostname, group_names and the account's
    name, as the role does."""
    httpserver.expect_request(ACCOUNTS, method='GET').respond_with_json(
        dict(envelope(accounts), result_info={'page': 1, 'per_page': 50, 'total_pages': 1}))
    source = tmp_path / 'fleet.cloudflare.yml'
    source.write_text(json.dumps(dict({'plugin': 'zerotrust.cloudflare.accounts', 'api_token': TOKEN,
                                       'api_base_url': httpserver.url_for('/client/v4')}, **config)), encoding='utf-8')
    playbook = tmp_path / 'play.yml'
    playbook.write_text(json.dumps([{'hosts': 'all', 'gather_facts': False, 'tasks': [
        {'ansible.builtin.debug': {'msg': '{{ inventory_hostname }} {{ group_names }} {{ cloudflare_account_name }}'}},
        {'ansible.builtin.set_fact': {'seen': '{{ hostvars[inventory_hostname].group_names | join(",") }}'}},
    ]}]), encoding='utf-8')
    env = {name: value for name, value in os.environ.items() if not name.startswith(('ANSIBLE_', 'CLOUDFLARE_'))}
    env.update(ANSIBLE_COLLECTIONS_PATH=collections_root(), ANSIBLE_INVENTORY_UNPARSED_FAILED='true', ANSIBLE_NOCOLOR='true',
               ANSIBLE_LOCAL_TEMP=str(tmp_path / 'tmp'), ANSIBLE_HOME=str(tmp_path / 'home'), ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    return subprocess.run([ansible_playbook(), '-i', str(source), str(playbook), '-vvv'], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)


def unwrapped(text):
    """``text`` without white space: Ansible wraps warnings at 79 columns, breaking lines inside words too."""
    return ''.join(text.split())


def pipe(marker):
    return "{{ lookup('pipe', 'touch %s') }}" % marker


def test_an_account_id_holding_a_template_fails_the_source_and_runs_nothing(httpserver, tmp_path):
    marker = tmp_path / 'ran-from-the-id'
    hostile = pipe(marker)
    run = run_play(httpserver, tmp_path, [{'id': hostile, 'name': 'Tenant', 'type': 'standard'}])
    assert run.returncode != 0
    assert not marker.exists(), run.stdout + run.stderr
    expected = 'not 32 lower-case hexadecimal characters, so it names no host: %s' % json.dumps(hostile)
    assert unwrapped(expected) in unwrapped(run.stdout + run.stderr), run.stderr


def test_an_account_name_holding_a_template_runs_nothing_in_groups_or_variables(httpserver, tmp_path):
    marker = tmp_path / 'ran-from-the-name'
    run = run_play(httpserver, tmp_path, [{'id': ACCOUNT_ID, 'name': pipe(marker), 'type': 'standard'}],
                   keyed_groups=[{'key': 'cloudflare_account_name', 'prefix': 'name'}, {'key': 'cloudflare_account_type', 'prefix': 'cf'}],
                   groups={'named': 'cloudflare_account_name is defined'}, compose={'shown_name': 'cloudflare_account_name'})
    assert run.returncode == 0, run.stdout + run.stderr
    assert not marker.exists(), run.stdout
    assert 'cf_standard' in run.stdout and 'named' in run.stdout
