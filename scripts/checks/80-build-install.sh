#!/usr/bin/env bash
# Galaxy tarball: no development files, the shipped extras present; installed alone, its main playbook runs (changed, then ok).
set -eu -o pipefail
out="$WORK/build-install"
rm -rf "$out"
mkdir -p "$out/dist" "$out/collections"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
tarball=$(build_collection "$out/dist")
echo "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
tar -tzf "$tarball" | sed 's#^\./##; s#/$##' | sort > "$out/files.txt"

# Nothing that only development needs: virtual environments, scratch and test output, caches, CI and git.
forbidden='(^|/)(\.venv[^/]*|\.ansible|\.tmpbuild|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.tox|__pycache__|\.git|\.ci)(/|$)'
forbidden+='|^(scripts|build|tests/output)(/|$)|\.pyc$|^tests/integration/integration_config\.yml$|\.tar\.gz$'
if grep -E "$forbidden" "$out/files.txt"; then
  echo "the tarball holds the development files above: add them to build_ignore in galaxy.yml" >&2
  exit 1
fi
missing=0
for path in MANIFEST.json FILES.json meta/runtime.yml meta/execution-environment.yml bindep.txt requirements.txt \
  playbooks/dlp_email_mapping.yml plugins/modules/cloudflare_dlp_email_mapping.py tests/unit tests/emulator/cf_emulator.py \
  tests/emulator/cloudflare-dlp-email.openapi.json tests/emulator/LICENSE-cloudflare-api-schemas COPYING; do
  grep -qxF "$path" "$out/files.txt" || { echo "missing from the tarball: $path" >&2; missing=1; }
done
[ "$missing" -eq 0 ]
echo "tarball contents: $(wc -l < "$out/files.txt") entries, no development files, shipped extras present"

# Install into an empty collections path and use nothing else.
ansible-galaxy collection install --offline -p "$out/collections" "$tarball" >/dev/null 2>"$out/install.err" || { cat "$out/install.err" >&2; exit 1; }
installed="$out/collections/ansible_collections/zerotrust/cloudflare"
[ -f "$installed/MANIFEST.json" ]
export ANSIBLE_COLLECTIONS_PATH="$out/collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_SHOW_CUSTOM_STATS=true ANSIBLE_NOCOLOR=true
cd "$out"
listed=$(ansible-galaxy collection list zerotrust.cloudflare 2>/dev/null)
[[ "$listed" == *"# $out/collections/ansible_collections"* ]] || { echo "zerotrust.cloudflare is not found in $out/collections: $listed" >&2; exit 1; }

# The emulator shipped in the tarball, and the main playbook by its collection name.
python - "$installed" <<'PY'
import os
import re
import subprocess
import sys

installed = sys.argv[1]
sys.path.insert(0, os.path.join(installed, 'tests', 'emulator'))
from control import DEFAULT_TOKEN, start_emulator  # noqa: E402

ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353'
with start_emulator() as emulator:
    env = dict(os.environ, CLOUDFLARE_API_TOKEN=DEFAULT_TOKEN, CLOUDFLARE_ACCOUNT_ID=ACCOUNT, CLOUDFLARE_BASE_URL=emulator.base_url)
    results = []
    for run in ('first', 'second'):
        proc = subprocess.run(['ansible-playbook', 'zerotrust.cloudflare.dlp_email_mapping'], env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.exit(f'{run} run failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}')
        recap = re.search(r'^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', proc.stdout, re.M)
        token = re.search(r'"addin_identifier_token": "([^"]+)"', proc.stdout)
        if not recap or not token:
            sys.exit(f'{run} run: no play recap or custom stats with the token in:\n{proc.stdout}')
        changed, failed, token = int(recap.group(2)), int(recap.group(4)), token.group(1)
        results.append((changed, failed, token))
        print(f'{run} run: changed={changed} failed={failed} token={token}')
    mapping = emulator.state()['accounts'][ACCOUNT]['mapping']
(first_changed, _, first_token), (second_changed, _, second_token) = results
assert first_changed >= 1, 'the first run changed nothing'
assert second_changed == 0, 'the second run changed something: not idempotent'
assert first_token == second_token == mapping['addin_identifier_token'], (first_token, second_token, mapping)
print('installed copy: changed, then ok; token recorded with set_stats matches the emulator')
PY
