#!/usr/bin/env bash
# Builds the collection's HTML documentation with antsibull-docs and Sphinx:
# every module and role, rendered from their own documentation, plus the extra
# pages in docs/docsite/. Works offline: intersphinx reads only a small local
# inventory of Ansible's documentation that this script writes.
#
#   scripts/docs.sh [DEST]   DEST defaults to build/docs; open DEST/html/index.html
#
# Sphinx treats warnings as errors, so a broken reference fails the build.
set -eu -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

DEST=${1:-$ROOT/build/docs}
mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)

setup_venv
clear_stray_environment

# The collection as ansible-doc finds it: the checkout itself, through a symlink.
collections="$DEST/collections"
mkdir -p "$collections/ansible_collections/zerotrust"
ln -sfn "$ROOT" "$collections/ansible_collections/zerotrust/cloudflare"
export ANSIBLE_COLLECTIONS_PATH="$collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false

# antsibull-docs wants its directories owned by the user and writable only by them.
site="$DEST/site"
rm -rf "$site" "$DEST/html"
mkdir -m 755 "$site"
antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "$site" --no-add-antsibull-docs-version \
  --project zerotrust.cloudflare --copyright 'zerotrust.cloudflare contributors' --title 'zerotrust.cloudflare' \
  zerotrust.cloudflare >/dev/null

# Offline: instead of the inventories on the web, one local inventory with the labels
# of Ansible's documentation that the generated pages link to (antsibull-docs' own
# templates, and every plugin, option and return value of ansible.builtin).
python - "$site/ansible_devel.inv" <<'EOF'
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

body = ''.join('%s std:label -1 %s %s\n' % entry for entry in entries)
with open(sys.argv[1], 'wb') as inventory:
    inventory.write(b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
                    b'# The remainder of this file is compressed using zlib.\n')
    inventory.write(zlib.compress(body.encode('utf-8')))
EOF
cat >> "$site/conf.py" <<EOF

# Offline build (scripts/docs.sh): only the local inventory it writes.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '$site/ansible_devel.inv'),
}
EOF

chmod og-w "$site/rst"
antsibull-docs --config-file "$site/antsibull-docs.cfg" collection --use-current --fail-on-error --cleanup everything \
  --dest-dir "$site/rst" zerotrust.cloudflare >/dev/null
sphinx-build -b html -c "$site" -W --keep-going -q -d "$site/doctrees" "$site/rst" "$DEST/html"
echo "Documentation: $DEST/html/index.html"
