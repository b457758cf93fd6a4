# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark reference: ansible.builtin.ping's work, as a collection module.

Compared with ansible.builtin.ping it shows what a module that is not built
into ansible-core costs by itself. The benchmark runs the modules of
this directory as the scratch collection zerotrust_benchmark.reference.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(data=dict(type='str', default='pong')), supports_check_mode=True)
    module.exit_json(ping=module.params['data'])


if __name__ == '__main__':
    main()
