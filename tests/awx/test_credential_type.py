# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX credential type in docs/awx/: valid as AWX checks it, and its injectors, rendered as AWX renders
them, run the collection's main playbook through ansible-runner (AWX's own runner) against the emulator."""

from __future__ import annotations

import json
import os
import re

import ansible_runner
import pytest
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

import harness
from harness import DEFAULT_EMAIL, DEFAULT_KEY, DEFAULT_TOKEN, ROOT

INPUTS = yaml.safe_load((ROOT / 'docs' / 'awx' / 'credential_type_inputs.yml').read_text(encoding='utf-8'))
INJECTORS = yaml.safe_load((ROOT / 'docs' / 'awx' / 'credential_type_injectors.yml').read_text(encoding='utf-8'))
PLAYBOOK = ROOT / 'playbooks' / 'dlp_email_mapping.yml'
GUIDE = ROOT / 'docs' / 'docsite' / 'rst' / 'awx.rst'
INVENTORY_SOURCE = ROOT / 'docs' / 'awx' / 'fleet.cloudflare.yml'
ACCOUNT = '5a7805061c76ada191ed06f989cc3dac'


def render_injectors(values):
    """The environment AWX gives a job for a credential with these input values.

    As AWX's CredentialType.inject_credential does: each env template is rendered with Jinja2's immutable
    sandbox over the credential's inputs; an input left empty is not in the credential, so its variable is
    undefined and renders as an empty string (boolean inputs would default to False).
    """
    namespace = {field['id']: values[field['id']] for field in INPUTS['fields'] if values.get(field['id']) not in (None, '')}
    for field in INPUTS['fields']:
        if field['type'] == 'boolean':
            namespace.setdefault(field['id'], False)
    sandbox = ImmutableSandboxedEnvironment()
    return {name: sandbox.from_string(template).render(**namespace) for name, template in INJECTORS['env'].items()}


@pytest.fixture(autouse=True)
def only_injected_environment(monkeypatch):
    """ansible-runner passes this process's environment to the job: no ANSIBLE_* setting may reach it either."""
    for name in list(os.environ):
        if harness.is_stray(name, ansible=True):
            monkeypatch.delenv(name)


def test_inputs_are_a_valid_awx_credential_type():
    """The checks AWX applies to a custom credential type's inputs and injectors, and the variables the modules read."""
    fields = INPUTS['fields']
    ids = [field['id'] for field in fields]
    assert len(ids) == len(set(ids))
    for field in fields:
        assert set(field) <= {'id', 'label', 'type', 'secret', 'help_text', 'multiline', 'choices', 'default', 'format', 'ask_at_runtime'}
        assert re.match(r'^[a-zA-Z_][a-zA-Z0-9_]*$', field['id'])
        assert field['type'] in ('string', 'boolean') and field['label']
    assert set(INPUTS.get('required', [])) <= set(ids)
    assert {field['id'] for field in fields if field.get('secret')} == {'api_token', 'api_key'}
    assert 'required' not in INPUTS  # an inventory source of the inventory plugin needs no account ID
    assert set(INJECTORS) == {'env'}
    for template in INJECTORS['env'].values():
        assert meta.find_undeclared_variables(ImmutableSandboxedEnvironment().parse(template)) <= set(ids)
    assert INJECTORS['env'] == {
        'CLOUDFLARE_API_TOKEN': '{{ api_token }}',
        'CLOUDFLARE_EMAIL': '{{ api_email }}',
        'CLOUDFLARE_API_KEY': '{{ api_key }}',
        'CLOUDFLARE_ACCOUNT_ID': '{{ account_id }}',
        'CLOUDFLARE_BASE_URL': '{{ api_base_url }}',
        'CLOUDFLARE_RATE_LIMIT_BUDGET': '{{ rate_limit_budget }}',
        'CLOUDFLARE_RATE_LIMIT_WINDOW': '{{ rate_limit_window }}',
    }


def test_guide_shows_the_same_credential_type():
    """docs/docsite/rst/awx.rst quotes the two files: every field and every injector line must be there."""
    guide = GUIDE.read_text(encoding='utf-8')
    for field in INPUTS['fields']:
        assert '- id: %s\n' % field['id'] in guide
    for name, template in INJECTORS['env'].items():
        assert "%s: '%s'" % (name, template) in guide


def test_unset_inputs_render_empty():
    """A token-only credential injects empty email, key and base URL, which the modules treat as unset."""
    env = render_injectors({'api_token': 'secret-token', 'account_id': ACCOUNT})
    assert env == {'CLOUDFLARE_API_TOKEN': 'secret-token', 'CLOUDFLARE_EMAIL': '', 'CLOUDFLARE_API_KEY': '',
                   'CLOUDFLARE_ACCOUNT_ID': ACCOUNT, 'CLOUDFLARE_BASE_URL': '', 'CLOUDFLARE_RATE_LIMIT_BUDGET': '',
                   'CLOUDFLARE_RATE_LIMIT_WINDOW': ''}


def run_job(tmp_path, collections_path, credential, playbook, project_files=None):
    """ansible_runner.run as AWX runs a job: the credential's injected env, a private data dir, the playbook."""
    private = tmp_path / 'runner'
    (private / 'project').mkdir(parents=True)
    for name, text in (project_files or {}).items():
        (private / 'project' / name).write_text(text, encoding='utf-8')
    envvars = render_injectors(credential)
    envvars.update(ANSIBLE_COLLECTIONS_PATH=str(collections_path), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
                   ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    result = ansible_runner.run(private_data_dir=str(private), playbook=str(playbook), envvars=envvars, quiet=True)
    stdout = result.stdout.read()
    assert result.status == 'successful' and result.rc == 0, stdout
    return result, stdout


def artifacts(result):
    """What AWX shows as the job's artifacts: the set_stats data of the runner's playbook_on_stats event."""
    stats_events = [event for event in result.events if event.get('event') == 'playbook_on_stats']
    assert len(stats_events) == 1
    return stats_events[0]['event_data']['artifact_data']


CREDENTIALS = {
    'token': {'api_token': DEFAULT_TOKEN, 'api_email': '', 'api_key': ''},
    'email_and_key': {'api_email': DEFAULT_EMAIL, 'api_key': DEFAULT_KEY},
}


@pytest.mark.parametrize('kind', sorted(CREDENTIALS))
def test_main_playbook_with_credential(kind, emulator, collections_path, tmp_path):
    """The main playbook maps the account with only the injected env, and records the token for AWX's artifacts."""
    emulator.reset()
    credential = dict(CREDENTIALS[kind], account_id=ACCOUNT, api_base_url=emulator.base_url)
    result, stdout = run_job(tmp_path, collections_path, credential, PLAYBOOK)

    mapping = emulator.state()['accounts'][ACCOUNT]['mapping']
    assert result.stats['changed'] == {'localhost': 1}
    assert result.stats['failures'] == {}
    assert artifacts(result) == {'addin_identifier_token': mapping['addin_identifier_token']}
    assert DEFAULT_TOKEN not in stdout and DEFAULT_KEY not in stdout

    requests_sent = emulator.log()
    assert [(entry['method'], entry['status']) for entry in requests_sent] == [('GET', 404), ('POST', 200)]
    for entry in requests_sent:
        if kind == 'token':
            assert 'authorization' in entry['headers'] and 'x-auth-email' not in entry['headers']
        else:
            assert entry['headers'].get('x-auth-email') == DEFAULT_EMAIL and 'authorization' not in entry['headers']


@pytest.mark.parametrize('budget, window, shared', [('', '', True), ('0', '', False), ('5', '60', True)],
                         ids=['empty-is-the-default', 'off', 'set'])
def test_request_budget_from_the_credential(emulator, collections_path, tmp_path, budget, window, shared):
    """The budget fields reach the modules: empty means the default (a budget file), 0 turns it off (none)."""
    emulator.reset()
    credential = dict(CREDENTIALS['token'], account_id=ACCOUNT, api_base_url=emulator.base_url, rate_limit_budget=budget,
                      rate_limit_window=window)
    result, dummy = run_job(tmp_path, collections_path, credential, PLAYBOOK)
    assert result.stats['changed'] == {'localhost': 1}
    budget_files = os.path.join(os.environ['XDG_RUNTIME_DIR'], 'zerotrust.cloudflare')
    assert os.path.isdir(budget_files) == shared
    if shared:
        assert len(os.listdir(budget_files)) == 1


def test_project_playbook_from_the_guide(emulator, collections_path, tmp_path):
    """The guide's project playbook imports the collection's playbook by name; a second job changes nothing."""
    emulator.reset()
    credential = dict(CREDENTIALS['token'], account_id=ACCOUNT, api_base_url=emulator.base_url)
    project = {'dlp_email_mapping.yml': '- name: Map the Cloudflare account for the Outlook DLP add-in\n'
                                        '  ansible.builtin.import_playbook: zerotrust.cloudflare.dlp_email_mapping\n'}
    first, dummy = run_job(tmp_path / 'first', collections_path, credential, 'dlp_email_mapping.yml', project)
    second, dummy = run_job(tmp_path / 'second', collections_path, credential, 'dlp_email_mapping.yml', project)
    assert first.stats['changed'] == {'localhost': 1}
    assert second.stats['changed'] == {}
    assert artifacts(first) == artifacts(second)
    assert artifacts(first)['addin_identifier_token'] == emulator.state()['accounts'][ACCOUNT]['mapping']['addin_identifier_token']


def test_inventory_source_from_the_guide(emulator, collections_path, tmp_path):
    """The guide's project file, read as AWX's inventory update reads it (ansible-inventory --list --export through
    ansible-runner) with only what a token credential without an account ID injects."""
    emulator.reset()
    accounts = harness.visible_accounts(['%032x' % (0xa3c0 + number) for number in range(3)])
    emulator.set_visible_accounts(accounts)
    envvars = render_injectors(dict(CREDENTIALS['token'], api_base_url=emulator.base_url))
    assert envvars['CLOUDFLARE_ACCOUNT_ID'] == ''
    envvars.update(ANSIBLE_COLLECTIONS_PATH=str(collections_path), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
                   ANSIBLE_INVENTORY_UNPARSED_FAILED='true')
    (tmp_path / 'project').mkdir()
    out, err = ansible_runner.get_inventory('list', [str(INVENTORY_SOURCE)], response_format='json', export=True, envvars=envvars,
                                            private_data_dir=str(tmp_path), quiet=True)
    assert not err, err
    assert sorted(out['_meta']['hostvars']) == sorted(account['id'] for account in accounts)
    assert out['cloudflare_enterprise']['hosts'] == [accounts[2]['id']]
    assert out['_meta']['hostvars'][accounts[0]['id']]['cloudflare_account_name'] == 'Tenant 000'
    assert DEFAULT_TOKEN not in json.dumps(out)
    guide = GUIDE.read_text(encoding='utf-8')
    for line in INVENTORY_SOURCE.read_text(encoding='utf-8').splitlines():
        if line and not line.startswith(('#', '---')):
            assert line in guide, line
