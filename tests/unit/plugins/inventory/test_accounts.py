# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inventory plugin zerotrust.cloudflare.accounts, loaded as Ansible loads it and parsing a configuration file,
against answers scripted on a real local HTTP server: pages, host variables, groups, cache, errors and secrets."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultLib, VaultSecret
from ansible.plugins.loader import inventory_loader

from ansible_collections.zerotrust.cloudflare.tests.unit.plugins.scripted_api import KEY, TOKEN, envelope, expect

try:
    from ansible.template import is_trusted_as_template

    def is_unsafe(value):
        return not is_trusted_as_template(value)
except ImportError:  # ansible-core < 2.19
    from ansible.utils.unsafe_proxy import AnsibleUnsafe

    def is_unsafe(value):
        return isinstance(value, AnsibleUnsafe)

try:
    from ansible.parsing.vault import VaultSecretsContext
except ImportError:  # ansible-core < 2.19: the loader's secrets are enough
    VaultSecretsContext = None

ACCOUNTS = '/client/v4/accounts'
VAULT_SECRET = VaultSecret(b'unit-test-vault-password')


def account(number, **fields):
    """An account as GET /accounts lists it."""
    value = {'id': '%032x' % (0xacc0 + number), 'name': 'Tenant %03d' % number, 'type': 'standard',
             'created_on': '2024-01-01T00:00:00Z', 'settings': {'abuse_contact_email': None, 'enforce_twofactor': False}}
    value.update(fields)
    return value


def page(accounts, number=None, per_page=50, total=None):
    """One page of GET /accounts; with ``number`` it carries result_info (``total`` accounts in all)."""
    answer = envelope(accounts)
    if number is not None:
        total = len(accounts) if total is None else total
        answer['result_info'] = {'page': number, 'per_page': per_page, 'count': len(accounts), 'total_count': total,
                                 'total_pages': -(-total // per_page)}
    return answer


def query(number):
    return {'page': str(number), 'per_page': '50'}


@pytest.fixture
def source(tmp_path, httpserver):
    """Writes a configuration file for the plugin against the scripted server; returns its path."""

    def write(extra_yaml='', **options):
        """The plugin's options (None leaves one out), then ``extra_yaml`` as it is."""
        path = tmp_path / 'fleet.cloudflare.yml'
        config = dict({'plugin': 'zerotrust.cloudflare.accounts', 'api_token': TOKEN,
                       'api_base_url': httpserver.url_for('/client/v4')}, **options)
        path.write_text(yaml.safe_dump({name: value for name, value in config.items() if value is not None}) + extra_yaml,
                        encoding='utf-8')
        return path

    return write


@pytest.fixture
def warnings(monkeypatch):
    """The warnings the plugin shows."""
    shown = []
    monkeypatch.setattr(inventory_loader.get('zerotrust.cloudflare.accounts').display, 'warning', shown.append)
    return shown


def parse(path, cache=True, loader=None):
    """Parse ``path`` with the plugin as ansible-inventory would; returns the inventory and the plugin."""
    plugin = inventory_loader.get('zerotrust.cloudflare.accounts')
    assert plugin.verify_file(str(path))
    inventory = InventoryData()
    plugin.parse(inventory, loader or DataLoader(), str(path), cache=cache)
    return inventory, plugin


def host_vars(inventory, number):
    return inventory.get_host(account(number)['id']).vars


def parse_error(path):
    with pytest.raises(AnsibleParserError) as caught:
        parse(path)
    return str(caught.value)


# --- pages ---------------------------------------------------------------------------


def test_120_accounts_cost_three_pages_as_result_info_says(httpserver, source):
    fleet = [account(number) for number in range(120)]
    for number in (1, 2, 3):
        expect(httpserver, 'GET', ACCOUNTS, 200, page(fleet[(number - 1) * 50:number * 50], number, total=120), query=query(number))
    inventory, dummy = parse(source())
    assert len(httpserver.log) == 3
    assert sorted(inventory.hosts) == sorted(entry['id'] for entry in fleet)
    assert host_vars(inventory, 119)['cloudflare_account_name'] == 'Tenant 119'


def test_total_pages_is_followed_even_when_a_page_is_short(httpserver, source):
    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(0)], 1, total=60), query=query(1))
    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(1)], 2, total=60), query=query(2))
    inventory, dummy = parse(source())
    assert len(httpserver.log) == 2 and len(inventory.hosts) == 2


def test_without_result_info_the_first_short_page_is_the_last(httpserver, source):
    fleet = [account(number) for number in range(100)]
    expect(httpserver, 'GET', ACCOUNTS, 200, page(fleet[:50]), query=query(1))
    expect(httpserver, 'GET', ACCOUNTS, 200, page(fleet[50:]), query=query(2))
    expect(httpserver, 'GET', ACCOUNTS, 200, page([]), query=query(3))
    inventory, dummy = parse(source())
    assert len(httpserver.log) == 3 and len(inventory.hosts) == 100


def test_a_short_first_page_without_result_info_is_one_request(httpserver, source):
    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(0), account(1)]), query=query(1))
    inventory, dummy = parse(source())
    assert len(httpserver.log) == 1 and len(inventory.hosts) == 2


def test_no_accounts_is_an_empty_inventory(httpserver, source):
    expect(httpserver, 'GET', ACCOUNTS, 200, page([], 1), query=query(1))
    inventory, dummy = parse(source())
    assert not inventory.hosts and len(httpserver.log) == 1


@pytest.mark.usefixtures('no_sleep')
def test_a_page_that_keeps_failing_fails_the_source_naming_it(httpserver, source):
    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(n) for n in range(50)], 1, total=80), query=query(1))
    for dummy in range(4):  # the first try and three retries
        expect(httpserver, 'GET', ACCOUNTS, 503, envelope(None, False, [{'code': 10001, 'message': 'Service Unavailable'}]), query=query(2))
    message = parse_error(source())
    assert 'GET /accounts?page=2&per_page=50' in message and 'HTTP 503' in message and '[10001] Service Unavailable' in message
    assert len(httpserver.log) == 5


# --- host variables and groups -------------------------------------------------------


def test_host_variables(httpserver, source):
    partner = {'parent_org_id': 'b' * 32, 'parent_org_name': 'Partner Org'}
    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(0), account(1, type='enterprise', managed_by=partner)], 1))
    inventory, dummy = parse(source())
    plain = {name: value for name, value in host_vars(inventory, 0).items() if not name.startswith('inventory_')}
    assert plain == {'cloudflare_account_id': account(0)['id'], 'cloudflare_account_name': 'Tenant 000',
                     'cloudflare_account_type': 'standard', 'ansible_connection': 'local',
                     'ansible_python_interpreter': '{{ ansible_playbook_python }}'}
    assert host_vars(inventory, 1)['cloudflare_account_managed_by'] == partner
    assert host_vars(inventory, 1)['cloudflare_account_type'] == 'enterprise'


def test_only_strings_with_braces_are_unsafe(httpserver, source):
    odd = account(0, name="Tenant {{ lookup('env', 'HOME') }}", managed_by={'parent_org_id': 'b' * 32, 'parent_org_name': '{% raw %}'})
    expect(httpserver, 'GET', ACCOUNTS, 200, page([odd, account(1)], 1))
    inventory, dummy = parse(source())
    variables = host_vars(inventory, 0)
    assert is_unsafe(variables['cloudflare_account_name']) and is_unsafe(variables['cloudflare_account_managed_by']['parent_org_name'])
    assert not is_unsafe(variables['cloudflare_account_managed_by']['parent_org_id'])
    for name in ('cloudflare_account_id', 'cloudflare_account_type', 'ansible_connection', 'ansible_python_interpreter'):
        assert not is_unsafe(variables[name]), name
    assert not is_unsafe(host_vars(inventory, 1)['cloudflare_account_name'])


def test_keyed_groups_groups_and_compose(httpserver, source):
    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(0), account(1, type='enterprise'), account(2, type='enterprise')], 1))
    path = source(keyed_groups=[{'key': 'cloudflare_account_type', 'prefix': 'cloudflare'}],
                  groups={'first': "cloudflare_account_name == 'Tenant 000'"},
                  compose={'dlp_email_auth_type': "'Org' if cloudflare_account_type == 'enterprise' else 'NoAuth'"})
    inventory, dummy = parse(path)
    members = {name: sorted(host.name for host in group.get_hosts()) for name, group in inventory.groups.items()}
    assert members['cloudflare_enterprise'] == [account(1)['id'], account(2)['id']]
    assert members['cloudflare_standard'] == members['first'] == [account(0)['id']]
    assert [host_vars(inventory, number)['dlp_email_auth_type'] for number in range(3)] == ['NoAuth', 'Org', 'Org']


def test_strict_fails_on_a_bad_compose(httpserver, source):
    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(0)], 1))
    with pytest.raises(AnsibleError, match='undefined_variable'):
        parse(source(strict=True, compose={'x': 'undefined_variable.attribute'}))


# --- credentials ---------------------------------------------------------------------


def test_environment_credentials_and_base_url(httpserver, source, monkeypatch):
    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(0)], 1))
    monkeypatch.setenv('CLOUDFLARE_API_TOKEN', '')
    monkeypatch.setenv('CLOUDFLARE_TOKEN', TOKEN)
    monkeypatch.setenv('CLOUDFLARE_BASE_URL', httpserver.url_for('/client/v4'))
    parse(source(api_token=None, api_base_url=None))
    assert httpserver.log[0][0].headers['Authorization'] == 'Bearer ' + TOKEN


def test_email_and_key_in_the_file_win_over_a_token_in_the_environment(httpserver, source, monkeypatch):
    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(0)], 1))
    monkeypatch.setenv('CLOUDFLARE_API_TOKEN', 'token-from-environment')
    parse(source(api_token=None, api_email='admin@example.com', api_key=KEY))
    headers = httpserver.log[0][0].headers
    assert headers['X-Auth-Key'] == KEY and headers['X-Auth-Email'] == 'admin@example.com' and 'Authorization' not in headers


def test_templated_and_vaulted_credentials(httpserver, source, monkeypatch):
    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(0)], 1))
    parse(source(api_token="{{ 'unit-test-api-token-' ~ '7f3a9c0e5b1d4e2f8a6c' }}"))
    assert httpserver.log[0][0].headers['Authorization'] == 'Bearer ' + TOKEN

    httpserver.clear()
    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(0)], 1))
    vaulted = VaultLib([('default', VAULT_SECRET)]).encrypt(TOKEN).decode()
    loader = DataLoader()
    loader.set_vault_secrets([('default', VAULT_SECRET)])
    if VaultSecretsContext is not None:  # ansible-inventory --vault-password-file sets it up once per process
        monkeypatch.setattr(VaultSecretsContext, '_current', VaultSecretsContext([('default', VAULT_SECRET)]))
    parse(source('api_token: !vault |\n' + textwrap.indent(vaulted, '  '), api_token=None), loader=loader)
    assert httpserver.log[0][0].headers['Authorization'] == 'Bearer ' + TOKEN


# --- cache ---------------------------------------------------------------------------


def test_cache_is_read_back_unsafe_and_keyed_by_credential_and_base_url(httpserver, source, tmp_path):
    odd = account(1, name='{{ odd }}')
    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(0), odd], 1))
    path = source(cache=True, cache_plugin='ansible.builtin.jsonfile', cache_connection=str(tmp_path / 'cache'))
    dummy, plugin = parse(path)
    plugin.update_cache_if_changed()  # as the inventory manager does after parsing
    cached = list((tmp_path / 'cache').iterdir())
    assert len(cached) == 1 and TOKEN not in cached[0].name and TOKEN not in cached[0].read_text()

    inventory, dummy = parse(path)
    assert len(httpserver.log) == 1
    assert host_vars(inventory, 1)['cloudflare_account_name'] == '{{ odd }}'
    assert is_unsafe(host_vars(inventory, 1)['cloudflare_account_name'])
    assert not is_unsafe(host_vars(inventory, 0)['cloudflare_account_name'])

    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(2)], 1))
    inventory, dummy = parse(path, cache=False)  # --flush-cache
    assert len(httpserver.log) == 2 and list(inventory.hosts) == [account(2)['id']]

    expect(httpserver, 'GET', ACCOUNTS, 200, page([account(3)], 1))
    other = source(cache=True, cache_plugin='ansible.builtin.jsonfile', cache_connection=str(tmp_path / 'cache'),
                   api_token=None, api_email='admin@example.com', api_key=KEY)
    inventory, dummy = parse(other)
    assert len(httpserver.log) == 3 and list(inventory.hosts) == [account(3)['id']]


# --- errors: clear, with Cloudflare's codes, and before any request when they can be -------


BAD_OPTIONS = [
    ({'api_base_url': 'http://api.cloudflare.com/client/v4'}, 'api_base_url'),
    ({'api_base_url': 'ftp://127.0.0.1/client/v4'}, 'api_base_url'),
    ({'timeout': 0}, 'timeout'),
    ({'rate_limit_retry_timeout': -2}, 'rate_limit_retry_timeout'),
    ({'api_key': KEY}, 'api_token'),
    ({'api_token': None, 'api_email': 'admin@example.com'}, 'api_key'),
    ({'api_token': None}, 'api_token'),
    ({'api_token': TOKEN + '\n'}, 'api_token'),
]


@pytest.mark.parametrize('options, option', BAD_OPTIONS, ids=[name for dummy, name in BAD_OPTIONS])
def test_bad_options_fail_before_any_request(httpserver, source, options, option):
    message = parse_error(source(**options))
    assert option in message
    assert httpserver.log == []
    assert TOKEN not in message and KEY not in message


@pytest.mark.parametrize('status', [401, 403])
def test_authentication_errors_carry_cloudflare_codes(httpserver, source, status):
    expect(httpserver, 'GET', ACCOUNTS, status, envelope(None, False, [{'code': 10000, 'message': 'Authentication error'}]))
    message = parse_error(source())
    assert 'HTTP %d' % status in message and '[10000] Authentication error' in message and 'Check the credentials' in message


@pytest.mark.parametrize('body', ['<html><body>Bad gateway</body></html>', ['not', 'an', 'envelope']])
def test_an_answer_that_is_not_the_envelope(httpserver, source, body):
    expect(httpserver, 'GET', ACCOUNTS, 200, body)
    message = parse_error(source())
    assert 'not a Cloudflare API envelope' in message and 'HTTP 200' in message


@pytest.mark.parametrize('result', [{'id': 'x'}, [{'name': 'no id'}], ['x']])
def test_a_result_that_is_not_a_list_of_accounts(httpserver, source, result):
    expect(httpserver, 'GET', ACCOUNTS, 200, envelope(result))
    assert 'GET /accounts' in parse_error(source())


# --- secrets -------------------------------------------------------------------------


def test_secrets_never_in_errors_or_warnings(httpserver, source, monkeypatch, warnings):
    """The API echoing the credential in use, from the file or from the environment, with validate_certs false."""
    cases = [(TOKEN, {}), (KEY, {'api_token': None, 'api_email': 'admin@example.com', 'api_key': KEY}), (TOKEN, {'api_token': None})]
    monkeypatch.setenv('CLOUDFLARE_API_TOKEN', TOKEN)  # used by the last case only
    messages = []
    for secret, options in cases:
        expect(httpserver, 'GET', ACCOUNTS, 403, envelope(None, False, [{'code': 10000, 'message': 'Bad credential %s' % secret}]))
        messages.append(parse_error(source(validate_certs=False, **options)))
    assert len(httpserver.log) == 3
    assert all('[10000] Bad credential ********' in message for message in messages), messages
    assert len(warnings) == 3 and all('validate_certs' in warning for warning in warnings)
    for text in messages + warnings:
        assert TOKEN not in text and KEY not in text
