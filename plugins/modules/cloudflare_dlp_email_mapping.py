#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cloudflare_dlp_email_mapping
short_description: Map a Cloudflare account to Microsoft 365 for the Outlook DLP add-in
version_added: 0.1.0
description:
  - Sets how the Cloudflare DLP add-in for Outlook authenticates against a Cloudflare account (Zero Trust DLP for email),
    and returns the add-in's identifier token, which the add-in's deployment needs.
  - Reads the account mapping first and writes it only when it is absent or different, so a run that changes nothing
    sends exactly one request.
  - The API cannot delete an account mapping, so this module has no O(ignore:state) option. A mapping, once created,
    can only be changed.
extends_documentation_fragment:
  - zerotrust.cloudflare.cloudflare
  - zerotrust.cloudflare.cloudflare.connection
  - zerotrust.cloudflare.attributes
  - zerotrust.cloudflare.attributes.actiongroup
attributes:
  check_mode:
    support: full
    details:
      - Only reads the mapping. When the mapping exists, RV(addin_identifier_token) is its current token; a real run
        may return another one if Cloudflare rotates it. When it does not exist, the token is unknown and returned as
        V(null).
  diff_mode:
    support: full
  idempotent:
    support: full
options:
  auth_type:
    description:
      - Who may use the add-in.
      - V(Org) allows only users of the Microsoft 365 organizations in O(allowed_microsoft_organizations).
      - V(NoAuth) requires no Microsoft 365 organization.
    type: str
    required: true
    choices: [Org, NoAuth]
  allowed_microsoft_organizations:
    description:
      - The Microsoft 365 organizations (for example V(contoso.onmicrosoft.com)) whose users may use the add-in.
      - With O(auth_type=Org) it must hold at least one entry, and no entry may be blank. With O(auth_type=NoAuth) it
        must be empty or unset. Both checks are stricter than the API on purpose, since an C(Org) mapping that admits
        nobody, or organizations silently dropped under C(NoAuth), are always mistakes.
      - Entries are sent exactly as given, with duplicates removed. Their order does not matter when comparing with the
        current mapping.
    type: list
    elements: str
author:
  - zerotrust.cloudflare maintainers (@zerotrust-cloudflare)
'''

EXAMPLES = r'''
- name: Allow the add-in for one Microsoft 365 organization (API token)
  zerotrust.cloudflare.cloudflare_dlp_email_mapping:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    api_token: "{{ cloudflare_api_token }}"
    auth_type: Org
    allowed_microsoft_organizations:
      - contoso.onmicrosoft.com
      - fabrikam.onmicrosoft.com
  register: mapping

- name: Show the token to deploy with the Outlook add-in
  ansible.builtin.debug:
    msg: "{{ mapping.addin_identifier_token }}"

- name: Allow the add-in without a Microsoft 365 organization (legacy global API key)
  zerotrust.cloudflare.cloudflare_dlp_email_mapping:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    api_email: admin@example.com
    api_key: "{{ cloudflare_global_api_key }}"
    auth_type: NoAuth

- name: Credentials and account from CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID
  zerotrust.cloudflare.cloudflare_dlp_email_mapping:
    auth_type: Org
    allowed_microsoft_organizations: contoso.onmicrosoft.com

- name: See what would change, without changing anything
  zerotrust.cloudflare.cloudflare_dlp_email_mapping:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    auth_type: Org
    allowed_microsoft_organizations: [contoso.onmicrosoft.com]
  check_mode: true
  diff: true
  register: planned

- name: Set the credentials once for every module of the collection
  module_defaults:
    group/zerotrust.cloudflare.all:
      api_token: "{{ cloudflare_api_token }}"
      account_id: 023e105f4ecef8ad9ca31a8372d0c353
  block:
    - name: Map the account
      zerotrust.cloudflare.cloudflare_dlp_email_mapping:
        auth_type: Org
        allowed_microsoft_organizations: [contoso.onmicrosoft.com]

# In a play against managed hosts, run the API call once, from the controller.
- name: Map the account from a play that targets other hosts
  zerotrust.cloudflare.cloudflare_dlp_email_mapping:
    account_id: "{{ cloudflare_account_id }}"
    auth_type: NoAuth
  delegate_to: localhost
  run_once: true

# As an ad-hoc command, with CLOUDFLARE_API_TOKEN set in the environment:
# ansible localhost -m zerotrust.cloudflare.cloudflare_dlp_email_mapping \
#   -a 'account_id=023e105f4ecef8ad9ca31a8372d0c353 auth_type=Org allowed_microsoft_organizations=contoso.onmicrosoft.com'
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
addin_identifier_token:
  description:
    - The token that identifies this account to the Outlook DLP add-in.
    - In check mode, the current token when the mapping exists, else V(null).
    - If Cloudflare returns a token different from the one before, the module warns, since deployed add-ins carry
      the old one.
  returned: success
  type: str
  sample: 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e
auth_requirements:
  description:
    - The mapping's authentication requirements as the API returned them.
    - In check mode with a change pending, the requirements the module would send.
  returned: success
  type: dict
  contains:
    type:
      description: V(Org) or V(NoAuth).
      type: str
      returned: success
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
uncertain:
  description:
    - On failure, V([account_mapping]) when the failed POST may or may not have changed the mapping (a server error or a
      timeout after the retries, or an answer that is not the mapping); the task is then C(changed). The next run
      reads the mapping and does what is still needed.
    - Empty when the failure surely changed nothing.
  version_added: 0.2.0
  returned: failure
  type: list
  elements: str
  sample: [account_mapping]
diff:
  description: The mapping before and after, when run with C(--diff).
  returned: when diff mode is enabled
  type: dict
  contains:
    before:
      description: The mapping before the task, empty when there was none.
      type: dict
      returned: always
    after:
      description: The mapping after the task.
      type: dict
      returned: always
  sample:
    before:
      addin_identifier_token: 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e
      auth_requirements: {type: NoAuth}
    after:
      addin_identifier_token: 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e
      auth_requirements: {type: Org, allowed_microsoft_organizations: [contoso.onmicrosoft.com]}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.zerotrust.cloudflare.plugins.module_utils._api import CloudflareAPI, common_argument_spec, fail, is_mapping
from ansible_collections.zerotrust.cloudflare.plugins.module_utils._transport import APIError, CloudflareError


def desired_requirements(params):
    """The auth_requirements to send, after the checks an argument spec cannot express."""
    auth_type = params['auth_type']
    organizations = params['allowed_microsoft_organizations'] or []
    if auth_type == 'NoAuth':
        if organizations:
            raise CloudflareError('allowed_microsoft_organizations must be empty when auth_type is NoAuth, got %s' % organizations)
        return {'type': 'NoAuth'}
    if not organizations or any(not org.strip() for org in organizations):
        raise CloudflareError('allowed_microsoft_organizations must list at least one Microsoft 365 organization, and no'
                              ' blank entry, when auth_type is Org, got %s' % organizations)
    folded = list(dict.fromkeys(organizations))  # duplicates removed, first-seen order kept
    return {'type': 'Org', 'allowed_microsoft_organizations': folded}


def same_requirements(current, desired):
    if current.get('type') != desired['type']:
        return False
    if desired['type'] != 'Org':
        return True
    return set(current.get('allowed_microsoft_organizations') or []) == set(desired['allowed_microsoft_organizations'])


def post_mapping(api, desired):
    """POST the requirements; the mapping the API answered (an upsert, so safe to resend)."""
    result = api.send('POST', api.mapping_path, {'auth_requirements': desired})
    if not is_mapping(result):
        raise APIError('Cloudflare accepted POST %s but answered without the mapping (result: %.200r)' % (api.mapping_path, result),
                       maybe_applied=True)
    return result


def apply(module, writing):
    """(changed, the mapping before, the mapping after, or as a change would leave it in check mode). ``writing``
    receives the name of the write in flight, which is uncertain if it fails in a way that may have applied it."""
    desired = desired_requirements(module.params)
    api = CloudflareAPI(module)
    current = api.get_mapping()
    changed = not current or not same_requirements(current.get('auth_requirements') or {}, desired)
    before_token = current.get('addin_identifier_token') if current else None
    result = current
    if changed and module.check_mode:
        result = {'addin_identifier_token': before_token, 'auth_requirements': desired}
    elif changed:
        writing.append('account_mapping')
        result = post_mapping(api, desired)
        if before_token and result.get('addin_identifier_token') != before_token:
            module.warn('Cloudflare returned a new add-in identifier token (%s, was %s): Outlook add-ins deployed with the'
                        ' old token must be updated.' % (result.get('addin_identifier_token'), before_token))
    return changed, current, result


def main():
    module = AnsibleModule(
        argument_spec=common_argument_spec(
            auth_type=dict(type='str', required=True, choices=['Org', 'NoAuth']),
            allowed_microsoft_organizations=dict(type='list', elements='str'),
        ),
        required_if=[('auth_type', 'Org', ['allowed_microsoft_organizations'])],
        supports_check_mode=True,
    )
    writing = []
    try:
        changed, current, result = apply(module, writing)
    except CloudflareError as error:
        # A POST that may have been applied is a change whose outcome is unknown (DESIGN: a hostile network or server).
        uncertain = writing if error.details.get('maybe_applied') else []
        fail(module, error, '; the mapping may have been changed: run the task again to read it' if uncertain else '',
             changed=bool(uncertain), uncertain=uncertain)

    output = dict(changed=changed, addin_identifier_token=result.get('addin_identifier_token'),
                  auth_requirements=result.get('auth_requirements'))
    if module._diff:
        output['diff'] = dict(before={'addin_identifier_token': current.get('addin_identifier_token'),
                                      'auth_requirements': current.get('auth_requirements')} if current else {},
                              after={'addin_identifier_token': output['addin_identifier_token'],
                                     'auth_requirements': output['auth_requirements']})
    module.exit_json(**output)


if __name__ == '__main__':
    main()
