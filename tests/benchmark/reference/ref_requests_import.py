# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark reference: ansible.builtin.ping's work plus ``import requests``, and no request.

The floor of any module built on requests: no such module can be faster.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

# Importing requests is all this reference module does: its cost is what it measures.
import requests  # noqa: F401  pylint: disable=unused-import

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(data=dict(type='str', default='pong')), supports_check_mode=True)
    module.exit_json(ping=module.params['data'])


if __name__ == '__main__':
    main()
