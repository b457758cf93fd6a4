# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rules that name DLP profiles, and rule sets whose writes fail part-way, in real ansible-playbook runs.

Every case runs on its own account (its rules and custom profiles loaded into
the emulator, faults aimed at its exact paths), all cases in one batch. Each
asserts the outcome, `changed`, the lists of what was applied, the exact
requests the emulator saw (profile list first, no write after a bad
reference, the order PUT, POST, DELETE, PATCH) and the rules afterwards. The
round trip of rules_input into the rule set is one play of its own.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from playbook_runs import COLLECTION, Case, account, connection, rules_path, run_batch

CARDS = '56a8c060-01bb-4f89-ba1e-3ad42770a342'  # the emulator's predefined Credit Card Numbers
FINANCE = '3e9d1c52-8b1f-4c6e-9a0d-7f2b5e4c1a93'  # and Financial Information
TWIN_PROFILES = [{'name': 'Employee IDs', 'id': '6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a'},
                 {'name': 'Employee IDs', 'id': '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', 'type': 'integration'}]
UNKNOWN_ID = '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f'
BY_NAME = [{'selector': 'DLPProfiles', 'operator': 'InList', 'value': ['Credit Card Numbers', FINANCE.upper()]},
           {'selector': 'DLPProfiles', 'operator': 'NotMatchRegex', 'value': 'Credit Card Numbers'}]
BY_ID = [{'selector': 'DLPProfiles', 'operator': 'InList', 'value': [CARDS, FINANCE.upper()]},
         {'selector': 'DLPProfiles', 'operator': 'NotMatchRegex', 'value': 'Credit Card Numbers'}]
SENDER = [{'selector': 'Sender', 'operator': 'InList', 'value': ['payroll@example.com']}]
RIVALS = [{'selector': 'Recipients', 'operator': 'MatchRegex', 'value': '.*@competitor\\.example$'}]
LISTS = ('created', 'updated', 'deleted', 'reprioritized', 'uncertain')
UNAVAILABLE = {'status': 503, 'count': 4}  # every try: the first and the three retries


def rule(number: int, name: str, priority: int, conditions: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    """A rule as the emulator keeps it, with an ID distinct for each number."""
    value = {'rule_id': '00000000-0000-4000-8000-%012d' % number, 'name': name, 'description': None, 'enabled': True,
             'priority': priority, 'conditions': copy.deepcopy(conditions), 'action': {'action': 'Block', 'message': None},
             'created_at': '2025-01-01T12:00:00Z', 'updated_at': '2025-01-01T12:00:00Z'}
    value.update(changes)
    return value


@dataclasses.dataclass
class RuleCase(Case):
    """A rule or rule-set task, the account's rules and profiles before, its faults, and what must come out."""

    rules: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    profiles: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    faults: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    failed: bool = False
    changed: bool = False
    lists: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # for the rules module: every list of LISTS
    msg: tuple[str, ...] = ()
    calls: list[tuple[str, str, int]] = dataclasses.field(default_factory=list)  # (method, path after the account, status)
    sent_conditions: list[dict[str, Any]] | None = None  # the conditions of the one POST or PUT
    names_after: list[str] | None = None  # the account's rule names afterwards; None: unchanged


def case(number: int, name: str, module: str, options: dict[str, Any], **kwargs: Any) -> RuleCase:
    acc = account(500 + number)
    faults = [dict(fault, path=rules_path(acc) + fault.pop('tail', '')) for fault in kwargs.pop('faults', [])]
    return RuleCase(id=name, module=module, args=connection(acc, **options), faults=faults, **kwargs)


RULE_A = rule(1, 'Cards', 1, BY_ID)
RULE_B = rule(2, 'Payroll', 2, SENDER)
RULE_C = rule(3, 'Old', 3, RIVALS, enabled=False)
NO_LISTS = dict.fromkeys(LISTS, [])
# Change Cards, create New, delete Old (exclusive), priorities of Cards and New.
CHANGES = {'exclusive': True, 'rules': [{'name': 'Cards', 'enabled': False, 'priority': 5}, {'name': 'Payroll'},
                                        {'name': 'New', 'conditions': RIVALS, 'priority': 6}]}
BEFORE_THE_DELETE = [('GET', '/rules', 200), ('PUT', '/rules/' + RULE_A['rule_id'], 200), ('POST', '/rules', 200)]

CASES = [
    # --- DLP profiles by name -------------------------------------------------------------------------------
    case(1, 'rules-create-by-profile-name', 'rules', {'rules': [{'name': 'Cards', 'conditions': BY_NAME}]}, changed=True,
         lists=dict(NO_LISTS, created=['Cards']), calls=[('GET', '/profiles', 200), ('GET', '/rules', 200), ('POST', '/rules', 200)],
         sent_conditions=BY_ID, names_after=['Cards']),
    case(2, 'rules-rerun-by-profile-name', 'rules', {'rules': [{'name': 'Cards', 'conditions': BY_NAME, 'priority': 1}],
                                                     'exclusive': True},
         rules=[RULE_A], lists=NO_LISTS, calls=[('GET', '/profiles', 200), ('GET', '/rules', 200)]),
    case(3, 'rules-profile-ids-only', 'rules', {'rules': [{'name': 'Cards', 'conditions': BY_ID}]}, rules=[RULE_A], lists=NO_LISTS,
         calls=[('GET', '/rules', 200)]),
    case(4, 'rule-create-by-profile-name', 'rule', {'name': 'Cards', 'conditions': BY_NAME}, changed=True,
         calls=[('GET', '/profiles', 200), ('GET', '/rules', 200), ('POST', '/rules', 200)], sent_conditions=BY_ID, names_after=['Cards']),
    case(5, 'rule-rerun-by-profile-name-and-rule-id', 'rule', {'rule_id': RULE_A['rule_id'], 'conditions': BY_NAME}, rules=[RULE_A],
         calls=[('GET', '/profiles', 200), ('GET', '/rules/' + RULE_A['rule_id'], 200)]),
    case(6, 'rules-unknown-profile-name', 'rules', {'rules': [{'name': 'Payroll', 'enabled': False},
                                                              {'name': 'Cards', 'conditions': [dict(BY_NAME[0], value='Card numbers')]}]},
         rules=[RULE_B], failed=True, lists=NO_LISTS, calls=[('GET', '/profiles', 200)],
         msg=("rules[1].conditions[0].value: no DLP profile is named 'Card numbers'", 'Credit Card Numbers (predefined, %s)' % CARDS)),
    case(7, 'rules-ambiguous-profile-name', 'rules', {'rules': [{'name': 'Cards', 'conditions': [dict(BY_NAME[0], value='Employee IDs')]}]},
         profiles=TWIN_PROFILES, failed=True, lists=NO_LISTS, calls=[('GET', '/profiles', 200)],
         msg=("'Employee IDs' is the name of 2 DLP profiles, Employee IDs (custom, %s), Employee IDs (integration, %s)"
              % (TWIN_PROFILES[0]['id'], TWIN_PROFILES[1]['id']),)),
    case(8, 'rule-unknown-profile-id-beside-a-name', 'rule',
         {'name': 'Cards', 'conditions': [dict(BY_NAME[0], value=['Credit Card Numbers', UNKNOWN_ID])]}, failed=True,
         calls=[('GET', '/profiles', 200)],
         msg=('conditions[0].value: %s is the ID of no DLP profile of the account' % UNKNOWN_ID,)),
    case(9, 'rules-unknown-profile-name-in-check-mode', 'rules', {'rules': [{'name': 'New', 'conditions': [dict(BY_NAME[0], value='x')]}]},
         check_mode=True, failed=True, lists=NO_LISTS, calls=[('GET', '/profiles', 200)]),
    # --- writes that fail part-way ------------------------------------------------------------------------------
    case(20, 'rules-create-rejected-after-an-update', 'rules', CHANGES, rules=[RULE_A, RULE_B, RULE_C],
         faults=[{'method': 'POST', 'status': 400}], failed=True, changed=True, lists=dict(NO_LISTS, updated=['Cards']),
         calls=BEFORE_THE_DELETE[:2] + [('POST', '/rules', 400)], names_after=['Cards', 'Payroll', 'Old'],
         msg=(r"The changes made before this failure stay: updated 'Cards'",)),
    case(21, 'rules-delete-unavailable-after-update-and-create', 'rules', CHANGES, rules=[RULE_A, RULE_B, RULE_C],
         faults=[dict(UNAVAILABLE, method='DELETE', tail='/' + RULE_C['rule_id'])], failed=True, changed=True,
         lists=dict(NO_LISTS, updated=['Cards'], created=['New'], uncertain=['Old']),
         calls=BEFORE_THE_DELETE + [('DELETE', '/rules/' + RULE_C['rule_id'], 503)] * 4, names_after=['Cards', 'Payroll', 'Old', 'New'],
         msg=("stay: updated 'Cards'; created 'New'", "Whether the failed request changed 'Old' is unknown")),
    case(22, 'rules-priorities-applied-but-answered-502', 'rules', CHANGES, rules=[RULE_A, RULE_B, RULE_C],
         faults=[{'method': 'PATCH', 'status': 502, 'after': True, 'count': 4}], failed=True, changed=True,
         lists=dict(NO_LISTS, updated=['Cards'], created=['New'], deleted=['Old'], uncertain=['Cards', 'New']),
         calls=BEFORE_THE_DELETE + [('DELETE', '/rules/' + RULE_C['rule_id'], 200)] + [('PATCH', '/rules', 502)] * 4,
         names_after=['Cards', 'Payroll', 'New'], msg=("Whether the failed request changed 'Cards', 'New' is unknown",)),
    case(23, 'rules-lost-create-not-found-after-an-update', 'rules', CHANGES, rules=[RULE_A, RULE_B, RULE_C],
         faults=[{'method': 'POST', 'status': 502}], failed=True, changed=True, lists=dict(NO_LISTS, updated=['Cards'], uncertain=['New']),
         calls=BEFORE_THE_DELETE[:2] + [('POST', '/rules', 502), ('GET', '/rules', 200)], names_after=['Cards', 'Payroll', 'Old']),
    case(24, 'rule-priority-rejected-after-the-create', 'rule', {'name': 'New', 'conditions': RIVALS, 'priority': 9},
         faults=[{'method': 'PATCH', 'status': 400}], failed=True, changed=True,
         calls=[('GET', '/rules', 200), ('POST', '/rules', 200), ('PATCH', '/rules', 400)], names_after=['New'],
         msg=("The rule 'New' was created (rule_id ", 'before this failure, and that change stays; its priority was not set.')),
]


@pytest.fixture(scope='module')
def batch(ansible, emulator):
    state = {}
    for entry in CASES:
        state[entry.args['account_id']] = {'mapping': None, 'rules': entry.rules, 'profiles': entry.profiles}
    return run_batch(ansible, emulator, CASES, state=state, faults=[fault for entry in CASES for fault in entry.faults])


@pytest.mark.parametrize('entry', CASES, ids=lambda entry: entry.id)
def test_rule_case(batch, entry):  # pylint: disable=redefined-outer-name
    result = batch.run.result(entry.id)
    outcome = result['result']
    acc = entry.args['account_id']
    requests = batch.requests(acc)
    calls = [(request['method'], request['path'].split('/dlp', 1)[1].replace('/email', ''), request['status']) for request in requests]
    context = 'result %s\nrequests %s' % (outcome, calls)

    assert (result['status'] == 'failed') is entry.failed, context
    assert bool(outcome.get('changed')) is entry.changed, context
    for text in entry.msg:
        assert text in outcome['msg'], context
    for name, expected in entry.lists.items():
        assert outcome[name] == expected, (name, context)
    assert calls == entry.calls, context
    if entry.sent_conditions is not None:
        writes = [request for request in requests if request['method'] in ('POST', 'PUT')]
        assert [request['body']['conditions'] for request in writes] == [entry.sent_conditions], context
    names = [rule['name'] for rule in batch.state[acc]['rules']]
    assert names == (entry.names_after if entry.names_after is not None else [rule['name'] for rule in entry.rules]), context


def test_every_fault_was_used(batch):  # pylint: disable=redefined-outer-name
    assert batch.run.task_results, batch.run.stdout[-3000:]
    assert batch.pending_faults == []


def test_rules_input_fed_back_with_exclusive_is_one_get(ansible, emu):
    """The round trip: every rule listed by rule_info, fed to the rule set with exclusive, changes nothing."""
    acc = account(600)
    rules = [RULE_A, RULE_B, rule(4, 'Twins', 4, SENDER, description='{{ not a template }}'),
             rule(5, 'Twins', 5, RIVALS, action={'action': 'Block', 'message': ''}), RULE_C]
    emu.set_state({'accounts': {acc: {'mapping': None, 'rules': rules}}})
    options = connection(acc, api_base_url=emu.base_url)
    tasks = [{'name': 'export', COLLECTION + '.cloudflare_dlp_email_rule_info': options, 'register': 'exported'},
             {'name': 'apply', COLLECTION + '.cloudflare_dlp_email_rules': dict(options, rules='{{ exported.rules_input }}', exclusive=True)}]
    run = ansible.play(tasks)
    assert run.returncode == 0, run.output
    results = {record['task']: record for record in run.task_results}
    assert results['apply']['status'] == 'ok' and results['apply']['result']['deleted'] == []
    exported = results['export']['result']['rules_input']
    assert [entry.get('rule_id') for entry in exported] == [None, None, rules[2]['rule_id'], rules[3]['rule_id'], None]
    assert exported[2]['description'] == '{{ not a template }}'
    assert [(request['method'], request['path']) for request in emu.log()] == [('GET', rules_path(acc))] * 2
    assert emu.state()['accounts'][acc]['rules'] == rules
