# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: accounts
short_description: One host per Cloudflare account that the credentials can see
version_added: 0.2.0
description:
  - Lists the Cloudflare accounts that the API token (or the email address and global API key) has access to, and adds
    one host per account, named by its account ID, which is unique and stable (account names may repeat).
  - Made for the role R(zerotrust.cloudflare.dlp_email,ansible_collections.zerotrust.cloudflare.dlp_email_role),
    which applies an account's DLP for email configuration from each host of the play, so nobody keeps the list of
    accounts by hand.
  - Reads a configuration file whose name ends in C(.cloudflare.yml) or C(.cloudflare.yaml), with
    O(plugin=zerotrust.cloudflare.accounts).
  - O(api_token), O(api_email) and O(api_key) may be C(!vault) values or templates (extra variables are available to
    them). Give a secret through the environment or as a C(!vault) value, never through an extra variable, which
    C(ansible-inventory --list) prints as a host variable of every host. The accounts listed are those the
    credentials have any permission on, so a token scoped to some accounts lists only those.
  - Hosts are named only by account IDs of 32 lower-case hexadecimal characters. Any other C(id) in the API's answer
    fails the source, showing the value escaped, because on ansible-core 2.16 to 2.18 a host name is templated wherever
    C(inventory_hostname) is used, so a hostile or compromised answer could otherwise run code on the controller.
  - "Host variables: C(cloudflare_account_id), C(cloudflare_account_name), C(cloudflare_account_type) (V(standard) or
    V(enterprise)), C(cloudflare_account_managed_by) when the API gives it (the parent organization of a partner's
    accounts, as C(parent_org_id) and C(parent_org_name)), and, since an account is not a machine,
    C(ansible_connection=local) and C(ansible_python_interpreter={{ ansible_playbook_python }})."
  - Strings from the API that contain C({) or C(}) are marked unsafe, so they are never templated; all other values
    stay plain, so that C(ansible-inventory --list --export) and the inventory import of AWX show them as they are.
  - Sends C(GET /accounts) with 50 accounts per page (the API's maximum), following C(result_info.total_pages), so
    N accounts cost ceil(N / 50) requests. Without C(total_pages) in the answer it stops at the first page with fewer
    than 50 accounts, so a multiple of 50 costs one request more. It stops at the first empty page whatever
    C(total_pages) says, reads at most 1000 pages, drops an account listed twice (one that moved to the next page while
    the list was read), and fails when a page holds only accounts of earlier pages (a server that ignores C(page)).
author:
  - zerotrust.cloudflare maintainers (@zerotrust-cloudflare)
requirements:
  - requests (Python library, on the controller, or in the execution environment in AWX)
extends_documentation_fragment:
  - zerotrust.cloudflare.cloudflare.connection
  - constructed
  - inventory_cache
options:
  plugin:
    description:
      - Marks the file as a source for this plugin.
    type: str
    required: true
    choices: [zerotrust.cloudflare.accounts]
  api_base_url:
    description:
      - The base URL of the Cloudflare API.
      - If not set, the value of the E(CLOUDFLARE_BASE_URL) environment variable is used, then
        V(https://api.cloudflare.com/client/v4).
      - Credentials are never sent over plain C(http://), except to C(localhost), 127.0.0.0/8 or C(::1)
        (for a local test server); any other C(http://) URL fails before a request is sent. A plain C(http://) URL
        never goes through a proxy (E(HTTP_PROXY) and E(ALL_PROXY) are ignored for it).
      - Redirects are never followed, so no credential goes to another host; an answer HTTP 3xx fails the source,
        naming the status and its C(Location).
    type: str
  rate_limit_retry_timeout:
    description:
      - How long, in seconds, to keep retrying in all when Cloudflare answers HTTP 429 (rate limited). The plugin waits
        as the C(Retry-After) header asks (at least 1 second), or 1 second, doubling, when the header is absent or not a
        finite number of seconds, but fails at once when that wait would pass this limit.
      - V(0) never retries a 429, V(-1) retries without limit.
      - The default is shorter than the modules' (300), so that an inventory source does not block for five minutes.
      - Answers 500, 502, 503 and 504, timeouts and connection errors are retried up to three times with a short backoff.
    type: int
    default: 60
notes:
  - Set E(ANSIBLE_INVENTORY_UNPARSED_FAILED=true) (or C(unparsed_is_failed) in C(ansible.cfg)). Otherwise, when this
    source fails (bad credentials, an unreachable API), Ansible only warns and runs the play on no hosts.
  - The credentials and the base URL have no C(env) keys of their own. Unless the file sets them, they come from the
    same environment variables as for the modules, resolved the same way (empty values count as unset). In AWX, where a
    project-sourced inventory gets no vault password, give them through a credential, whose environment they come from.
  - Errors (bad credentials, HTTP 403, an answer that is not Cloudflare's envelope, a page that still fails after the
    retries) fail the source with Cloudflare's error codes and messages. The API token and the API key never appear in
    the output, warnings or errors, at any verbosity.
  - With O(cache=true) the API's answers are cached under a key made of the configuration file's path, the base URL and
    a hash of the credentials, so that another token or API never reads them.
seealso:
  - name: Cloudflare API documentation for listing accounts
    description: The API endpoint this plugin uses.
    link: https://developers.cloudflare.com/api/resources/accounts/methods/list/
'''

EXAMPLES = r'''
# fleet.cloudflare.yml: every account the token in CLOUDFLARE_API_TOKEN can see, with a group per account type
# (cloudflare_standard, cloudflare_enterprise) and one for the accounts a partner manages, the role's account
# mapping chosen per account type, and the answers cached for an hour.
plugin: zerotrust.cloudflare.accounts
keyed_groups:
  - key: cloudflare_account_type
    prefix: cloudflare
groups:
  partner_managed: cloudflare_account_managed_by is defined
compose:
  dlp_email_auth_type: "'Org' if cloudflare_account_type == 'enterprise' else 'NoAuth'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible/cloudflare-accounts
cache_timeout: 3600
# Instead of CLOUDFLARE_API_TOKEN, a vaulted token (ansible-vault encrypt_string), decrypted with the vault password
# that ansible-inventory or ansible-playbook is given:
#   api_token: !vault |
#     $ANSIBLE_VAULT;1.1;AES256
#     62313365396662343061393464336163383764373764613633653634306231386433626436623361
#     ...
# In AWX, leave the credentials out of the file and attach a credential of the collection's credential type to the
# inventory source: its environment (CLOUDFLARE_API_TOKEN) reaches the plugin.
# Never template a credential from an extra variable (-e): ansible-inventory --list prints every extra variable as a
# host variable of every host, secret and all.
'''

import json
import re

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.zerotrust.cloudflare.plugins.module_utils._transport import CloudflareError, Connection

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19: every string is plain (a template) unless marked unsafe
    def trust_as_template(value):
        return value

CONNECTION_OPTIONS = ('api_token', 'api_email', 'api_key', 'api_base_url', 'validate_certs', 'ca_path', 'timeout',
                      'rate_limit_retry_timeout', 'rate_limit_budget', 'rate_limit_window')
CREDENTIAL_OPTIONS = ('api_token', 'api_email', 'api_key')
TEMPLATE_CHARACTERS = re.compile('[{}]')
ACCOUNT_ID = re.compile(r'\A[0-9a-f]{32}\Z')


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'zerotrust.cloudflare.accounts'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(('.cloudflare.yml', '.cloudflare.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        options = dict((name, self._connection_option(name)) for name in CONNECTION_OPTIONS)
        secrets = [options[name] for name in ('api_token', 'api_key') if options[name]]
        try:
            connection = Connection(options, warn=self.display.warning)
            secrets.extend(connection.secrets)
            try:
                accounts = self._accounts(connection, path, cache)
            finally:
                self._report_waits(connection)
        except CloudflareError as error:
            # from None: the exceptions inside may quote what the API echoed, secrets included.
            raise AnsibleParserError(_redact(error.msg, secrets)) from None
        for account in accounts:  # fresh or cached: a cache file is no more trusted than the API
            self._add_account(account)

    def _report_waits(self, connection):
        """What the modules return as rate_limit_waited and rate_limit_waits, said at -vvv."""
        self.display.vvv('zerotrust.cloudflare.accounts: rate_limit_waited=%.3f s' % connection.waited)
        for reason, seconds in connection.waits:
            self.display.vvv('zerotrust.cloudflare.accounts: waited %.3f s (%s)' % (seconds, reason))

    def _connection_option(self, name):
        """An option's value; credentials may be templates or vault values, templated with the extra variables."""
        value = self.get_option(name)
        if name in CREDENTIAL_OPTIONS and value is not None:
            self.templar.available_variables = self._vars
            value = self.templar.template(value)
            value = None if value is None else str(value)  # str() decrypts a vault value
        return value

    def _accounts(self, connection, path, cache):
        """The accounts as the API listed them, from the cache when allowed (another base URL or credential never
        shares an entry), else from the API."""
        key = '%s_%s' % (self.get_cache_key(path), connection.fingerprint[:16])
        if self.get_option('cache') and cache:
            try:
                return self._cache[key]
            except KeyError:  # not cached yet, or expired
                pass
        accounts = connection.get_all('/accounts')
        if self.get_option('cache'):
            self._cache[key] = accounts
        return accounts

    def _add_account(self, account):
        host = _host_name(account)
        self.inventory.add_host(host)
        variables = _host_variables(account)
        for name, value in variables.items():
            self.inventory.set_variable(host, name, value)
        strict = self.get_option('strict')
        self._set_composite_vars(self.get_option('compose'), variables, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option('groups'), variables, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, host, strict=strict)


def _host_variables(account):
    """The host variables of an account: what the API says (fresh or cached), marked unsafe wherever it could be a
    template, and how to run tasks for an account, which is no machine."""
    variables = {
        'cloudflare_account_id': account['id'],
        'cloudflare_account_name': account.get('name'),
        'cloudflare_account_type': account.get('type'),
    }
    if account.get('managed_by'):
        variables['cloudflare_account_managed_by'] = account['managed_by']
    variables = _unsafe_where_templated(variables)
    variables['ansible_connection'] = trust_as_template('local')
    variables['ansible_python_interpreter'] = trust_as_template('{{ ansible_playbook_python }}')
    return variables


def _unsafe_where_templated(value):
    """``value`` with every string that contains { or } marked unsafe and the rest plain, as community.general's and
    community.dns' make_unsafe do. Since ansible-core 2.19 a plugin's strings are untrusted (unsafe) unless trusted,
    so the others are trusted: without { or } nothing in them can be templated."""
    if isinstance(value, dict):
        return dict((_unsafe_where_templated(key), _unsafe_where_templated(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_unsafe_where_templated(item) for item in value]
    if isinstance(value, str):
        return wrap_var(value) if TEMPLATE_CHARACTERS.search(value) else trust_as_template(value)
    return value


def _host_name(account):
    """The account's ID, which names its host, if it looks like a Cloudflare account ID. A host name is templated
    wherever inventory_hostname is used on ansible-core 2.16-2.18: any other ID could run code on the controller."""
    account_id = account.get('id') if isinstance(account, dict) else None
    if isinstance(account_id, str) and ACCOUNT_ID.match(account_id):
        return account_id
    raise AnsibleParserError('Cloudflare answered GET /accounts with an account whose id is not 32 lower-case hexadecimal'
                             ' characters, so it names no host: %s' % json.dumps(str(account_id)[:200]))


def _redact(text, secrets):
    for secret in secrets:
        text = text.replace(secret, '********')
    return text
