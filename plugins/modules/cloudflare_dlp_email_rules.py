#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cloudflare_dlp_email_rules
short_description: Manage the whole set of Cloudflare DLP email rules in one task
version_added: 0.1.0
description:
  - Creates, updates and deletes the rules of Cloudflare Zero Trust DLP for email of an account, and sets their
    priorities, in one task.
  - Reads the rule list once, then sends only the requests that are needed, with all priority changes in one request.
    A run that changes nothing sends exactly one request.
  - Each entry of O(rules) matches an existing rule by its O(rules[].rule_id), else by its O(rules[].name). Every check,
    including duplicate names, is done before the first change is sent.
  - The API replaces the whole rule on every update, so an option an entry leaves unset keeps the rule's current value.
    Only a new rule gets defaults (O(rules[].enabled=true), O(rules[].action=Block)).
  - Changes are sent in this order - updates, new rules, deletions, then the priorities. If a request fails, the
    changes sent before it stay.
  - To manage a single rule, use M(zerotrust.cloudflare.cloudflare_dlp_email_rule).
extends_documentation_fragment:
  - zerotrust.cloudflare.cloudflare
  - zerotrust.cloudflare.cloudflare.connection
  - zerotrust.cloudflare.attributes
  - zerotrust.cloudflare.attributes.actiongroup
attributes:
  check_mode:
    support: full
    details:
      - Only reads the rule list. RV(rules) is then the rule set as the changes would leave it; a rule that would be
        created has no C(rule_id) yet. RV(deleted) lists the rules that would be deleted.
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  rules:
    description:
      - The rules. Names must be unique among the entries.
      - With O(exclusive=false), rules of the account that are not listed are left alone.
    type: list
    elements: dict
    required: true
    suboptions:
      state:
        description:
          - V(present) creates the rule or updates it; V(absent) deletes it if it exists.
        type: str
        choices: [present, absent]
        default: present
      rule_id:
        description:
          - The ID (a UUID) of an existing rule. The entry then matches that rule, and O(rules[].name) renames it.
          - Without it the entry matches the rule with its O(rules[].name); the module fails before any change if
            several rules have that name. A new rule gets its ID from Cloudflare, so an entry with a O(rules[].rule_id)
            that matches no rule fails.
          - A value that is not a UUID is rejected before any request is sent.
        type: str
      name:
        description:
          - The name of the rule. Required unless O(rules[].rule_id) is given.
        type: str
      description:
        description:
          - A description of the rule. V('') clears it.
          - An empty description, V(null) and no description count as the same when comparing.
        type: str
      enabled:
        description:
          - Whether the rule is applied.
          - When not set, an existing rule keeps its current value and a new rule is enabled.
        type: bool
      conditions:
        description:
          - What an email must match for the rule to apply. All conditions must match.
          - Required to create a rule. When not set, an existing rule keeps its current conditions.
          - The order of conditions does not matter when comparing with the current rule.
        type: list
        elements: dict
        suboptions:
          selector:
            description:
              - What the condition looks at, the V(Recipients), the V(Sender), or the V(DLPProfiles) (IDs of DLP profiles)
                that match the email.
            type: str
            required: true
            choices: [Recipients, Sender, DLPProfiles]
          operator:
            description:
              - How the selected values are matched against O(rules[].conditions[].value).
              - With V(InList) and V(NotInList) the value is a list whose order and duplicates do not matter, and a
                single string is the same as a list of one.
            type: str
            required: true
            choices: [InList, NotInList, MatchRegex, NotMatchRegex]
          value:
            description:
              - A string or a list of strings (email addresses, DLP profile IDs or regular expressions).
              - It is sent exactly as given. Anything but a string or a list of strings is rejected before any request.
            type: raw
            required: true
      action:
        description:
          - What to do with an email that matches. The API knows only V(Block).
          - When not set, an existing rule keeps its action and a new rule blocks.
        type: str
        choices: [Block]
      action_message:
        description:
          - The message shown to the sender of a blocked email (the API's C(action.message)).
          - Not called C(message), a name Ansible reserves.
          - When not set, an existing rule keeps its current message. V('') clears it; an empty message, V(null) and no
            message count as the same when comparing.
        type: str
      priority:
        description:
          - The rule's priority, a whole number of V(0) or more.
          - Cloudflare documents only that higher priority rules are evaluated first, not whether that means a larger
            number. The module sends the numbers as given and never derives them from the order of O(rules).
          - All priority changes, those of new rules included, are sent together in one request after the other
            changes.
          - When not set, an existing rule keeps its priority and Cloudflare chooses one for a new rule.
        type: int
  exclusive:
    description:
      - Whether to delete the rules of the account that O(rules) does not list.
      - In check mode and diff mode, RV(deleted) and the diff show which rules would be deleted.
    type: bool
    default: false
notes:
  - A rule is created with one request that is never resent blindly. If its answer is lost (a server error or a
    timeout), the module reads the rule list once and adopts a rule with the same name and content if one appeared;
    otherwise it fails with the original error.
seealso:
  - module: zerotrust.cloudflare.cloudflare_dlp_email_rule
  - module: zerotrust.cloudflare.cloudflare_dlp_email_rule_info
author:
  - zerotrust.cloudflare maintainers (@zerotrust-cloudflare)
'''

EXAMPLES = r'''
- name: Set the DLP email rules of an account, and delete all others
  zerotrust.cloudflare.cloudflare_dlp_email_rules:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    api_token: "{{ cloudflare_api_token }}"
    exclusive: true
    rules:
      - name: Block card numbers
        description: Card numbers may only be sent inside the company
        conditions:
          - selector: DLPProfiles
            operator: InList
            value: [c8f0b8a2-5b4e-4f3c-9d1a-2e7f6a5b4c3d]
          - selector: Recipients
            operator: NotMatchRegex
            value: '.*@example\.com$'
        action_message: Email with card numbers cannot leave the company.
        priority: 1
      - name: No email to competitors
        conditions:
          - selector: Recipients
            operator: MatchRegex
            value: '.*@competitor\.example$'
        priority: 2
  register: dlp_rules

- name: Show what changed
  ansible.builtin.debug:
    msg: "created {{ dlp_rules.created }}, updated {{ dlp_rules.updated }}, deleted {{ dlp_rules.deleted }}"

- name: See which rules an exclusive run would delete, without changing anything
  zerotrust.cloudflare.cloudflare_dlp_email_rules:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    exclusive: true
    rules:
      - name: Block card numbers
  check_mode: true
  diff: true
  register: planned

- name: Swap two priorities and delete one rule, leaving other rules alone
  zerotrust.cloudflare.cloudflare_dlp_email_rules:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    rules:
      - name: Block card numbers
        priority: 2
      - name: No email to competitors
        priority: 1
      - name: Old rule
        state: absent
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
rules:
  description:
    - The resulting rules, as the API returned them, with the priorities that were set. Existing rules come in the
      order the API listed them, new rules after them in the order of O(rules).
    - In check mode, the rules as the changes would leave them.
  returned: success
  type: list
  elements: dict
  contains:
    rule_id:
      description: The rule's ID. Missing in check mode for a rule that would be created.
      type: str
      returned: when the rule exists
      sample: 2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d
    name:
      description: The rule's name.
      type: str
      returned: success
      sample: Block card numbers
    description:
      description: The rule's description.
      type: str
      returned: when the API returns it
      sample: Card numbers may only be sent inside the company
    enabled:
      description: Whether the rule is applied.
      type: bool
      returned: success
      sample: true
    priority:
      description: The rule's priority.
      type: int
      returned: when known
      sample: 1
    conditions:
      description: The rule's conditions (C(selector), C(operator), C(value)), all of which must match.
      type: list
      elements: dict
      returned: success
      sample: [{selector: Recipients, operator: InList, value: [ceo@example.com]}]
    action:
      description: The action (C(action), always C(Block)) and the message shown to the sender (C(message)).
      type: dict
      returned: success
      sample: {action: Block, message: null}
    created_at:
      description: When the rule was created.
      type: str
      returned: when the rule exists
      sample: '2025-01-01T12:00:00Z'
    updated_at:
      description: When the rule was last changed.
      type: str
      returned: when the rule exists
      sample: '2025-01-02T12:00:00Z'
  sample:
    - rule_id: 2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d
      name: Block card numbers
      description: null
      enabled: true
      priority: 1
      conditions: [{selector: DLPProfiles, operator: InList, value: [c8f0b8a2-5b4e-4f3c-9d1a-2e7f6a5b4c3d]}]
      action: {action: Block, message: null}
      created_at: '2025-01-01T12:00:00Z'
      updated_at: '2025-01-01T12:00:00Z'
created:
  description: The names of the rules that were created (or would be, in check mode).
  returned: success
  type: list
  elements: str
  sample: [No email to competitors]
updated:
  description: The names of the rules whose content was changed (or would be). Priority changes are in RV(reprioritized).
  returned: success
  type: list
  elements: str
  sample: [Block card numbers]
deleted:
  description: The names of the rules that were deleted (or would be).
  returned: success
  type: list
  elements: str
  sample: [Old rule]
reprioritized:
  description: The names of the rules whose priority was set (or would be), new rules included.
  returned: success
  type: list
  elements: str
  sample: [Block card numbers, No email to competitors]
diff:
  description: The rule set before and after, when run with C(--diff).
  returned: when diff mode is enabled
  type: dict
  contains:
    before:
      description: The rules before the task, under the key C(rules).
      type: dict
      returned: always
    after:
      description: The rules after the task, under the key C(rules).
      type: dict
      returned: always
  sample:
    before: {rules: [{name: Old rule, enabled: true}]}
    after: {rules: []}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import CloudflareAPI, common_argument_spec
from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _rules


def check_entries(module):
    """Checks on the entries themselves, before any request."""
    names, ids = {}, {}
    for index, entry in enumerate(module.params['rules']):
        prefix = 'rules[%d].' % index
        _rules.check_rule_id(module, entry['rule_id'], prefix + 'rule_id')
        if not entry['rule_id'] and entry['name'] is None:
            module.fail_json(msg='rules[%d] needs a name or a rule_id' % index)
        _rules.check_rule(module, entry, prefix)
        for seen, key, what in ((names, entry['name'], 'name'), (ids, (entry['rule_id'] or '').lower() or None, 'rule_id')):
            if key is None:
                continue
            if key in seen:
                module.fail_json(msg='rules[%d] and rules[%d] have the same %s %r: each rule must be listed once, with a'
                                     ' unique name' % (seen[key], index, what, entry[what]))
            seen[key] = index


def match(module, current):
    """The existing rule each entry matches (or None), checked so that no two entries meet the same rule or name."""
    entries = module.params['rules']
    by_key = dict((_rules.rule_key(rule), rule) for rule in current)
    claimed, matched, final_names = {}, [], {}
    for index, entry in enumerate(entries):
        if entry['rule_id']:
            rule = by_key.get(entry['rule_id'].lower())
            if rule is None and entry['state'] == 'present':
                module.fail_json(msg='rules[%d].rule_id %s matches no rule. Cloudflare chooses the ID of a new rule: leave'
                                     ' rule_id out to create the rule by name.' % (index, entry['rule_id']))
        else:
            found = _rules.named(current, entry['name'])
            if len(found) > 1:
                module.fail_json(msg='rules[%d].name %r matches %d rules: %s. Set rules[%d].rule_id to choose one.'
                                     % (index, entry['name'], len(found), _rules.describe(found), index))
            rule = found[0] if found else None
        if rule is not None:
            key = _rules.rule_key(rule)
            if key in claimed:
                module.fail_json(msg='rules[%d] and rules[%d] both match the rule %s (%r): list each rule once'
                                     % (claimed[key], index, rule.get('rule_id'), rule.get('name')))
            claimed[key] = index
        if entry['state'] == 'present':
            name = entry['name'] if entry['name'] is not None else rule.get('name')
            if name in final_names:
                module.fail_json(msg='rules[%d] and rules[%d] would both be named %r: rule names must be unique'
                                     % (final_names[name], index, name))
            final_names[name] = index
        matched.append(rule)
    return matched, claimed


def plan(module, current):
    """What to create, update, delete and reprioritise; fails (before any write) on what cannot be done."""
    matched, claimed = match(module, current)
    creates, updates, deletes, priorities = [], [], [], []
    for index, (entry, rule) in enumerate(zip(module.params['rules'], matched)):
        if entry['state'] == 'absent':
            if rule is not None:
                deletes.append(rule)
            continue
        if rule is None:
            missing = _rules.missing_for_create(entry)
            if missing:
                module.fail_json(msg='rules[%d]: %s required to create the rule %r, which does not exist'
                                     % (index, ' and '.join(missing) + (' is' if len(missing) == 1 else ' are'), entry['name']))
            body = _rules.build_body(entry)
            creates.append((index, body))
            target = ('new', index)
        else:
            body = _rules.build_body(entry, rule)
            if not _rules.same_rule(rule, body):
                updates.append((rule, body))
            target = ('old', _rules.rule_key(rule))
        if entry['priority'] is not None:
            priorities.append((target, entry['priority']))
    if module.params['exclusive']:
        deletes.extend(rule for rule in current if _rules.rule_key(rule) not in claimed)
    return creates, updates, deletes, priorities


def main():
    module = AnsibleModule(
        argument_spec=common_argument_spec(
            rules=dict(type='list', elements='dict', required=True, options=dict(
                state=dict(type='str', default='present', choices=['present', 'absent']),
                rule_id=dict(type='str'),
                **_rules.rule_options()
            )),
            exclusive=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    check_entries(module)
    api = CloudflareAPI(module)

    current = _rules.check_rule_list(module, api.request('GET', api.rules_path), 'GET %s' % api.rules_path)
    creates, updates, deletes, priorities = plan(module, current)

    # The latest answer of the API for every rule: existing ones by key, new ones by entry index.
    latest = dict((_rules.rule_key(rule), rule) for rule in current)
    new = {}
    for rule, body in updates:
        latest[_rules.rule_key(rule)] = (_rules.merged(rule, body) if module.check_mode
                                         else api.request('PUT', api.rule_path(rule['rule_id']), body))
    known_keys = set(latest)
    for index, body in creates:
        if module.check_mode:
            new[index] = _rules.merged(None, body)
        else:
            new[index] = _rules.create_rule(api, body, known_keys)
            known_keys.add(_rules.rule_key(new[index]))
    for rule in deletes:
        if not module.check_mode:
            api.request('DELETE', api.rule_path(rule['rule_id']), absent_on_404=True)  # 404: already gone (a retried DELETE)
        latest.pop(_rules.rule_key(rule))

    reprioritized, new_priorities = [], {}
    for (kind, where), priority in priorities:
        rule = new[where] if kind == 'new' else latest[where]
        if rule.get('priority') == priority:
            continue
        reprioritized.append(rule['name'])
        if not module.check_mode:
            new_priorities[rule['rule_id']] = priority
        rule = _rules.merged(rule, {}, priority)
        if kind == 'new':
            new[where] = rule
        else:
            latest[where] = rule
    if new_priorities:
        answer = api.request('PATCH', api.rules_path, {'new_priorities': new_priorities})
        if isinstance(answer, dict) and _rules.rule_key(answer) in latest:  # "a rule": keep it if it is one we list
            latest[_rules.rule_key(answer)] = answer
        elif isinstance(answer, dict):
            for index, rule in new.items():
                if _rules.rule_key(rule) == _rules.rule_key(answer):
                    new[index] = answer

    result = [latest[_rules.rule_key(rule)] for rule in current if _rules.rule_key(rule) in latest]
    result.extend(new[index] for index, dummy in creates)
    output = dict(
        changed=bool(creates or updates or deletes or reprioritized),
        rules=result,
        created=[body['name'] for dummy, body in creates],
        updated=[body['name'] for dummy, body in updates],
        deleted=[rule.get('name') for rule in deletes],
        reprioritized=reprioritized,
    )
    if module._diff:
        output['diff'] = dict(before={'rules': current}, after={'rules': result})
    module.exit_json(**output)


if __name__ == '__main__':
    main()
