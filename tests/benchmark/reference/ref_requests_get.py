# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark reference: the plainest module built on requests, one authenticated GET and its JSON.

What a straightforward requests-based module costs on a no-op, before any of
this collection's checks, retries and error handling.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import requests

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(url=dict(type='str', required=True), api_token=dict(type='str', required=True, no_log=True)),
                           supports_check_mode=True)
    session = requests.Session()
    response = session.get(module.params['url'], headers={'Authorization': 'Bearer ' + module.params['api_token']}, timeout=30)
    module.exit_json(changed=False, status=response.status_code, result=response.json().get('result'))


if __name__ == '__main__':
    main()
