#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cloudflare_dlp_profile_info
short_description: List the DLP profiles of a Cloudflare account
version_added: 0.2.0
description:
  - Lists the DLP profiles of a Cloudflare Zero Trust account (predefined, custom and integration profiles, those the
    account is entitled to), optionally only those with a given name or ID.
  - A DLP email rule refers to profiles in its conditions with C(selector=DLPProfiles), by ID or by name (see
    M(zerotrust.cloudflare.cloudflare_dlp_email_rule)). This module shows which profiles there are and their IDs.
  - Sends one request and never changes anything.
extends_documentation_fragment:
  - zerotrust.cloudflare.cloudflare
  - zerotrust.cloudflare.cloudflare.connection
  - zerotrust.cloudflare.attributes.info_module
  - zerotrust.cloudflare.attributes.actiongroup
options:
  name:
    description:
      - Return only the profiles with exactly this name (case included).
      - Names need not be unique, a custom profile may have the name of a predefined one.
    type: str
  profile_id:
    description:
      - Return only the profile with this ID (a UUID; compared without regard to case).
      - A value that is not a UUID is rejected before any request is sent.
      - With O(name) too, a profile must match both.
    type: str
notes:
  - The token needs the account permission C(Zero Trust Read).
seealso:
  - module: zerotrust.cloudflare.cloudflare_dlp_email_rule
  - module: zerotrust.cloudflare.cloudflare_dlp_email_rules
  - name: Cloudflare DLP profiles
    description: What predefined, custom and integration profiles are.
    link: https://developers.cloudflare.com/cloudflare-one/policies/data-loss-prevention/dlp-profiles/
author:
  - zerotrust.cloudflare maintainers (@zerotrust-cloudflare)
'''

EXAMPLES = r'''
- name: List the DLP profiles of an account
  zerotrust.cloudflare.cloudflare_dlp_profile_info:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    api_token: "{{ cloudflare_api_token }}"
  register: dlp_profiles

- name: Show the name and ID of every predefined profile
  ansible.builtin.debug:
    msg: "{{ dlp_profiles.profiles | selectattr('type', 'equalto', 'predefined') | items2dict(key_name='name', value_name='id') }}"

- name: Find the ID of the predefined profile Credit Card Numbers
  zerotrust.cloudflare.cloudflare_dlp_profile_info:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    name: Credit Card Numbers
  register: card_profiles

- name: Fail unless there is exactly one such profile
  ansible.builtin.assert:
    that: card_profiles.profiles | length == 1
    fail_msg: "{{ card_profiles.profiles | length }} DLP profiles are named Credit Card Numbers"

- name: Block card numbers to outside recipients, by the profile's ID
  zerotrust.cloudflare.cloudflare_dlp_email_rule:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    name: Block card numbers
    conditions:
      - selector: DLPProfiles
        operator: InList
        value: ["{{ card_profiles.profiles[0].id }}"]
      - selector: Recipients
        operator: NotMatchRegex
        value: '.*@example\.com$'

- name: Read one profile by its ID
  zerotrust.cloudflare.cloudflare_dlp_profile_info:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    profile_id: c8f0b8a2-5b4e-4f3c-9d1a-2e7f6a5b4c3d
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
profiles:
  description:
    - The profiles as the API returned them, in the API's order; only those matching O(name) and O(profile_id) when
      given. Each has at least RV(profiles[].id), RV(profiles[].name) and RV(profiles[].type); the other fields depend
      on the type.
    - Empty when no profile matches.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The profile's ID, the value to use in a rule's condition.
      type: str
      returned: success
      sample: c8f0b8a2-5b4e-4f3c-9d1a-2e7f6a5b4c3d
    name:
      description: The profile's name.
      type: str
      returned: success
      sample: Credit Card Numbers
    type:
      description: V(predefined) (made by Cloudflare), V(custom) (made in the account) or V(integration).
      type: str
      returned: success
      sample: predefined
    description:
      description: The profile's description.
      type: str
      returned: when the API returns it
      sample: Employee badge numbers
    entries:
      description: What the profile detects, each entry with its C(id), C(name), C(type) and C(enabled).
      type: list
      elements: dict
      returned: when the API returns it
      sample: [{id: 0f5e4d3c-2b1a-4f9e-8d7c-6b5a4f3e2d1c, name: Visa Card Number, type: predefined, enabled: true}]
    allowed_match_count:
      description: How many matches a rule allows before the profile triggers.
      type: int
      returned: for predefined and custom profiles
      sample: 0
    created_at:
      description: When the profile was created.
      type: str
      returned: for custom and integration profiles
      sample: '2025-01-01T12:00:00Z'
    updated_at:
      description: When the profile was last changed.
      type: str
      returned: for custom and integration profiles
      sample: '2025-01-02T12:00:00Z'
  sample:
    - id: c8f0b8a2-5b4e-4f3c-9d1a-2e7f6a5b4c3d
      name: Credit Card Numbers
      type: predefined
      allowed_match_count: 0
      entries: [{id: 0f5e4d3c-2b1a-4f9e-8d7c-6b5a4f3e2d1c, name: Visa Card Number, type: predefined, enabled: true}]
    - id: 6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a
      name: Employee IDs
      type: custom
      description: Employee badge numbers
      allowed_match_count: 0
      entries: []
      created_at: '2025-01-01T12:00:00Z'
      updated_at: '2025-01-01T12:00:00Z'
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zerotrust.cloudflare.plugins.module_utils import _profiles
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import CloudflareAPI, common_argument_spec, fail
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._transport import CloudflareError


def main():
    module = AnsibleModule(
        argument_spec=common_argument_spec(
            name=dict(type='str'),
            profile_id=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    name, profile_id = module.params['name'], module.params['profile_id']
    try:
        _profiles.check_profile_id(profile_id)
        profiles = _profiles.read_profiles(CloudflareAPI(module))
    except (CloudflareError, _profiles.ProfileError) as error:
        fail(module, error)

    module.exit_json(changed=False, profiles=_profiles.matching(profiles, name, profile_id))


if __name__ == '__main__':
    main()
