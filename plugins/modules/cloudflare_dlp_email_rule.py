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
  - Reads the rule first and writes only what differs, so a run that changes nothing sends exactly one request, or two
    when a condition gives a DLP profile by name (the profile list is read first).
  - Content and priority are separate requests (C(POST) or C(PUT), then C(PATCH)). If setting the priority fails after
    the rule was created or updated, that change stays; the failure says so, is C(changed) and returns RV(rule) as
    written. Ansible's recap does not count a failed task as changed; C(register) with C(ignore_errors), or C(rescue)
    with C(ansible_failed_result), shows the result.
  - To manage all rules of an account in one task, use M(zerotrust.cloudflare.cloudflare_dlp_email_rules).
extends_documentation_fragment:
  - zerotrust.cloudflare.dlp_email_rule
  - zerotrust.cloudflare.cloudflare
  - zerotrust.cloudflare.cloudflare.connection
  - zerotrust.cloudflare.attributes
  - zerotrust.cloudflare.attributes.actiongroup
attributes:
  check_mode:
    support: full
    details:
      - Only reads the rule (and the profile list when a name is used). RV(rule) is then the rule as the change would
        leave it; a rule that would be created has no C(rule_id) yet.
  diff_mode:
    support: full
  idempotent:
    support: full
notes:
  - A rule is created with one request that is never resent blindly. If its answer is lost (a server error or a
    timeout) or is not a rule, the module reads the rule list once and adopts a rule with the same name and content if
    one appeared; otherwise it fails with the original error and names the rule in RV(uncertain).
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

- name: Give DLP profiles by name (the module sends their IDs)
  zerotrust.cloudflare.cloudflare_dlp_email_rule:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    name: Block financial data
    conditions:
      - selector: DLPProfiles
        operator: InList
        value: [Financial Information, Credit Card Numbers]

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
rule:
  description:
    - The rule as the API returned it, V(null) when it is absent or was deleted.
    - In check mode, the rule as the change would leave it.
    - On a failure to set the priority after the rule was created or updated, the rule as that request left it.
  returned: success, and on failure after a change
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
uncertain:
  description:
    - On failure, the rule's name when the failed request may or may not have changed it (a server error or a timeout
      after the retries, an answer that is not a rule, or a lost create that the module did not find in the rule list
      afterwards). The next run compares again and does what is still needed.
    - Empty when the failed request surely changed nothing.
  version_added: 0.2.0
  returned: failure
  type: list
  elements: str
  sample: [Block card numbers]
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

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _rule_engine as engine
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import CloudflareAPI, common_argument_spec, fail
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._profiles import ProfileError
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._rules import RuleError, rule_options
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._transport import CloudflareError


def failure(error, applied, rule):
    """(what to add to the error's message, the failure result). Once the rule was created or updated, a failed
    priority leaves that change in place: the result is changed and has the rule as it was written."""
    result = engine.report(applied, error)
    output = dict(changed=result['changed'], uncertain=result['uncertain'])
    done = 'created' if result['created'] else 'updated' if result['updated'] else None
    if done is None:
        return engine.failure_message(result), output
    output['rule'] = rule
    return ('. The rule %r was %s (rule_id %s) before this failure, and that change stays; its priority %s.'
            % (rule.get('name'), done, rule.get('rule_id'), 'may or may not have been set' if result['uncertain'] else 'was not set'),
            output)


def main():
    module = AnsibleModule(
        argument_spec=common_argument_spec(**rule_options()),
        required_one_of=[('rule_id', 'name')],
        supports_check_mode=True,
    )
    params, prefixes = module.params, ['']
    applied, steps = engine.Applied(), None
    try:
        engine.check_entries([params], prefixes)
        api = CloudflareAPI(module)
        params = engine.with_profile_ids(api, [params], prefixes)[0]
        current = engine.read_rule(api, params['rule_id']) if params['rule_id'] else engine.read_rules(api)
        steps = engine.plan([params], current, False, prefixes)
        applied = engine.Applied(current)
        engine.apply(api, steps, applied, module.check_mode)
    except (CloudflareError, RuleError, ProfileError) as error:
        more, output = failure(error, applied, steps and applied.rules.get(engine.key_of(steps, 0)))
        fail(module, error, more, **output)

    before = steps.matched[0]
    rule = None if params['state'] == 'absent' else applied.rules[engine.key_of(steps, 0)]
    output = dict(changed=applied.changed, rule=rule)
    if module._diff:
        output['diff'] = dict(before=before or {}, after=rule or {})
    module.exit_json(**output)


if __name__ == '__main__':
    main()
