#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cloudflare_dlp_predefined_profile
short_description: Set which entries of a predefined Cloudflare DLP profile are enabled, and its settings
version_added: 0.2.0
description:
  - Sets the enabled entries and the settings of one predefined DLP profile of a Cloudflare Zero Trust account.
    Predefined profiles are Cloudflare's own (such as C(Credit Card Numbers)); they cannot be created or deleted, and
    their entries can only be enabled or disabled.
  - The profile is found by O(profile_id), or by O(name) among the predefined profiles of the account.
  - An option the task leaves unset keeps the profile's current value.
  - Reads the profile (with the state of every entry) and writes only when something differs, with one request that
    carries the full settings. A run that changes nothing sends two requests by O(name) (the profile list, then the
    profile) and one by O(profile_id).
  - For the account's own profiles, use M(zerotrust.cloudflare.cloudflare_dlp_profile).
extends_documentation_fragment:
  - zerotrust.cloudflare.cloudflare
  - zerotrust.cloudflare.cloudflare.connection
  - zerotrust.cloudflare.attributes
  - zerotrust.cloudflare.attributes.actiongroup
options:
  profile_id:
    description:
      - The ID (a UUID) of the predefined profile.
      - A value that is not a UUID is rejected before any request is sent.
    type: str
  name:
    description:
      - The name of the predefined profile, matched exactly (case included) among the predefined profiles only.
      - Required unless O(profile_id) is given. A name that matches no predefined profile fails and lists them.
    type: str
  enabled_entries:
    description:
      - The entries to enable, each by its name (matched exactly) or its ID. Exactly these are enabled and every other
        entry of the profile is disabled, as Cloudflare's API does. V([]) disables them all.
      - When not set, the entries that are enabled stay enabled and the others disabled.
      - A name or ID that is no entry of the profile fails before any change, and the message lists the profile's
        entries.
    type: list
    elements: str
  allowed_match_count:
    description:
      - How many matches a rule allows before the profile triggers, from V(0) to V(1000).
      - When not set, the profile keeps its value.
    type: int
  confidence_threshold:
    description:
      - How confident a match must be for the profile to trigger.
      - When not set, the profile keeps its value.
    type: str
    choices: [low, medium, high, very_high]
  ocr_enabled:
    description:
      - Whether text in images is scanned too.
      - When not set, the profile keeps its value.
    type: bool
  ai_context_enabled:
    description:
      - Whether AI context analysis is used.
      - When not set, the profile keeps its value.
    type: bool
attributes:
  check_mode:
    support: full
    details:
      - Only reads. RV(profile) is then the profile as the change would leave it.
  diff_mode:
    support: full
    details:
      - The diff shows the settings and the state of each entry, by name.
  idempotent:
    support: full
notes:
  - The token needs the account permission C(Zero Trust Write), or C(Zero Trust Read) in check mode.
  - The module never sends the deprecated C(entries) of the configuration request, only C(enabled_entries).
seealso:
  - module: zerotrust.cloudflare.cloudflare_dlp_profile
  - module: zerotrust.cloudflare.cloudflare_dlp_profile_info
  - module: zerotrust.cloudflare.cloudflare_dlp_email_rule
  - name: Cloudflare predefined DLP profiles
    description: The predefined profiles and their entries.
    link: https://developers.cloudflare.com/cloudflare-one/policies/data-loss-prevention/dlp-profiles/predefined-profiles/
author:
  - zerotrust.cloudflare maintainers (@zerotrust-cloudflare)
'''

EXAMPLES = r'''
- name: Detect Visa and Mastercard numbers only
  zerotrust.cloudflare.cloudflare_dlp_predefined_profile:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    api_token: "{{ cloudflare_api_token }}"
    name: Credit Card Numbers
    enabled_entries:
      - Visa Card Number
      - Mastercard Card Number

- name: Trigger only from three matches on, keeping the enabled entries
  zerotrust.cloudflare.cloudflare_dlp_predefined_profile:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    name: Credit Card Numbers
    allowed_match_count: 3
    ocr_enabled: true

- name: Block card numbers to outside recipients
  zerotrust.cloudflare.cloudflare_dlp_email_rule:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    name: Block card numbers
    conditions:
      - selector: DLPProfiles
        operator: InList
        value: [Credit Card Numbers]
      - selector: Recipients
        operator: NotMatchRegex
        value: '.*@example\.com$'
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
    - The profile as the module read it, with the settings and entry states that the configuration request's answer
      reports after a change (in check mode, those the change would set).
  returned: success
  type: dict
  contains:
    id:
      description: The profile's ID.
      type: str
      returned: success
      sample: 56a8c060-01bb-4f89-ba1e-3ad42770a342
    name:
      description: The profile's name.
      type: str
      returned: success
      sample: Credit Card Numbers
    allowed_match_count:
      description: How many matches a rule allows before the profile triggers.
      type: int
      returned: success
      sample: 0
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
      description: Every entry of the profile, with its C(id), C(name) and C(enabled).
      type: list
      elements: dict
      returned: success
      sample: [{id: d94a8671-4fbc-5e47-b158-5f670a637134, name: Visa Card Number, type: predefined, enabled: true}]
  sample:
    id: 56a8c060-01bb-4f89-ba1e-3ad42770a342
    name: Credit Card Numbers
    type: predefined
    allowed_match_count: 0
    confidence_threshold: low
    ocr_enabled: false
    ai_context_enabled: false
    entries: [{id: d94a8671-4fbc-5e47-b158-5f670a637134, name: Visa Card Number, type: predefined, enabled: true}]
uncertain:
  description:
    - On failure, the profile's name when the failed request may or may not have changed it (a server error or a
      timeout after the retries, or an answer that is not the profile's configuration). The task is then changed.
    - Empty when the failed request surely changed nothing.
  returned: failure
  type: list
  elements: str
  sample: [Credit Card Numbers]
diff:
  description: The settings and the state of each entry (by name) before and after, when run with C(--diff).
  returned: when diff mode is enabled
  type: dict
  contains:
    before:
      description: Before the task.
      type: dict
      returned: always
    after:
      description: After the task.
      type: dict
      returned: always
  sample:
    before: {allowed_match_count: 0, entries: {Visa Card Number: true, Mastercard Card Number: true}}
    after: {allowed_match_count: 0, entries: {Visa Card Number: true, Mastercard Card Number: false}}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _profiles as profiles
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import CloudflareAPI, common_argument_spec, fail, partial_failure_message
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._transport import CloudflareError


def main():
    module = AnsibleModule(
        argument_spec=common_argument_spec(**profiles.predefined_options()),
        required_one_of=[('profile_id', 'name')],
        supports_check_mode=True,
    )
    params = module.params
    current = None
    try:
        profiles.check_predefined(params)
        api = CloudflareAPI(module)
        current = profiles.read_predefined(api, params['profile_id'], params['name'])
        body = profiles.plan_predefined(params, current)
        profile = profiles.apply_predefined(api, current, body, module.check_mode)
    except (CloudflareError, profiles.ProfileError) as error:
        uncertain = [current['name']] if getattr(error, 'details', {}).get('maybe_applied') else []
        fail(module, error, partial_failure_message([], uncertain), changed=bool(uncertain), uncertain=uncertain)

    result = dict(changed=body is not None, profile=profile)
    if module._diff:
        result['diff'] = dict(before=profiles.predefined_view(current), after=profiles.predefined_view(profile))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
