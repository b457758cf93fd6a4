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

import functools

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import APIError, CloudflareAPI, common_argument_spec
from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _rules


def with_profile_ids(api, params):
    """The task's options with DLP profile names replaced by IDs; the profile list is read only when a name is used."""
    if not _rules.uses_profile_names([params]):
        return params
    profiles = _rules.profile_list(api.request('GET', api.profiles_path), 'GET %s' % api.profiles_path)
    return _rules.resolve_profiles([params], profiles, [''])[0]


def find_rule(api, params):
    """The rule the task means, or None: by rule_id (GET of the rule, 404 = absent), else by name (GET of the list)."""
    rule_id, name = params['rule_id'], params['name']
    if rule_id:
        rule = api.request('GET', api.rule_path(rule_id), absent_on_404=True)
        if rule is not None and not isinstance(rule, dict):
            raise _rules.RuleError('Cloudflare answered GET %s with an unexpected result: %r' % (api.rule_path(rule_id), rule))
        return rule or None, set()
    rules = _rules.rule_list(api.request('GET', api.rules_path), 'GET %s' % api.rules_path)
    matches = _rules.named(rules, name)
    if len(matches) > 1:
        raise _rules.RuleError('name %r matches %d rules: %s. Set rule_id to choose one.'
                               % (name, len(matches), _rules.describe(matches)))
    return (matches[0] if matches else None), set(_rules.rule_key(rule) for rule in rules)


def ensure_present(module, api, params, current, known_keys):
    """Create or update; return (changed, the resulting rule)."""
    priority = params['priority']
    if current is None:
        if params['rule_id']:
            raise _rules.RuleError('rule_id %s matches no rule. Cloudflare chooses the ID of a new rule: leave rule_id out'
                                   ' to create the rule by name.' % params['rule_id'])
        missing = _rules.missing_for_create(params)
        if missing:
            raise _rules.RuleError('%s required to create the rule %r, which does not exist'
                                   % (' and '.join(missing) + (' is' if len(missing) == 1 else ' are'), params['name']))
        body = _rules.build_body(params)
        if module.check_mode:
            return True, _rules.merged(None, body, priority)
        try:
            rule = api.create(api.rules_path, body, functools.partial(_rules.find_created, body=body, known_keys=known_keys))
        except APIError as error:
            api.fail(error)
        return True, set_priority(module, api, rule, priority, 'created')

    body = _rules.build_body(params, current)
    changed = not _rules.same_rule(current, body)
    rule = current
    if changed:
        rule = _rules.merged(current, body) if module.check_mode else api.request('PUT', api.rule_path(current['rule_id']), body)
    if priority is not None and priority != current.get('priority'):
        if module.check_mode:
            rule = _rules.merged(rule, {}, priority)
        else:
            rule = set_priority(module, api, rule, priority, 'updated' if changed else None)
        changed = True
    return changed, rule


def set_priority(module, api, rule, priority, applied):
    """PATCH the rule's priority if it differs; return the rule with it. ``applied`` is what this run did to the rule
    before (created, updated or None): if the PATCH fails, the failure says that this change stays."""
    if priority is None or rule.get('priority') == priority:
        return rule
    try:
        answer = api.send('PATCH', api.rules_path, {'new_priorities': {rule['rule_id']: priority}})
    except APIError as error:
        if applied is None:
            api.fail(error)
        fail_after_write(module, error, rule, applied)
    if isinstance(answer, dict) and _rules.rule_key(answer) == _rules.rule_key(rule):
        return answer
    return _rules.merged(rule, {}, priority)  # the API answers with "a rule", not necessarily this one


def fail_after_write(module, error, rule, applied):
    """Fail after the rule was created or updated: changed, with the rule as it was written and a message that says so."""
    details = dict(error.details)
    unknown = details.pop('maybe_applied', False)
    module.fail_json(
        msg='%s. The rule %r was %s (rule_id %s) before this failure, and that change stays; its priority %s.'
            % (error.msg, rule.get('name'), applied, rule.get('rule_id'), 'may or may not have been set' if unknown else 'was not set'),
        changed=True, rule=rule, **details)


def main():
    module = AnsibleModule(
        argument_spec=common_argument_spec(**_rules.rule_options()),
        required_one_of=[('rule_id', 'name')],
        supports_check_mode=True,
    )
    try:
        run(module)
    except _rules.RuleError as error:
        module.fail_json(msg=error.msg)


def run(module):
    params = module.params
    _rules.check_uuid(params['rule_id'], 'rule_id')
    _rules.check_rule(params)
    api = CloudflareAPI(module)

    params = with_profile_ids(api, params)
    current, known_keys = find_rule(api, params)
    if params['state'] == 'absent':
        changed, rule = current is not None, None
        if changed and not module.check_mode:
            api.request('DELETE', api.rule_path(current['rule_id']), absent_on_404=True)  # 404: already gone (a retried DELETE)
    else:
        changed, rule = ensure_present(module, api, params, current, known_keys)

    output = dict(changed=changed, rule=rule)
    if module._diff:
        output['diff'] = dict(before=current or {}, after=rule or {})
    module.exit_json(**output)


if __name__ == '__main__':
    main()
