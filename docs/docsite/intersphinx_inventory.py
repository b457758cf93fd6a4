# -*- coding: utf-8 -*-
# Copyright (c) zerotrust.cloudflare contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a small Sphinx inventory of Ansible's documentation, so that the docs site builds offline (nox -s docs).

Instead of the inventories on the web, intersphinx reads this one: the labels that the pages antsibull-docs
generates link to (its own templates, every plugin, option and return value of ansible.builtin, and the
environment variables of Ansible's configuration).

    python docs/docsite/intersphinx_inventory.py OUTPUT.inv
"""

from __future__ import annotations

import ast
import os
import re
import sys
import zlib

import ansible
import yaml

LABELS = {
    'ansible_configuration_settings': ('reference_appendices/config.html', 'Ansible Configuration Settings'),
    'common_return_values': ('reference_appendices/common_return_values.html', 'Return Values'),
    'collections_keyword': ('collections_guide/collections_using_playbooks.html#simplifying-module-names-with-the-collections-keyword',
                            'Simplifying module names with the collections keyword'),
    'list_of_collections': ('collections/index.html', 'Collection Index'),
    'callback_plugins': ('plugins/callback.html', 'Callback plugins'),
    'list_of_callback_plugins': ('collections/index_callback.html', 'Index of all Callback Plugins'),
    'action_plugins': ('plugins/action.html', 'Action plugins'),
    'module_defaults': ('playbook_guide/playbooks_module_defaults.html', 'Module defaults'),
    'playbooks_strategies': ('playbook_guide/playbooks_strategies.html', 'Controlling playbook execution: strategies and more'),
}


def anchor(label):
    return re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')


def documented(path):
    """Option and return value names of a plugin file (top level), from its DOCUMENTATION and RETURN."""
    names = {'parameter': [], 'return': []}
    try:
        if path.endswith('.py'):
            tree = ast.parse(open(path, encoding='utf-8').read())
            blocks = {node.targets[0].id: node.value.value for node in tree.body
                      if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                      and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}
        else:
            data = yaml.safe_load(open(path, encoding='utf-8')) or {}
            blocks = {key: data.get(key) for key in ('DOCUMENTATION', 'RETURN')}
        doc = blocks.get('DOCUMENTATION')
        doc = yaml.safe_load(doc) if isinstance(doc, str) else doc
        ret = blocks.get('RETURN')
        ret = yaml.safe_load(ret) if isinstance(ret, str) else ret
    except Exception:  # a plugin whose docs do not parse simply gets no option labels
        return names
    if isinstance(doc, dict) and isinstance(doc.get('options'), dict):
        names['parameter'] = list(doc['options'])
    if isinstance(ret, dict):
        names['return'] = list(ret)
    return names


def main():
    entries = []
    for label, (uri, title) in LABELS.items():
        entries.append((label, uri if '#' in uri else uri + '#' + anchor(label), title))
    base = os.path.dirname(ansible.__file__)
    kinds = {'module': os.path.join(base, 'modules')}
    for kind in ('become', 'cache', 'callback', 'cliconf', 'connection', 'filter', 'httpapi', 'inventory', 'lookup',
                 'netconf', 'shell', 'strategy', 'test', 'vars'):
        kinds[kind] = os.path.join(base, 'plugins', kind)
    for kind, directory in kinds.items():
        for filename in sorted(os.listdir(directory)):
            name, ext = os.path.splitext(filename)
            if ext not in ('.py', '.yml', '.yaml') or name.startswith('_'):
                continue
            fqcn = 'ansible.builtin.' + name
            label = 'ansible_collections.%s_%s' % (fqcn, kind)
            page = 'collections/ansible/builtin/%s_%s.html' % (name, kind)
            entries.append((label, page + '#' + anchor(label), '%s %s' % (fqcn, kind)))
            for what, keys in documented(os.path.join(directory, filename)).items():
                for key in keys:
                    sub = '%s__%s-%s' % (label, what, key)
                    entries.append((sub, page + '#' + anchor(sub), key))

    # The environment variables of Ansible's configuration, which plugin docs (cache options, for one) refer to.
    with open(os.path.join(base, 'config', 'base.yml'), encoding='utf-8') as config:
        variables = sorted({env['name'] for setting in yaml.safe_load(config).values() for env in setting.get('env') or []})
    body = ''.join('%s std:label -1 %s %s\n' % entry for entry in entries)
    body += ''.join('%s std:envvar -1 reference_appendices/config.html#envvar-%s -\n' % (name, name) for name in variables)
    with open(sys.argv[1], 'wb') as inventory:
        inventory.write(b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
                        b'# The remainder of this file is compressed using zlib.\n')
        inventory.write(zlib.compress(body.encode('utf-8')))


if __name__ == '__main__':
    main()
