#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cloudflare_dlp_email_rule
short_description: Manage one Cloudflare DLP email rule
version_added: 0.1.0
description:
  - Creates, updates or deletes one rule of Cloudflare Zero Trust DLP for email. A rule blocks outgoing email that
    matches all of its conditions.
  - The rule is found by O(rule_id) when given, else by O(name).
  - The API replaces the whole rule on every update, so an option the task leaves unset keeps the rule's current value.
    Only a new rule gets defaults (O(enabled=true), O(action=Block)).
  - Reads the rule first and writes only what differs, so a run that changes nothing sends exactly one request.
  - To manage all rules of an account in one task, use M(zerotrust.cloudflare.cloudflare_dlp_email_rules).
extends_documentation_fragment:
  - zerotrust.cloudflare.cloudflare
  - zerotrust.cloudflare.cloudflare.connection
  - zerotrust.cloudflare.attributes
  - zerotrust.cloudflare.attributes.actiongroup
attributes:
  check_mode:
    support: full
    details:
      - Only reads the rule. RV(rule) is then the rule as the change would leave it; a rule that would be created has
        no C(rule_id) yet.
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  state:
    description:
      - V(present) creates the rule or updates it; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  rule_id:
    description:
      - The ID (a UUID) of an existing rule. The rule is then found by its ID, and O(name) renames it.
      - Without it the rule is found by O(name). A new rule gets its ID from Cloudflare, so a rule cannot be created
        with a chosen O(rule_id).
      - A value that is not a UUID is rejected before any request is sent.
    type: str
  name:
    description:
      - The name of the rule.
      - Required unless O(rule_id) is given. When the rule is found by name and several rules have this name, the
        module fails and lists their IDs; set O(rule_id) to choose one.
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
          - How the selected values are matched against O(conditions[].value).
          - With V(InList) and V(NotInList) the value is a list whose order and duplicates do not matter, and a single
            string is the same as a list of one.
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
      - The rule's priority, a whole number of V(0) or more, set with a separate request only when it differs.
      - Cloudflare documents only that higher priority rules are evaluated first, not whether that means a larger
        number. The module sends the number as given.
      - When not set, an existing rule keeps its priority and Cloudflare chooses one for a new rule.
    type: int
notes:
  - A rule is created with one request that is never resent blindly. If its answer is lost (a server error or a
    timeout), the module reads the rule list once and adopts a rule with the same name and content if one appeared;
    otherwise it fails with the original error.
seealso:
  - module: zerotrust.cloudflare.cloudflare_dlp_email_rules
  - module: zerotrust.cloudflare.cloudflare_dlp_email_rule_info
author:
  - zerotrust.cloudflare maintainers (@zerotrust-cloudflare)
'''

EXAMPLES = r'''
- name: Block email with credit card numbers to outside recipients
  zerotrust.cloudflare.cloudflare_dlp_email_rule:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    api_token: "{{ cloudflare_api_token }}"
    name: Block card numbers
    description: Card numbers may only be sent inside the company
    conditions:
      - selector: DLPProfiles
        operator: InList
        value: [c8f0b8a2-5b4e-4f3c-9d1a-2e7f6a5b4c3d]
      - selector: Recipients
        operator: NotMatchRegex
        value: '.*@example\.com$'
    action_message: Email with card numbers cannot leave the company.
    priority: 10
  register: card_rule

- name: Disable the rule, keeping everything else as it is
  zerotrust.cloudflare.cloudflare_dlp_email_rule:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    name: Block card numbers
    enabled: false

- name: Rename a rule found by its ID
  zerotrust.cloudflare.cloudflare_dlp_email_rule:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    rule_id: "{{ card_rule.rule.rule_id }}"
    name: Block payment card numbers

- name: Clear the description
  zerotrust.cloudflare.cloudflare_dlp_email_rule:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    name: Block payment card numbers
    description: ''

- name: Delete the rule
  zerotrust.cloudflare.cloudflare_dlp_email_rule:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    name: Block payment card numbers
    state: absent

- name: Set the credentials once for every module of the collection
  module_defaults:
    group/zerotrust.cloudflare.all:
      api_token: "{{ cloudflare_api_token }}"
      account_id: 023e105f4ecef8ad9ca31a8372d0c353
  block:
    - name: Block email to a competitor
      zerotrust.cloudflare.cloudflare_dlp_email_rule:
        name: No email to competitors
        conditions:
          - selector: Recipients
            operator: MatchRegex
            value: '.*@competitor\.example$'
      delegate_to: localhost
      run_once: true
'''

RETURN = r'''
rule:
  description:
    - The rule as the API returned it, V(null) when it is absent or was deleted.
    - In check mode, the rule as the change would leave it.
  returned: success
  type: dict
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
      sample: 10
    conditions:
      description: The rule's conditions, as the API returned them.
      type: list
      elements: dict
      returned: success
      sample: [{selector: Recipients, operator: InList, value: [ceo@example.com]}]
    action:
      description: The action (C(action), always C(Block)) and the message shown to the sender (C(message)).
      type: dict
      returned: success
      sample: {action: Block, message: Email with card numbers cannot leave the company.}
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
    rule_id: 2b6a2d1c-9a5e-4f7b-8c3d-1e2f3a4b5c6d
    name: Block card numbers
    description: null
    enabled: true
    priority: 10
    conditions: [{selector: DLPProfiles, operator: InList, value: [c8f0b8a2-5b4e-4f3c-9d1a-2e7f6a5b4c3d]}]
    action: {action: Block, message: null}
    created_at: '2025-01-01T12:00:00Z'
    updated_at: '2025-01-01T12:00:00Z'
diff:
  description: The rule before and after, when run with C(--diff).
  returned: when diff mode is enabled
  type: dict
  contains:
    before:
      description: The rule before the task, empty when there was none.
      type: dict
      returned: always
    after:
      description: The rule after the task, empty when it is absent.
      type: dict
      returned: always
  sample:
    before: {name: Block card numbers, enabled: true}
    after: {name: Block card numbers, enabled: false}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import CloudflareAPI, common_argument_spec
from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _rules


def find_rule(module, api):
    """The rule the task means, or None: by rule_id (GET of the rule, 404 = absent), else by name (GET of the list)."""
    rule_id, name = module.params['rule_id'], module.params['name']
    if rule_id:
        rule = api.request('GET', api.rule_path(rule_id), absent_on_404=True)
        if rule is not None and not isinstance(rule, dict):
            module.fail_json(msg='Cloudflare answered GET %s with an unexpected result: %r' % (api.rule_path(rule_id), rule))
        return rule or None, set()
    rules = _rules.check_rule_list(module, api.request('GET', api.rules_path), 'GET %s' % api.rules_path)
    matches = _rules.named(rules, name)
    if len(matches) > 1:
        module.fail_json(msg='name %r matches %d rules: %s. Set rule_id to choose one.'
                             % (name, len(matches), _rules.describe(matches)))
    return (matches[0] if matches else None), set(_rules.rule_key(rule) for rule in rules)


def ensure_present(module, api, current, known_keys):
    """Create or update; return (changed, the resulting rule)."""
    params = module.params
    priority = params['priority']
    if current is None:
        if params['rule_id']:
            module.fail_json(msg='rule_id %s matches no rule. Cloudflare chooses the ID of a new rule: leave rule_id out'
                                 ' to create the rule by name.' % params['rule_id'])
        missing = _rules.missing_for_create(params)
        if missing:
            module.fail_json(msg='%s required to create the rule %r, which does not exist'
                                 % (' and '.join(missing) + (' is' if len(missing) == 1 else ' are'), params['name']))
        body = _rules.build_body(params)
        if module.check_mode:
            return True, _rules.merged(None, body, priority)
        rule = _rules.create_rule(api, body, known_keys)
        return True, set_priority(api, rule, priority)

    body = _rules.build_body(params, current)
    changed = not _rules.same_rule(current, body)
    rule = current
    if changed:
        rule = _rules.merged(current, body) if module.check_mode else api.request('PUT', api.rule_path(current['rule_id']), body)
    if priority is not None and priority != current.get('priority'):
        changed = True
        rule = _rules.merged(rule, {}, priority) if module.check_mode else set_priority(api, rule, priority)
    return changed, rule


def set_priority(api, rule, priority):
    """PATCH the rule's priority if it differs; return the rule with it."""
    if priority is None or rule.get('priority') == priority:
        return rule
    answer = api.request('PATCH', api.rules_path, {'new_priorities': {rule['rule_id']: priority}})
    if isinstance(answer, dict) and _rules.rule_key(answer) == _rules.rule_key(rule):
        return answer
    return _rules.merged(rule, {}, priority)  # the API answers with "a rule", not necessarily this one


def main():
    module = AnsibleModule(
        argument_spec=common_argument_spec(
            state=dict(type='str', default='present', choices=['present', 'absent']),
            rule_id=dict(type='str'),
            **_rules.rule_options()
        ),
        required_one_of=[('rule_id', 'name')],
        supports_check_mode=True,
    )
    _rules.check_rule_id(module, module.params['rule_id'])
    _rules.check_rule(module, module.params)
    api = CloudflareAPI(module)

    current, known_keys = find_rule(module, api)
    if module.params['state'] == 'absent':
        changed, rule = current is not None, None
        if changed and not module.check_mode:
            api.request('DELETE', api.rule_path(current['rule_id']), absent_on_404=True)  # 404: already gone (a retried DELETE)
    else:
        changed, rule = ensure_present(module, api, current, known_keys)

    output = dict(changed=changed, rule=rule)
    if module._diff:
        output['diff'] = dict(before=current or {}, after=rule or {})
    module.exit_json(**output)


if __name__ == '__main__':
    main()
