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
    A run that changes nothing sends exactly one request, or two when a condition gives a DLP profile by name (the
    profile list is read first).
  - Each entry of O(rules) matches an existing rule by its O(rules[].rule_id), else by its O(rules[].name). Every check,
    including duplicate names and unknown DLP profiles, is done before the first change is sent.
  - The API replaces the whole rule on every update, so an option an entry leaves unset keeps the rule's current value.
    Only a new rule gets defaults (O(rules[].enabled=true), O(rules[].action=Block)).
  - Changes are sent in this order - updates (one C(PUT) each), new rules (one C(POST) each), deletions (one C(DELETE)
    each), then one C(PATCH) with every priority that differs.
  - If a request fails, the module stops there and the changes sent before it stay. The failure still says what was
    applied, in RV(created), RV(updated), RV(deleted) and RV(reprioritized), and which rules the failed request may or
    may not have changed, in RV(uncertain); the task is then C(changed) if anything was applied. Ansible's recap does
    not count a failed task as changed, so read these lists with C(register) and C(ignore_errors), or in a C(rescue)
    section from C(ansible_failed_result) (see the examples).
  - To adopt the rules an account already has, feed the RV(zerotrust.cloudflare.cloudflare_dlp_email_rule_info#module:rules_input)
    of M(zerotrust.cloudflare.cloudflare_dlp_email_rule_info) to O(rules); unchanged, that is a run that changes nothing.
  - To manage a single rule, use M(zerotrust.cloudflare.cloudflare_dlp_email_rule).
extends_documentation_fragment:
  - zerotrust.cloudflare.dlp_email_rule.rules
  - zerotrust.cloudflare.cloudflare
  - zerotrust.cloudflare.cloudflare.connection
  - zerotrust.cloudflare.attributes
  - zerotrust.cloudflare.attributes.actiongroup
attributes:
  check_mode:
    support: full
    details:
      - Only reads (the profile list when a name is used, and the rule list). RV(rules) is then the rule set as the
        changes would leave it; a rule that would be created has no C(rule_id) yet. RV(created), RV(updated),
        RV(deleted) and RV(reprioritized) list what would be done; on failure they are empty, as nothing was applied.
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  exclusive:
    description:
      - Whether to delete the rules of the account that O(rules) does not list.
      - In check mode and diff mode, RV(deleted) and the diff show which rules would be deleted.
      - Never combine it with the RV(zerotrust.cloudflare.cloudflare_dlp_email_rule_info#module:rules_input) of a
        M(zerotrust.cloudflare.cloudflare_dlp_email_rule_info) call filtered by name or rule ID - that list lacks the
        other rules of the account, which would then all be deleted.
    type: bool
    default: false
notes:
  - A rule is created with one request that is never resent blindly. If its answer is lost (a server error or a
    timeout) or is not a rule, the module reads the rule list once and adopts a rule with the same name and content if
    one appeared; otherwise it fails with the original error and names the rule in RV(uncertain).
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
            value: [Credit Card Numbers]  # a profile's name (or its ID), see cloudflare_dlp_profile_info
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

- name: Apply a rule set, and see what was applied even if a request fails part-way
  zerotrust.cloudflare.cloudflare_dlp_email_rules:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    rules: "{{ dlp_email_rules }}"
  register: dlp_rules
  ignore_errors: true

- name: Say what the failed run applied (the recap does not count it as changed)
  ansible.builtin.debug:
    msg: >-
      Applied before the failure: created {{ dlp_rules.created }}, updated {{ dlp_rules.updated }},
      deleted {{ dlp_rules.deleted }}, priorities of {{ dlp_rules.reprioritized }}; unknown for {{ dlp_rules.uncertain }}
  when: dlp_rules is failed

- name: The same with block and rescue
  block:
    - name: Apply the rule set
      zerotrust.cloudflare.cloudflare_dlp_email_rules:
        account_id: 023e105f4ecef8ad9ca31a8372d0c353
        rules: "{{ dlp_email_rules }}"
  rescue:
    - name: Say what was applied before the failure
      ansible.builtin.debug:
        msg: "Created {{ ansible_failed_result.created | default([]) }} before: {{ ansible_failed_result.msg }}"

- name: Adopt the rules an account already has (an unfiltered export fed back changes nothing)
  block:
    - name: Read every rule in the input format
      zerotrust.cloudflare.cloudflare_dlp_email_rule_info:
        account_id: 023e105f4ecef8ad9ca31a8372d0c353
      register: current

    - name: Manage exactly those rules from now on
      zerotrust.cloudflare.cloudflare_dlp_email_rules:
        account_id: 023e105f4ecef8ad9ca31a8372d0c353
        rules: "{{ current.rules_input }}"
        exclusive: true

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
rate_limit_waited:
  description:
    - Seconds this task waited for the request budget (O(rate_limit_budget)) and after HTTP 429 answers, together;
      V(0.0) when it never waited.
  returned: always
  type: float
  sample: 0.0
rate_limit_waits:
  description: One entry per wait, with its C(reason) (V(budget), V(remaining count) or V(429)) and C(seconds).
  returned: at verbosity 3 (C(-vvv)) or more
  type: list
  elements: dict
  sample: [{reason: budget, seconds: 1.5}]
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
  description:
    - The names of the rules that were created (or would be, in check mode).
    - On failure, those created before the failure; empty in check mode.
  returned: success and failure
  type: list
  elements: str
  sample: [No email to competitors]
updated:
  description:
    - The names of the rules whose content was changed (or would be). Priority changes are in RV(reprioritized).
    - On failure, those changed before the failure; empty in check mode.
  returned: success and failure
  type: list
  elements: str
  sample: [Block card numbers]
deleted:
  description:
    - The names of the rules that were deleted (or would be).
    - On failure, those deleted before the failure; empty in check mode.
  returned: success and failure
  type: list
  elements: str
  sample: [Old rule]
reprioritized:
  description:
    - The names of the rules whose priority was set (or would be), new rules included.
    - On failure, empty - the priorities go in the last request, so a failure comes before it or is that request's
      own (see RV(uncertain)).
  returned: success and failure
  type: list
  elements: str
  sample: [Block card numbers, No email to competitors]
uncertain:
  description:
    - On failure, the names of the rules the failed request was writing when its outcome is unknown (a server error or
      a timeout after the retries, an answer that is not a rule, or a lost create that the module did not find in the
      rule list afterwards). The next run compares again and does what is still needed.
    - Always empty on success, and when the failed request surely changed nothing.
  version_added: 0.2.0
  returned: success and failure
  type: list
  elements: str
  sample: [No email to competitors]
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

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _rule_engine as engine
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import CloudflareAPI, common_argument_spec, fail
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._profiles import ProfileError
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._rules import RuleError, rule_options
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._transport import CloudflareError


def main():
    module = AnsibleModule(
        argument_spec=common_argument_spec(
            rules=dict(type='list', elements='dict', required=True, options=rule_options()),
            exclusive=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    entries = module.params['rules']
    prefixes = ['rules[%d].' % index for index in range(len(entries))]
    applied = engine.Applied()
    try:
        engine.check_entries(entries, prefixes)
        api = CloudflareAPI(module)
        entries = engine.with_profile_ids(api, entries, prefixes)
        current = engine.read_rules(api)
        steps = engine.plan(entries, current, module.params['exclusive'], prefixes)
        applied = engine.Applied(current)
        engine.apply(api, steps, applied, module.check_mode)
    except (CloudflareError, RuleError, ProfileError) as error:
        result = engine.report(applied, error)
        fail(module, error, engine.failure_message(result), **result)

    result = engine.report(applied)
    result['rules'] = list(applied.rules.values())
    if module._diff:
        result['diff'] = dict(before={'rules': applied.before}, after={'rules': result['rules']})
    module.exit_json(**result)


if __name__ == '__main__':
    main()
