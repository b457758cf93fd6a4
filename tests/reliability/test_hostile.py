# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A hostile network or server (DESIGN): redirects, proxies, answers that lie, odd Retry-After values, pages that never
end, options that only fail when used, and API data that holds templates, through real ansible-playbook and
ansible-inventory runs against the emulator.

A recording listener on another loopback address (127.0.0.2, else another port of 127.0.0.1: another origin to
requests either way) is the redirect target and the proxy: whatever reaches it is a credential sent where it must not
go, so every test asserts it saw nothing. The module cases run as one batch at -vvvv, whose output must hold no secret.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from harness import executable, visible_accounts
from playbook_runs import (DEFAULT_EMAIL, NOAUTH, ORG, SECRET_KEY, SECRET_TOKEN, Case, account, case_of, connection, mapping_path,
                           rules_path, run_batch)
from test_secrets import leaks

RULE_NAME = 'Block leaks'
CONDITIONS = [{'selector': 'Recipients', 'operator': 'InList', 'value': ['leaks@example.com']}]
OTHER_NAME = 'Block rivals'
HTML = '<html><body>OK</body></html>'
LISTENER = '@LISTENER@'  # replaced by the listener's URL
SAME_HOST = '@SAME_HOST@'  # replaced by the emulator's API URL
TOKEN = {'api_token': SECRET_TOKEN}
KEY = {'api_token': None, 'api_email': DEFAULT_EMAIL, 'api_key': SECRET_KEY}
PROXIES = ('HTTP_PROXY', 'http_proxy', 'ALL_PROXY')
ACCOUNTS = '/client/v4/accounts'


def envelope(result: Any) -> dict[str, Any]:
    return {'success': True, 'errors': [], 'messages': [], 'result': result}


def stored_rule(number: int, name: str, priority: int) -> dict[str, Any]:
    """A rule as the emulator keeps it."""
    return {'rule_id': '00000000-0000-4000-8000-%012d' % number, 'name': name, 'description': None, 'enabled': True,
            'priority': priority, 'conditions': CONDITIONS, 'action': {'action': 'Block', 'message': None},
            'created_at': '2025-01-01T12:00:00Z', 'updated_at': '2025-01-01T12:00:00Z'}


# --- the listener: redirect target and proxy -------------------------------------------------------------------------


class Recorder(ThreadingHTTPServer):
    """Records every request (a proxy gets the absolute URL as its target) and answers Cloudflare's empty success."""

    daemon_threads = True

    def __init__(self, host: str):
        self.seen: list[dict[str, Any]] = []
        super().__init__((host, 0), RecordingHandler)

    @property
    def url(self) -> str:
        return 'http://%s:%d' % self.server_address[:2]


class RecordingHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server: Recorder

    def record(self) -> None:
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        self.server.seen.append({'method': self.command, 'target': self.path, 'headers': dict(self.headers),
                                 'body': body.decode('utf-8', 'replace')})
        payload = json.dumps(envelope(None)).encode('utf-8')
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_CONNECT = record  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
        pass


@pytest.fixture(scope='module')
def listener():
    server = None
    for host in ('127.0.0.2', '127.0.0.1'):
        try:
            server = Recorder(host)
            break
        except OSError:  # a system without the rest of 127.0.0.0/8: another port is another origin too
            continue
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def resolved(value: Any, listener: Recorder, emulator: Any) -> Any:
    """``value`` with the listener's and the emulator's URLs in place of their markers."""
    text = json.dumps(value).replace(LISTENER, listener.url).replace(SAME_HOST, emulator.base_url)
    return json.loads(text)


# --- module cases, one batch -------------------------------------------------------------------------------------------


@dataclasses.dataclass
class HostileCase(Case):
    """A task on its own account, the account before (a mapping, rules), its faults, and what must come out."""

    mapping: Any = None
    rules: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    faults: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    failed: bool = False
    changed: bool = False
    msg: tuple[str, ...] = ()
    result: dict[str, Any] = dataclasses.field(default_factory=dict)  # values the task's result must have
    calls: list[tuple[str, int]] | None = None  # every (method, status) the emulator saw for this account
    rules_after: list[str] | None = None  # the names of the account's rules afterwards
    mapping_after: Any = None


def mapping_case(number, name, faults=(), mapping='NoAuth', credentials=None, **kwargs):
    """A mapping task (ORG wanted) on account ``number``, whose mapping is ``mapping`` (NoAuth, ORG or None for none);
    ``faults`` are (method, fault), aimed at its mapping."""
    mapping = NOAUTH if mapping == 'NoAuth' else mapping
    acc = account(number)
    args = connection(acc, auth_type='Org', allowed_microsoft_organizations=ORG['allowed_microsoft_organizations'],
                      **dict(TOKEN, **(credentials or {})))
    args = {key: value for key, value in args.items() if value is not None}
    aimed = [dict(fault, method=method, path=mapping_path(acc)) for method, fault in faults]
    stored = None if mapping is None else {'addin_identifier_token': '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e', 'auth_requirements': mapping}
    return HostileCase(id=name, module='mapping', args=args, faults=aimed, mapping=stored, **kwargs)


def rules_case(number, name, module, options, faults=(), **kwargs):
    """A rule (``module`` rule) or rule-set task on account ``number``; ``faults`` are (method, path after the rules
    path, fault)."""
    acc = account(number)
    aimed = [dict(fault, method=method, path=rules_path(acc) + rest) for method, rest, fault in faults]
    return HostileCase(id=name, module=module, args=connection(acc, **dict(TOKEN, **options)), faults=aimed, **kwargs)


NEW_RULE = {'rules': [{'name': RULE_NAME, 'conditions': CONDITIONS}]}
RULE_A, RULE_B = stored_rule(1, RULE_NAME, 0), stored_rule(2, OTHER_NAME, 1)
UNCERTAIN = 'unknown: it may have been applied'

CASES = [
    # 1: a redirect to another host would carry X-Auth-Email and X-Auth-Key there (requests strips only Authorization).
    mapping_case(1, 'row1-redirect-to-another-host-with-the-key', [('GET', {'status': 302, 'headers': {
        'Location': LISTENER + '/client/v4/accounts/%s/dlp/email/account_mapping' % account(1)}})], credentials=KEY,
        failed=True, msg=('HTTP 302', re.escape(LISTENER), 'never followed', 'check api_base_url'), calls=[('GET', 302)]),
    rules_case(2, 'row1-redirect-to-another-host-with-the-token', 'rules', NEW_RULE,
               [('GET', '', {'status': 307, 'headers': {'Location': LISTENER + rules_path(account(2))}})],
               failed=True, msg=('HTTP 307',), calls=[('GET', 307)], rules_after=[]),
    mapping_case(3, 'row1-redirect-of-the-mapping-post', [('POST', {'status': 308, 'headers': {'Location': LISTENER + mapping_path(account(3))}})],
                 credentials=KEY, failed=True, msg=('HTTP 308',), result={'uncertain': []}, calls=[('GET', 200), ('POST', 308)]),
    # extra: a Location back to the same host is not followed either.
    mapping_case(4, 'extra-redirect-back-to-the-same-host', [('GET', {'status': 301, 'headers': {
        'Location': SAME_HOST + '/accounts/%s/dlp/email/account_mapping' % account(4)}})],
        failed=True, msg=('HTTP 301', 'never followed'), calls=[('GET', 301)]),
    # 3: plain http to loopback never goes through a proxy, whatever HTTP_PROXY, http_proxy and ALL_PROXY say.
    mapping_case(5, 'row3-proxy-variables-are-ignored-for-plain-http', env={name: LISTENER for name in PROXIES},
                 changed=True, calls=[('GET', 200), ('POST', 200)], mapping_after=ORG),
    # 4: a rule POST answered 200 with HTML after the rule was created: adopted by the recovery GET, a change.
    rules_case(6, 'row4-rule-post-answered-200-html-after-the-write', 'rules', NEW_RULE,
               [('POST', '', {'status': 200, 'body': HTML, 'after': True})], changed=True,
               result={'created': [RULE_NAME], 'uncertain': []}, calls=[('GET', 200), ('POST', 200), ('GET', 200)],
               rules_after=[RULE_NAME]),
    rules_case(7, 'row4-rule-post-answered-200-html-not-applied', 'rules', NEW_RULE,
               [('POST', '', {'status': 200, 'body': HTML})], failed=True, changed=True,
               msg=('not a Cloudflare API envelope', UNCERTAIN), result={'created': [], 'uncertain': [RULE_NAME]},
               calls=[('GET', 200), ('POST', 200), ('GET', 200)], rules_after=[]),
    # 5: result null after a rule POST is a lost create; after the single rule's priority PATCH it is uncertain.
    rules_case(8, 'row5-rule-post-answered-result-null', 'rule', {'name': RULE_NAME, 'conditions': CONDITIONS},
               [('POST', '', {'status': 200, 'json': envelope(None), 'after': True})], changed=True,
               calls=[('GET', 200), ('POST', 200), ('GET', 200)], rules_after=[RULE_NAME]),
    rules_case(9, 'row5-priority-patch-answered-result-null', 'rule', {'name': RULE_NAME, 'priority': 5}, rules=[RULE_A],
               faults=[('PATCH', '', {'status': 200, 'json': envelope(None), 'after': True})], failed=True, changed=True,
               msg=('PATCH .* unexpected result: None', UNCERTAIN), result={'uncertain': [RULE_NAME]},
               calls=[('GET', 200), ('PATCH', 200)], rules_after=[RULE_NAME]),
    # extra: a PUT answered with another rule, a mapping POST answered without a token, a GET that is no envelope.
    rules_case(10, 'extra-rule-put-answered-with-another-rule', 'rules', {'rules': [{'name': RULE_NAME, 'enabled': False}]},
               rules=[RULE_A, RULE_B], faults=[('PUT', '/' + RULE_A['rule_id'], {'status': 200, 'json': envelope(RULE_B), 'after': True})],
               failed=True, changed=True, msg=('PUT .* unexpected result', UNCERTAIN),
               result={'updated': [], 'uncertain': [RULE_NAME]}, calls=[('GET', 200), ('PUT', 200)]),
    mapping_case(11, 'extra-mapping-post-answered-without-a-token',
                 [('POST', {'status': 200, 'after': True, 'json': envelope({'auth_requirements': ORG})})],
                 failed=True, changed=True, msg=('without the mapping', 'may have been changed'),
                 result={'uncertain': ['account_mapping']}, calls=[('GET', 200), ('POST', 200)], mapping_after=ORG),
    mapping_case(12, 'extra-get-answered-200-with-html', [('GET', {'status': 200, 'body': HTML})], failed=True,
                 msg=('GET .* HTTP 200 .* not a Cloudflare API envelope',), result={'uncertain': []}, calls=[('GET', 200)]),
    # 6: Retry-After 0 is waited as 1 s, within the budget; Retry-After inf without a limit waits 1 s, no crash.
    mapping_case(13, 'row6-retry-after-0-within-a-2-s-budget', [('GET', {'status': 429, 'headers': {'Retry-After': '0'},
                                                                         'count': 100})],
                 credentials={'rate_limit_retry_timeout': 2}, failed=True, msg=('HTTP 429', 'rate_limit_retry_timeout=2'),
                 calls=[('GET', 429)] * 3),
    mapping_case(14, 'row6-retry-after-inf-without-a-limit', [('GET', {'status': 429, 'headers': {'Retry-After': 'inf'}})],
                 mapping=ORG, credentials={'rate_limit_retry_timeout': -1}, calls=[('GET', 429), ('GET', 200)]),
    # 8: options that only parse when used fail before any request, naming the option.
    mapping_case(15, 'row8-malformed-api-base-url', credentials={'api_base_url': 'https://[::1'}, failed=True,
                 msg=('api_base_url must be an http:// or https:// URL',), calls=[]),
    mapping_case(16, 'row8-missing-ca-path', credentials={'ca_path': '/nonexistent/ca.pem'}, failed=True,
                 msg=('ca_path must be a readable CA bundle file or a directory',), calls=[]),
    mapping_case(17, 'row8-token-with-a-character-outside-latin-1', credentials={'api_token': SECRET_TOKEN + '\u20ac'}, failed=True,
                 msg=('api_token contains a character other than printable ASCII',), calls=[]),
    mapping_case(18, 'row8-email-that-cannot-go-into-a-header', credentials=dict(KEY, api_email='ops@\u4f8b\u3048.jp'), failed=True,
                 msg=('api_email contains .* cannot be sent in an HTTP header',), calls=[]),
]


def initial_state(cases: list[HostileCase]) -> dict[str, Any]:
    return {case.args['account_id']: {'mapping': case.mapping, 'rules': case.rules} for case in cases}


@pytest.fixture(scope='module')
def batch(ansible, emulator, listener):  # pylint: disable=redefined-outer-name
    cases = [HostileCase(**resolved(dataclasses.asdict(case), listener, emulator)) for case in CASES]
    faults = [fault for case in cases for fault in case.faults]
    listener.seen.clear()
    return run_batch(ansible, emulator, cases, state=initial_state(cases), faults=faults, args=('-vvvv',)), list(listener.seen)


@pytest.mark.parametrize('case', CASES, ids=lambda entry: case_of(entry).id)
def test_hostile(batch, case, listener, emulator):  # pylint: disable=redefined-outer-name
    run, seen = batch
    case = HostileCase(**resolved(dataclasses.asdict(case), listener, emulator))
    result = run.run.result(case.id)
    outcome = result['result']
    requests = run.requests(case.args['account_id'])
    context = 'result %s\nrequests %s' % (outcome, [(entry['method'], entry['status']) for entry in requests])
    assert (result['status'] == 'failed') is case.failed, context
    assert bool(outcome.get('changed')) is case.changed, context
    assert 'Traceback' not in json.dumps(outcome), context
    for pattern in case.msg:
        assert re.search(pattern, outcome.get('msg', '')), 'message does not match %r: %s' % (pattern, context)
    for key, value in case.result.items():
        assert outcome.get(key) == value, (key, context)
    if case.calls is not None:
        assert [(entry['method'], entry['status']) for entry in requests] == [tuple(call) for call in case.calls], context
    state = run.state.get(case.args['account_id'], {'mapping': None, 'rules': []})
    if case.rules_after is not None:
        assert [rule['name'] for rule in state['rules']] == case.rules_after, state
    if case.mapping_after is not None:
        assert state['mapping']['auth_requirements'] == case.mapping_after, state
    assert [entry for entry in seen if case.args['account_id'] in entry['target']] == [], seen


def test_nothing_reached_the_listener(batch):  # pylint: disable=redefined-outer-name
    dummy, seen = batch
    assert seen == []


def test_no_secret_in_the_output_at_vvvv(batch):  # pylint: disable=redefined-outer-name
    run, dummy = batch
    assert 'module_args' in run.run.stdout, 'results are printed in full at -vvvv'
    assert leaks(run.run.stdout) == [] and leaks(run.run.stderr) == []
    assert leaks(json.dumps(run.run.records)) == [] and leaks(json.dumps(run.log)) == []


# --- the inventory plugin ----------------------------------------------------------------------------------------------

FLEET = [account(3000 + number) for number in range(3)]


def shows(run, text):
    """Whether the run's output holds ``text``: Ansible wraps warnings at 79 columns, inside words too."""
    return ''.join(text.split()) in ''.join(run.output.split())


def hosts(run):
    """The hosts ansible-inventory --list printed (at -vvvv its own lines come before the JSON)."""
    lines = run.stdout.splitlines()
    return sorted(json.loads('\n'.join(lines[lines.index('{'):]))['_meta']['hostvars'])


def inventory(ansible, emulator, *args, env=None, **options):
    return ansible.inventory_command(ansible.accounts_source(emulator, **options), '--list', '-vvvv', *args, env=env)


def account_pages(emulator):
    return [entry['query'] for entry in emulator.log() if entry['path'] == ACCOUNTS]


def test_row1_inventory_redirect_is_not_followed(ansible, emu, listener):  # pylint: disable=redefined-outer-name
    emu.set_visible_accounts(visible_accounts(FLEET))
    emu.add_fault(method='GET', path=ACCOUNTS, status=302, headers={'Location': listener.url + ACCOUNTS})
    listener.seen.clear()
    run = inventory(ansible, emu, api_token=None, api_email=DEFAULT_EMAIL, api_key=SECRET_KEY)
    assert run.returncode != 0
    assert shows(run, 'answered HTTP 302, a redirect to %r, which is never followed: check api_base_url' % (listener.url + ACCOUNTS)), \
        run.output
    assert listener.seen == [] and len(account_pages(emu)) == 1
    assert leaks(run.output) == []


def test_row3_inventory_ignores_proxy_variables_for_plain_http(ansible, emu, listener):  # pylint: disable=redefined-outer-name
    emu.set_visible_accounts(visible_accounts(FLEET))
    listener.seen.clear()
    run = inventory(ansible, emu, env=dict({name: listener.url for name in PROXIES}, CLOUDFLARE_API_TOKEN=SECRET_TOKEN), api_token=None)
    assert run.returncode == 0, run.output
    assert hosts(run) == sorted(FLEET)
    assert listener.seen == [] and len(account_pages(emu)) == 1
    assert leaks(run.output) == []


def pipe(marker):
    return "{{ lookup('pipe', 'touch %s') }}" % marker


def play_over(ansible, source):
    """A play over the inventory that uses what the role uses: inventory_hostname, group names, the account's name."""
    tasks = [{'ansible.builtin.debug': {'msg': '{{ inventory_hostname }} {{ group_names }} {{ cloudflare_account_name }}'}}]
    return ansible.run([{'hosts': 'all', 'gather_facts': False, 'tasks': tasks}], source,
                       env={'ANSIBLE_INVENTORY_UNPARSED_FAILED': 'true'})


def test_row2_an_account_id_holding_a_template_names_no_host(ansible, emu, tmp_path):
    marker = tmp_path / 'ran-from-the-id'
    hostile = {'id': pipe(marker), 'name': 'Tenant', 'type': 'standard'}
    emu.add_fault(method='GET', path=ACCOUNTS, status=200, count=2,
                  json=dict(envelope([hostile]), result_info={'page': 1, 'per_page': 50, 'count': 1, 'total_count': 1, 'total_pages': 1}))
    listed = inventory(ansible, emu)
    played = play_over(ansible, ansible.accounts_source(emu))
    for run in (listed, played):
        assert run.returncode != 0
        assert shows(run, 'so it names no host: %s' % json.dumps(hostile['id'])), run.output
    assert not marker.exists()


def test_group_names_from_an_account_name_holding_a_template_run_nothing(ansible, emu, tmp_path):
    marker = tmp_path / 'ran-from-the-name'
    accounts = visible_accounts(FLEET[:1])
    accounts[0]['name'] = pipe(marker)
    emu.set_visible_accounts(accounts)
    source = ansible.accounts_source(emu, keyed_groups=[{'key': 'cloudflare_account_name', 'prefix': 'name'}],
                                     groups={'named': 'cloudflare_account_name is defined'})
    run = play_over(ansible, source)
    assert run.returncode == 0, run.output
    assert not marker.exists()
    assert run.recap == {FLEET[0]: run.recap[FLEET[0]]} and run.recap[FLEET[0]]['failed'] == 0


def test_row7_an_empty_page_ends_the_list_whatever_total_pages_says(ansible, emu):
    emu.set_visible_accounts(visible_accounts(FLEET))
    emu.add_fault(method='GET', path=ACCOUNTS, result_info={'total_pages': 100000}, count=5)
    run = inventory(ansible, emu)
    assert run.returncode == 0, run.output
    assert hosts(run) == sorted(FLEET)
    assert account_pages(emu) == ['page=1&per_page=50', 'page=2&per_page=50']


def test_row7_a_server_that_ignores_page_fails_clearly(ansible, emu):
    page = [{'id': account(3100 + number), 'name': 'Tenant %d' % number, 'type': 'standard'} for number in range(50)]
    emu.add_fault(method='GET', path=ACCOUNTS, status=200, count=3,
                  json=dict(envelope(page), result_info={'page': 1, 'per_page': 50, 'count': 50, 'total_count': 150, 'total_pages': 3}))
    run = inventory(ansible, emu)
    assert run.returncode != 0
    assert shows(run, 'with only items of earlier pages: the server ignores the page asked for'), run.output
    assert len(account_pages(emu)) == 2


def test_row8_inventory_malformed_base_url_fails_before_any_request(ansible, emu):
    run = inventory(ansible, emu, api_base_url='https://[::1')
    assert run.returncode != 0 and shows(run, "api_base_url must be an http:// or https:// URL"), run.output
    assert emu.log() == []


def test_row9_the_examples_template_no_secret_from_a_variable():
    from ansible_collections.zerotrust.cloudflare.plugins.inventory import accounts  # pylint: disable=import-outside-toplevel
    assert not re.search(r'api_(token|key):\s*["\']?\{\{', accounts.EXAMPLES)
    assert 'CLOUDFLARE_API_TOKEN' in accounts.EXAMPLES and '!vault' in accounts.EXAMPLES


def test_row9_no_secret_in_inventory_output_from_the_environment_or_vault(ansible, emu, tmp_path):
    emu.set_visible_accounts(visible_accounts(FLEET))
    password = tmp_path / 'vault-password'
    password.write_text('hostile-tests-vault-password', encoding='utf-8')
    vaulted = subprocess.run([executable('ansible-vault'), 'encrypt_string', '--vault-password-file', str(password), SECRET_TOKEN,
                              '--name', 'api_token'], env=ansible.env, capture_output=True, text=True, check=True).stdout
    source = tmp_path / 'vaulted.cloudflare.yml'
    source.write_text('plugin: zerotrust.cloudflare.accounts\napi_base_url: %s\n%s' % (emu.base_url, vaulted), encoding='utf-8')
    from_vault = ansible.inventory_command(source, '--list', '-vvvv', '--vault-password-file', str(password))
    from_env = inventory(ansible, emu, env={'CLOUDFLARE_API_TOKEN': SECRET_TOKEN}, api_token=None)
    for run in (from_vault, from_env):
        assert run.returncode == 0, run.output
        assert hosts(run) == sorted(FLEET)
        assert leaks(run.output) == []
