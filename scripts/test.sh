#!/usr/bin/env bash
# The test command: every default nox session (those `nox -l` marks with *), from nothing, on the versions pinned in
# tests/constraints/. It creates .venv with nox and antsibull-nox, then runs two nox side by side: the ansible-test
# sessions (which share ansible-test's virtual environments, so never run two at once) and the other sessions. It then
# lists what the run wrote under HOME outside the tools' caches, and ends with "checks: N passed, M failed", counting
# sessions and that check; a session skipped (for want of a Python 3.12 or later, say) is listed and not counted as
# passed. Exits non-zero if any check failed.
#
#   scripts/test.sh                 every default session
#   scripts/test.sh -s NAME ...     only these sessions (any nox options)
set -u -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
bootstrap_nox || { echo "checks: 0 passed, 1 failed"; exit 1; }
export PATH="$PWD/.venv/bin:$PATH"
mkdir -p .nox
rm -f .nox/report-*.json
touch .nox/started

nox=(nox --no-error-on-missing-interpreters)
if [ $# -gt 0 ]; then
  reports=(.nox/report-0.json)
  "${nox[@]}" --report "${reports[0]}" "$@"
else
  reports=(.nox/report-1.json .nox/report-2.json)
  sessions=$(nox --list --json)
  lane() {  # the default sessions whose names do (yes) or do not (no) start with ansible-test-
    python -c 'import json, sys; print("\n".join(s["session"] for s in json.load(sys.stdin)
      if s["session"].startswith("ansible-test-") == (sys.argv[1] == "yes")))' "$1" <<<"$sessions"
  }
  mapfile -t ansible_test < <(lane yes)
  mapfile -t others < <(lane no)
  "${nox[@]}" --report "${reports[0]}" -s "${ansible_test[@]}" >.nox/lane-ansible-test.log 2>&1 &
  ansible_test_lane=$!
  trap 'kill "$ansible_test_lane" 2>/dev/null; exit 130' INT TERM
  "${nox[@]}" --report "${reports[1]}" -s "${others[@]}"
  wait "$ansible_test_lane"
  echo "=== the ansible-test sessions (.nox/lane-ansible-test.log)"
  cat .nox/lane-ansible-test.log
fi
python - "$HOME" "${reports[@]}" <<'PYTHON'
import json
import os
import sys

home, reports = sys.argv[1], sys.argv[2:]
# A nox that wrote no report (it could not even collect its sessions) counts as one failed check.
missing = [path for path in reports if not os.path.exists(path)]
results = [entry for path in reports if path not in missing for entry in json.load(open(path, encoding='utf-8'))['sessions']]
results += [{'name': 'nox (no report: %s)' % path, 'result': 'failed', 'duration': 0} for path in missing]
# Nothing but the caches of uv, pip, nox (its Python discovery) and ansible-lint may land under HOME: the sessions keep
# the rest in .nox/.
cache = os.environ.get('XDG_CACHE_HOME') or os.path.join(home, '.cache')
allowed = [os.path.join(cache, name) for name in ('uv', 'pip', 'nox', 'ansible-compat')] + [os.getcwd()]
started = os.stat('.nox/started').st_mtime
written = []
for top, directories, files in os.walk(home):
    directories[:] = [name for name in directories if os.path.join(top, name) not in allowed]
    written += [os.path.join(top, name) for name in files if os.lstat(os.path.join(top, name)).st_mtime >= started]
for path in sorted(written):
    print('written under HOME: %s' % path)
results.append({'name': 'nothing written under HOME', 'result': 'failed' if written else 'success', 'duration': 0})
passed = [entry for entry in results if entry['result'] == 'success']
skipped = [entry for entry in results if entry['result'] == 'skipped']
failed = [entry for entry in results if entry['result'] not in ('success', 'skipped')]
for entry in results:
    print('%-45s %-8s %5.0f s %s' % (entry['name'], entry['result'], entry['duration'], entry.get('reason') or ''))
if skipped:
    print('skipped, not counted as passed: %s' % ', '.join(entry['name'] for entry in skipped))
print('checks: %d passed, %d failed' % (len(passed), len(failed)))
sys.exit(1 if failed or not passed else 0)
PYTHON
