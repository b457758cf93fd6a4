#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cloudflare_dlp_email_mapping_info
short_description: Read the Microsoft 365 account mapping of Cloudflare's Outlook DLP add-in
version_added: 0.1.0
description:
  - Reads how the Cloudflare DLP add-in for Outlook authenticates against a Cloudflare account (Zero Trust DLP for
    email), and the add-in's identifier token.
  - Sends one request and never changes anything. When the account has no mapping, RV(exists) is V(false).
  - To create or change the mapping, use M(zerotrust.cloudflare.cloudflare_dlp_email_mapping).
extends_documentation_fragment:
  - zerotrust.cloudflare.cloudflare
  - zerotrust.cloudflare.cloudflare.connection
  - zerotrust.cloudflare.attributes.info_module
  - zerotrust.cloudflare.attributes.actiongroup
options: {}
seealso:
  - module: zerotrust.cloudflare.cloudflare_dlp_email_mapping
author:
  - zerotrust.cloudflare maintainers (@zerotrust-cloudflare)
'''

EXAMPLES = r'''
- name: Read the account mapping
  zerotrust.cloudflare.cloudflare_dlp_email_mapping_info:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    api_token: "{{ cloudflare_api_token }}"
  register: mapping

- name: Show the token to deploy with the Outlook add-in
  ansible.builtin.debug:
    msg: "{{ mapping.addin_identifier_token }}"
  when: mapping.exists

- name: Read the mapping with CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID from the environment
  zerotrust.cloudflare.cloudflare_dlp_email_mapping_info:
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
exists:
  description: Whether the account has a mapping.
  returned: success
  type: bool
  sample: true
addin_identifier_token:
  description: The token that identifies this account to the Outlook DLP add-in, V(null) when there is no mapping.
  returned: success
  type: str
  sample: 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e
auth_requirements:
  description: The mapping's authentication requirements as the API returned them, V(null) when there is no mapping.
  returned: success
  type: dict
  contains:
    type:
      description: V(Org) or V(NoAuth).
      type: str
      returned: when RV(exists=true)
      sample: Org
    allowed_microsoft_organizations:
      description: The Microsoft 365 organizations whose users may use the add-in.
      type: list
      elements: str
      returned: when RV(auth_requirements.type=Org)
      sample: [contoso.onmicrosoft.com]
  sample:
    type: Org
    allowed_microsoft_organizations: [contoso.onmicrosoft.com]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import CloudflareAPI, common_argument_spec, fail
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._transport import CloudflareError


def main():
    module = AnsibleModule(argument_spec=common_argument_spec(), supports_check_mode=True)
    try:
        mapping = CloudflareAPI(module).get_mapping() or {}
    except CloudflareError as error:
        fail(module, error)
    module.exit_json(changed=False, exists=bool(mapping), addin_identifier_token=mapping.get('addin_identifier_token'),
                     auth_requirements=mapping.get('auth_requirements'))


if __name__ == '__main__':
    main()
