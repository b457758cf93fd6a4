#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cloudflare_dlp_profile
short_description: Manage a custom Cloudflare DLP profile and its regex entries
version_added: 0.2.0
description:
  - Creates, updates or deletes one custom DLP profile of a Cloudflare Zero Trust account, with its regular expression
    entries. A DLP email rule blocks mail that matches a profile (see M(zerotrust.cloudflare.cloudflare_dlp_email_rule),
    which can name the profile).
  - The profile is found by O(profile_id) when given, else by O(name) among the custom profiles of the account.
  - An option the task leaves unset keeps the profile's current value. The update request carries the profile's
    current name, description, settings and shared entries, overlaid with the task's options, so nothing the task does
    not name is reset.
  - Reads the profile first (one request) and writes only what differs, so a run that changes nothing sends exactly
    one request. After any write the module reads the profile once more, so RV(profile) is what the API holds.
  - Every new or changed regular expression is checked with Cloudflare's pattern validation before any write, in check
    mode too; an invalid one fails the task before anything changes.
  - Word list, shared and exact data entries are out of scope. The module leaves them alone, and RV(profile) shows
    them.
  - For Cloudflare's own profiles (which cannot be created or deleted), use
    M(zerotrust.cloudflare.cloudflare_dlp_predefined_profile).
extends_documentation_fragment:
  - zerotrust.cloudflare.cloudflare
  - zerotrust.cloudflare.cloudflare.connection
  - zerotrust.cloudflare.attributes
  - zerotrust.cloudflare.attributes.actiongroup
options:
  state:
    description:
      - V(present) creates the profile or updates it; V(absent) deletes it.
      - Before deleting, the module reads the account's DLP email rules and fails, naming them, if a rule's condition
        with C(selector=DLPProfiles) refers to the profile; see O(force). Gateway policies that use the profile are not
        checked.
    type: str
    choices: [present, absent]
    default: present
  profile_id:
    description:
      - The ID (a UUID) of an existing custom profile. The profile is then found by its ID, and O(name) renames it.
      - Without it the profile is found by O(name). A new profile gets its ID from Cloudflare, so a profile cannot be
        created with a chosen O(profile_id).
      - A value that is not a UUID is rejected before any request is sent.
    type: str
  name:
    description:
      - The name of the profile.
      - Required unless O(profile_id) is given. When the profile is found by name and several custom profiles have this
        name, the module fails and lists them as C(name (id)); set O(profile_id) to choose one.
      - Only custom profiles are searched, so a custom profile may have the name of a predefined one.
    type: str
  description:
    description:
      - A description of the profile. V('') clears it.
      - An empty description, V(null) and no description count as the same when comparing.
    type: str
  allowed_match_count:
    description:
      - How many matches a rule allows before the profile triggers, from V(0) to V(1000).
      - When not set, an existing profile keeps its value and Cloudflare chooses one for a new profile (V(0)).
    type: int
  confidence_threshold:
    description:
      - How confident a match must be for the profile to trigger.
      - When not set, an existing profile keeps its value and Cloudflare chooses one for a new profile (V(low)).
    type: str
    choices: [low, medium, high, very_high]
  ocr_enabled:
    description:
      - Whether text in images is scanned too.
      - When not set, an existing profile keeps its value and a new profile has it off.
    type: bool
  ai_context_enabled:
    description:
      - Whether AI context analysis is used.
      - When not set, an existing profile keeps its value and a new profile has it off.
    type: bool
  entries:
    description:
      - The regular expression entries of the profile, as a whole set. Each entry matches an existing regex entry by
        its O(entries[].name). New entries are created, changed ones updated, and regex entries of the profile that are
        not listed are deleted. V([]) deletes them all.
      - When not set, the entries are left alone.
      - If the profile already has two regex entries of the same name, the module fails before any change and lists
        them with their IDs.
      - Each entry is a request of its own. If one fails after others were applied, the failure says what was applied
        (RV(entries_created), RV(entries_updated), RV(entries_deleted), RV(profile_updated)).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The name of the entry, unique among O(entries).
        type: str
        required: true
      regex:
        description:
          - The regular expression the entry detects, sent as given.
          - Cloudflare's rule engine has no look-around and no back-references, and refuses a pattern that can match
            an unbounded string (V(*) or V(+)); bound repeats with a range such as V({1,100}).
        type: str
        required: true
      enabled:
        description:
          - Whether the entry is used.
        type: bool
        default: true
      description:
        description:
          - A description of the entry. V('') clears it.
          - When not set, an existing entry keeps its description.
        type: str
  force:
    description:
      - With O(state=absent), delete the profile without reading the DLP email rules, even if rules still refer to it.
        Those rules then refer to a profile that no longer exists.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    details:
      - Reads the profile and validates the new and changed regular expressions, which changes nothing. If the token
        may only read (HTTP 401 or 403 for the validation), the module warns that the regular expressions were not
        validated and goes on.
      - RV(profile) is then the profile as the change would leave it, without the IDs that Cloudflare would choose.
  diff_mode:
    support: full
    details:
      - The diff shows the managed fields and the regex entries by name.
  idempotent:
    support: full
notes:
  - The token needs the account permission C(Zero Trust Write); pattern validation needs it too, also in check mode.
  - Requests. A run that changes nothing sends one C(GET). A new profile is one C(POST) with the entries in it. A change
    of the profile's fields is one C(PUT); each new, changed or deleted entry is one request. Each new or changed
    regular expression is one validation C(POST) before those. After any write, one C(GET) reads the profile.
    O(state=absent) reads the rule list (unless O(force=true)) and sends one C(DELETE); an absent profile is one C(GET).
  - A profile or entry is created with one request that is never resent blindly. If its answer is lost (a server
    error or a timeout) or is not what was asked for, the module reads once whether it appeared and adopts it;
    otherwise it fails with the original error and names it in RV(uncertain).
  - Ansible's recap does not count a failed task as changed; C(register) with C(ignore_errors), or C(rescue) with
    C(ansible_failed_result), shows what was applied.
seealso:
  - module: zerotrust.cloudflare.cloudflare_dlp_predefined_profile
  - module: zerotrust.cloudflare.cloudflare_dlp_profile_info
  - module: zerotrust.cloudflare.cloudflare_dlp_email_rule
  - name: Cloudflare DLP profiles
    description: What custom profiles and their entries are.
    link: https://developers.cloudflare.com/cloudflare-one/policies/data-loss-prevention/dlp-profiles/
author:
  - zerotrust.cloudflare maintainers (@zerotrust-cloudflare)
'''

EXAMPLES = r'''
- name: Detect employee badge numbers
  zerotrust.cloudflare.cloudflare_dlp_profile:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    api_token: "{{ cloudflare_api_token }}"
    name: Employee IDs
    description: Badge numbers of employees and contractors
    allowed_match_count: 2
    entries:
      - name: Employee badge
        regex: 'EMP-[0-9]{6}'
      - name: Contractor badge
        regex: 'CTR-[0-9]{6}'
        description: Issued by the front desk
  register: employee_profile

- name: Set the credentials once, then make a profile and a rule that names it
  module_defaults:
    group/zerotrust.cloudflare.all:
      api_token: "{{ cloudflare_api_token }}"
      account_id: 023e105f4ecef8ad9ca31a8372d0c353
  block:
    - name: Detect project code names
      zerotrust.cloudflare.cloudflare_dlp_profile:
        name: Project code names
        entries:
          - name: Code names
            regex: '(?i)project (falcon|heron|osprey)'
      delegate_to: localhost
      run_once: true

    - name: Block mail about the projects to outside recipients
      zerotrust.cloudflare.cloudflare_dlp_email_rule:
        name: Keep projects inside
        conditions:
          - selector: DLPProfiles
            operator: InList
            value: [Project code names]
          - selector: Recipients
            operator: NotMatchRegex
            value: '.*@example\.com$'
      delegate_to: localhost
      run_once: true

- name: Only raise the match count, keeping everything else
  zerotrust.cloudflare.cloudflare_dlp_profile:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    name: Employee IDs
    allowed_match_count: 5

- name: Rename the profile found by its ID
  zerotrust.cloudflare.cloudflare_dlp_profile:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    profile_id: "{{ employee_profile.profile.id }}"
    name: Staff IDs

- name: Delete the profile, unless a DLP email rule still uses it
  zerotrust.cloudflare.cloudflare_dlp_profile:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    name: Staff IDs
    state: absent
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
profile:
  description:
    - The profile as the API returned it, with its entries (of every type); V(null) when it is absent or was deleted.
    - In check mode, the profile as the change would leave it; what Cloudflare would add (IDs, times) is missing.
  returned: success
  type: dict
  contains:
    id:
      description: The profile's ID. Missing in check mode for a profile that would be created.
      type: str
      returned: when the profile exists
      sample: 6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a
    name:
      description: The profile's name.
      type: str
      returned: success
      sample: Employee IDs
    type:
      description: Always V(custom).
      type: str
      returned: success
      sample: custom
    description:
      description: The profile's description.
      type: str
      returned: when the API returns it
      sample: Badge numbers of employees and contractors
    allowed_match_count:
      description: How many matches a rule allows before the profile triggers.
      type: int
      returned: when the API returns it
      sample: 2
    confidence_threshold:
      description: How confident a match must be.
      type: str
      returned: when the API returns it
      sample: low
    ocr_enabled:
      description: Whether text in images is scanned.
      type: bool
      returned: when the API returns it
      sample: false
    ai_context_enabled:
      description: Whether AI context analysis is used.
      type: bool
      returned: when the API returns it
      sample: false
    entries:
      description: The entries of the profile. A regex entry has C(type=custom) and its C(pattern.regex).
      type: list
      elements: dict
      returned: success
      sample: [{id: 0f5e4d3c-2b1a-4f9e-8d7c-6b5a4f3e2d1c, name: Employee badge, type: custom, enabled: true,
                pattern: {regex: 'EMP-[0-9]{6}'}, description: null}]
    shared_entries:
      description: Entries of other profiles that this profile uses.
      type: list
      elements: dict
      returned: when the API returns it
      sample: []
  sample:
    id: 6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a
    name: Employee IDs
    type: custom
    description: Badge numbers of employees and contractors
    allowed_match_count: 2
    confidence_threshold: low
    ocr_enabled: false
    ai_context_enabled: false
    entries: [{id: 0f5e4d3c-2b1a-4f9e-8d7c-6b5a4f3e2d1c, name: Employee badge, type: custom, enabled: true,
               pattern: {regex: 'EMP-[0-9]{6}'}, description: null}]
    shared_entries: []
    created_at: '2025-01-01T12:00:00Z'
    updated_at: '2025-01-01T12:00:00Z'
profile_updated:
  description:
    - Whether the profile's own fields (name, description, settings) were updated (in check mode, would be).
  returned: always
  type: bool
  sample: false
entries_created:
  description: The names of the entries created (in check mode, that would be), also on failure.
  returned: always
  type: list
  elements: str
  sample: [Contractor badge]
entries_updated:
  description: The names of the entries updated (in check mode, that would be), also on failure.
  returned: always
  type: list
  elements: str
  sample: [Employee badge]
entries_deleted:
  description: The names of the entries deleted (in check mode, that would be), also on failure.
  returned: always
  type: list
  elements: str
  sample: [Visitor badge]
uncertain:
  description:
    - On failure, the name of the profile or entry whose failed request may or may not have been applied (a server
      error or a timeout after the retries, an answer that is not what was asked for, or a lost create that the module
      did not find afterwards). The task is then changed. The next run compares again and does what is still needed.
    - Empty when the failed request surely changed nothing.
  returned: always
  type: list
  elements: str
  sample: [Employee badge]
diff:
  description: The profile's managed fields and regex entries (by name) before and after, when run with C(--diff).
  returned: when diff mode is enabled
  type: dict
  contains:
    before:
      description: Before the task, empty when there was no profile.
      type: dict
      returned: always
    after:
      description: After the task, empty when there is no profile.
      type: dict
      returned: always
  sample:
    before: {name: Employee IDs, allowed_match_count: 0, entries: {Employee badge: {regex: 'EMP-[0-9]{6}', enabled: true, description: null}}}
    after: {name: Employee IDs, allowed_match_count: 2, entries: {Employee badge: {regex: 'EMP-[0-9]{6}', enabled: true, description: null}}}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _profiles as profiles
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import CloudflareAPI, common_argument_spec, fail
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._rule_engine import read_rules
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._transport import CloudflareError


def main():
    module = AnsibleModule(
        argument_spec=common_argument_spec(**profiles.profile_options()),
        required_one_of=[('profile_id', 'name')],
        supports_check_mode=True,
    )
    params = module.params
    written, current, profile = profiles.Written(), None, None
    try:
        profiles.check_custom(params)
        api = CloudflareAPI(module)
        current, known_ids = profiles.read_custom(api, params['profile_id'], params['name'])
        if params['state'] == 'absent':
            if current is not None and not params['force']:
                profiles.refuse_if_used(current, read_rules(api))
            profiles.delete_custom(api, current, written, module.check_mode)
        else:
            steps = profiles.plan_custom(params, current)
            profiles.validate_patterns(api, steps.patterns, module.check_mode, module.warn)
            profile = profiles.apply_custom(api, steps, known_ids, written, module.check_mode)
    except (CloudflareError, profiles.ProfileError) as error:
        result = profiles.report(written, error)
        fail(module, error, profiles.failure_message(written, result), **result)

    result = profiles.report(written)
    result['profile'] = profile
    if module._diff:
        result['diff'] = dict(before=profiles.diff_view(current), after=profiles.diff_view(profile))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
