# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inventory plugin zerotrust.cloudflare.accounts through ansible-inventory, and a fleet of accounts from it.

ansible-inventory --list, --export and --graph against the emulator's GET /accounts; secrets kept out of the output at
any verbosity; then a fleet run: the inventory of 120 accounts, the role dlp_email with forks 20 against an emulator
whose rate limit answers 429, 120 mappings, and a rerun that writes nothing.
"""

from __future__ import annotations

import collections
import json

import pytest

from harness import clean_env, visible_accounts
from playbook_runs import DEFAULT_TOKEN, ORG, SECRET_TOKEN, account, start_emulator

FLEET = 120
ACCOUNT_IDS = [account(2000 + number) for number in range(FLEET)]
ODD_NAME = "Tenant {{ lookup('env', 'HOME') }}"


def seed(emulator, count=FLEET, odd=False):
    """Make ``count`` accounts visible; with ``odd`` the first one's name holds a template."""
    accounts = visible_accounts(ACCOUNT_IDS[:count])
    if odd:
        accounts[0]['name'] = ODD_NAME
    emulator.set_visible_accounts(accounts)
    return accounts


def account_list_queries(emulator):
    return [entry['query'] for entry in emulator.log() if entry['path'] == '/client/v4/accounts']


def test_list_120_accounts_in_3_requests_with_keyed_groups(ansible, emu):
    seeded = seed(emu, odd=True)
    source = ansible.accounts_source(emu, keyed_groups=[{'key': 'cloudflare_account_type', 'prefix': 'cloudflare'}])
    run = ansible.inventory_command(source, '--list')
    assert run.returncode == 0, run.output
    assert account_list_queries(emu) == ['page=%d&per_page=50' % page for page in (1, 2, 3)]
    listed = json.loads(run.stdout)
    hostvars = listed['_meta']['hostvars']
    assert sorted(hostvars) == sorted(ACCOUNT_IDS)
    assert sorted(listed['cloudflare_enterprise']['hosts']) == sorted(a['id'] for a in seeded if a['type'] == 'enterprise')
    assert sorted(listed['cloudflare_standard']['hosts']) == sorted(a['id'] for a in seeded if a['type'] == 'standard')
    assert len(listed['cloudflare_enterprise']['hosts']) == FLEET // 3

    assert hostvars[ACCOUNT_IDS[1]] == {
        'cloudflare_account_id': ACCOUNT_IDS[1], 'cloudflare_account_name': 'Tenant 001', 'cloudflare_account_type': 'standard',
        'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'}
    assert hostvars[ACCOUNT_IDS[0]]['cloudflare_account_name'] == {'__ansible_unsafe': ODD_NAME}  # the one with braces


def test_export_keeps_the_values_plain(ansible, emu):
    seed(emu, count=3)
    run = ansible.inventory_command(ansible.accounts_source(emu), '--list', '--export')
    assert run.returncode == 0, run.output
    assert '__ansible_unsafe' not in run.stdout
    assert json.loads(run.stdout)['_meta']['hostvars'][ACCOUNT_IDS[2]]['cloudflare_account_type'] == 'enterprise'
    assert len(account_list_queries(emu)) == 1


def test_graph_of_four_accounts(ansible, emu):
    seed(emu, count=4)
    source = ansible.accounts_source(emu, keyed_groups=[{'key': 'cloudflare_account_type', 'prefix': 'cloudflare'}])
    run = ansible.inventory_command(source, '--graph')
    print('\nansible-inventory --graph of 4 accounts:\n' + run.stdout)
    assert run.returncode == 0, run.output
    assert run.stdout.splitlines() == [
        '@all:', '  |--@ungrouped:', '  |--@cloudflare_standard:', '  |  |--' + ACCOUNT_IDS[0], '  |  |--' + ACCOUNT_IDS[1],
        '  |  |--' + ACCOUNT_IDS[3], '  |--@cloudflare_enterprise:', '  |  |--' + ACCOUNT_IDS[2]]


def test_a_token_from_extra_vars(ansible, emu):
    seed(emu, count=1)
    run = ansible.inventory_command(ansible.accounts_source(emu, api_token='{{ fleet_token }}'), '--list', '-e',
                                    'fleet_token=' + DEFAULT_TOKEN)
    assert run.returncode == 0, run.output
    assert list(json.loads(run.stdout)['_meta']['hostvars']) == ACCOUNT_IDS[:1]


def test_failures_name_cloudflare_codes_and_never_the_secret(ansible, emu):
    """A credential the API rejects, and one whose rejection echoes it, at the highest verbosity."""
    seed(emu, count=1)
    wrong = ansible.inventory_command(ansible.accounts_source(emu, api_token=SECRET_TOKEN[::-1]), '--list', '-vvvv')
    emu.add_fault(method='GET', path='/client/v4/accounts', status=403,
                  json={'success': False, 'errors': [{'code': 10000, 'message': 'Authentication error: ' + SECRET_TOKEN}],
                        'messages': [], 'result': None})
    echoed = ansible.inventory_command(ansible.accounts_source(emu, api_token=SECRET_TOKEN), '--list', '-vvvv')
    for run, secret in ((wrong, SECRET_TOKEN[::-1]), (echoed, SECRET_TOKEN)):
        assert run.returncode != 0
        assert '[10000] Authentication error' in run.output and 'HTTP 403' in run.output
        assert secret[-16:] not in run.output and secret[:16] not in run.output


# --- the fleet: inventory, then the role over it, under the rate limit ---------------------------------------------

ROLE_VARS = {'dlp_email_api_token': DEFAULT_TOKEN, 'dlp_email_auth_type': 'Org',
             'dlp_email_allowed_microsoft_organizations': ORG['allowed_microsoft_organizations']}
WRITES = ('POST', 'PUT', 'PATCH', 'DELETE')


@pytest.fixture(scope='module')
def limited_emulator():
    """A lowered rate limit, and the first 30 requests answered 429 whatever the machine's speed."""
    emulator = start_emulator('--token', DEFAULT_TOKEN, '--rate-limit', '30/1', env=clean_env())
    yield emulator
    emulator.stop()


@pytest.fixture(scope='module')
def fleet_runs(ansible, limited_emulator):  # pylint: disable=redefined-outer-name
    seed(limited_emulator)
    limited_emulator.add_fault(method='*', path='*', status=429, headers={'Retry-After': '1'}, count=30)
    source = ansible.accounts_source(limited_emulator)
    plays = [{'name': 'fleet', 'hosts': 'all', 'gather_facts': False,
              'vars': dict(ROLE_VARS, dlp_email_api_base_url=limited_emulator.base_url),
              'roles': [{'role': 'zerotrust.cloudflare.dlp_email'}]}]
    runs = []
    for dummy in range(2):
        limited_emulator.clear_log()
        run = ansible.run(plays, source, forks=20, env={'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'true'})
        runs.append((run, limited_emulator.log(), limited_emulator.state()['accounts']))
    return runs


@pytest.mark.fleet
def test_fleet_maps_every_account_once_through_429s(fleet_runs):  # pylint: disable=redefined-outer-name
    run, log, state = fleet_runs[0]
    assert run.returncode == 0, run.output[-3000:]
    assert set(run.recap) == set(ACCOUNT_IDS) and all(recap['failed'] == 0 for recap in run.recap.values())
    assert sum(1 for entry in log if entry['status'] == 429) >= 30
    mapped = {account_id: entry['mapping'] for account_id, entry in state.items() if entry['mapping']}
    assert set(mapped) == set(ACCOUNT_IDS)
    assert all(mapping['auth_requirements'] == ORG for mapping in mapped.values())
    posts = collections.Counter(entry['path'] for entry in log if entry['method'] == 'POST' and entry['status'] == 200)
    assert len(posts) == FLEET and set(posts.values()) == {1}


@pytest.mark.fleet
def test_fleet_rerun_writes_nothing(fleet_runs):  # pylint: disable=redefined-outer-name
    run, log, state = fleet_runs[1]
    assert run.returncode == 0, run.output[-3000:]
    assert all(recap['changed'] == 0 and recap['failed'] == 0 for recap in run.recap.values())
    assert not [entry for entry in log if entry['method'] in WRITES]
    answered = collections.Counter(entry['path'] for entry in log if entry['method'] == 'GET' and entry['status'] == 200)
    assert answered['/client/v4/accounts'] == 3 and len(answered) == FLEET + 1
    assert {account_id: entry['mapping'] for account_id, entry in state.items()} == \
        {account_id: entry['mapping'] for account_id, entry in fleet_runs[0][2].items()}
