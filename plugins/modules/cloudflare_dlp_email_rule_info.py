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

- name: Read one rule by its ID
  zerotrust.cloudflare.cloudflare_dlp_email_rule_info:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    rule_id: 2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
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
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import CloudflareAPI, common_argument_spec
from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _rules


def main():
    module = AnsibleModule(
        argument_spec=common_argument_spec(
            name=dict(type='str'),
            rule_id=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    name, rule_id = module.params['name'], module.params['rule_id']
    _rules.check_rule_id(module, rule_id)
    api = CloudflareAPI(module)

    rules = _rules.check_rule_list(module, api.request('GET', api.rules_path), 'GET %s' % api.rules_path)
    if name is not None:
        rules = _rules.named(rules, name)
    if rule_id is not None:
        rules = [rule for rule in rules if _rules.rule_key(rule) == rule_id.lower()]
    module.exit_json(changed=False, rules=rules)


if __name__ == '__main__':
    main()
