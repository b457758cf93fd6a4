#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cloudflare_dlp_email_rule_info
short_description: List Cloudflare DLP email rules
version_added: 0.1.0
description:
  - Lists the rules of Cloudflare Zero Trust DLP for email of an account, optionally only those with a given name or ID.
  - Sends one request and never changes anything.
  - Besides the rules as the API returns them, returns them in the input format of
    M(zerotrust.cloudflare.cloudflare_dlp_email_rules) (RV(rules_input)), to adopt the rules an account already has;
    fed back to O(zerotrust.cloudflare.cloudflare_dlp_email_rules#module:rules) unchanged, they change nothing.
  - Never feed the RV(rules_input) of a call filtered by O(name) or O(rule_id) to
    M(zerotrust.cloudflare.cloudflare_dlp_email_rules) with
    O(zerotrust.cloudflare.cloudflare_dlp_email_rules#module:exclusive=true) - every rule the filter left out would be
    deleted.
extends_documentation_fragment:
  - zerotrust.cloudflare.cloudflare
  - zerotrust.cloudflare.cloudflare.connection
  - zerotrust.cloudflare.attributes.info_module
  - zerotrust.cloudflare.attributes.actiongroup
options:
  name:
    description:
      - Return only the rules with this exact name.
    type: str
  rule_id:
    description:
      - Return only the rule with this ID (a UUID; compared without regard to case).
      - A value that is not a UUID is rejected before any request is sent.
      - With O(name) too, a rule must match both.
    type: str
seealso:
  - module: zerotrust.cloudflare.cloudflare_dlp_email_rule
  - module: zerotrust.cloudflare.cloudflare_dlp_email_rules
author:
  - zerotrust.cloudflare maintainers (@zerotrust-cloudflare)
'''

EXAMPLES = r'''
- name: List all rules
  zerotrust.cloudflare.cloudflare_dlp_email_rule_info:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    api_token: "{{ cloudflare_api_token }}"
  register: all_rules

- name: Show the names of the enabled rules
  ansible.builtin.debug:
    msg: "{{ all_rules.rules | selectattr('enabled') | map(attribute='name') | list }}"

- name: Find a rule by name
  zerotrust.cloudflare.cloudflare_dlp_email_rule_info:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    name: Block card numbers
  register: card_rules

- name: Fail when the rule is missing
  ansible.builtin.assert:
    that: card_rules.rules | length == 1
    fail_msg: The rule "Block card numbers" is missing

- name: Export every rule in the input format of cloudflare_dlp_email_rules (and of the role's dlp_email_rules)
  zerotrust.cloudflare.cloudflare_dlp_email_rule_info:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
  register: exported

- name: Manage exactly these rules from now on (a no-op now, exclusive as the export is not filtered)
  zerotrust.cloudflare.cloudflare_dlp_email_rules:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    rules: "{{ exported.rules_input }}"
    exclusive: true

- name: Read one rule by its ID
  zerotrust.cloudflare.cloudflare_dlp_email_rule_info:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    rule_id: 2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d
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
    - The rules as the API returned them, in the API's order; only those matching O(name) and O(rule_id) when given.
    - Empty when no rule matches.
  returned: success
  type: list
  elements: dict
  contains:
    rule_id:
      description: The rule's ID.
      type: str
      returned: success
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
      description:
        - The rule's priority. Cloudflare documents only that higher priority rules are evaluated first.
      type: int
      returned: success
      sample: 10
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
      returned: success
      sample: '2025-01-01T12:00:00Z'
    updated_at:
      description: When the rule was last changed.
      type: str
      returned: success
      sample: '2025-01-02T12:00:00Z'
  sample:
    - rule_id: 2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d
      name: Block card numbers
      description: null
      enabled: true
      priority: 10
      conditions: [{selector: DLPProfiles, operator: InList, value: [c8f0b8a2-5b4e-4f3c-9d1a-2e7f6a5b4c3d]}]
      action: {action: Block, message: null}
      created_at: '2025-01-01T12:00:00Z'
      updated_at: '2025-01-01T12:00:00Z'
rules_input:
  description:
    - The same rules as RV(rules), in the same order, as entries of the O(zerotrust.cloudflare.cloudflare_dlp_email_rules#module:rules)
      option of M(zerotrust.cloudflare.cloudflare_dlp_email_rules) and of the role variable C(dlp_email_rules) - no
      timestamps, the action message as C(action_message).
    - A rule has C(rule_id) only when its name is not unique on the account (among all its rules, whatever the
      filters), so that the entries always match their rules.
    - Fed back unfiltered to M(zerotrust.cloudflare.cloudflare_dlp_email_rules) with
      O(zerotrust.cloudflare.cloudflare_dlp_email_rules#module:exclusive=true), they change nothing (one request).
      Never combine a filtered list with O(zerotrust.cloudflare.cloudflare_dlp_email_rules#module:exclusive=true).
    - Names and values can contain C({{); written to a vars file, mark them C(!unsafe) (as
      C(playbooks/dlp_email_export.yml) of this collection does), or Ansible templates them when it reads them back.
  version_added: 0.2.0
  returned: success
  type: list
  elements: dict
  contains:
    rule_id:
      description: The rule's ID.
      type: str
      returned: when another rule of the account has the same name
      sample: 2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d
    name:
      description: The rule's name.
      type: str
      returned: success
      sample: Block card numbers
    description:
      description: The rule's description.
      type: str
      returned: success
      sample: null
    enabled:
      description: Whether the rule is applied.
      type: bool
      returned: success
      sample: true
    priority:
      description: The rule's priority.
      type: int
      returned: success
      sample: 10
    conditions:
      description: The rule's conditions (C(selector), C(operator), C(value)), with DLP profiles by ID.
      type: list
      elements: dict
      returned: success
      sample: [{selector: DLPProfiles, operator: InList, value: [c8f0b8a2-5b4e-4f3c-9d1a-2e7f6a5b4c3d]}]
    action:
      description: The action, always V(Block).
      type: str
      returned: success
      sample: Block
    action_message:
      description: The message shown to the sender of a blocked email.
      type: str
      returned: success
      sample: Email with card numbers cannot leave the company.
  sample:
    - name: Block card numbers
      description: null
      enabled: true
      priority: 10
      conditions: [{selector: DLPProfiles, operator: InList, value: [c8f0b8a2-5b4e-4f3c-9d1a-2e7f6a5b4c3d]}]
      action: Block
      action_message: null
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _rule_engine as engine, _rules
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import CloudflareAPI, common_argument_spec, fail
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._transport import CloudflareError


def main():
    module = AnsibleModule(
        argument_spec=common_argument_spec(
            name=dict(type='str'),
            rule_id=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    name, rule_id = module.params['name'], module.params['rule_id']
    try:
        _rules.check_uuid(rule_id, 'rule_id')
        account_rules = engine.read_rules(CloudflareAPI(module))
    except (CloudflareError, _rules.RuleError) as error:
        fail(module, error)

    rules = _rules.filtered(account_rules, name, rule_id)
    module.exit_json(changed=False, rules=rules, rules_input=_rules.rules_input(rules, account_rules))


if __name__ == '__main__':
    main()
