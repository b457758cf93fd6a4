#!/usr/bin/env bash
# The test command: every default nox session (those `nox -l` marks with *),
# from nothing. It creates .venv with nox and antsibull-nox, then runs the
# ansible-test sessions one after the other, and beside them, one after the
# other too and at a lower priority, the sessions that share no state with
# ansible-test, the session fleet last, at the lowest priority and, while
# the ansible-test lane runs, off the first CPU. It ends with
# "checks: N passed, M failed", counting sessions; a session skipped (for
# example for want of a Python 3.12 or later) is listed and not counted as
# passed. Exits non-zero if any session failed.
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

nox=(nox --no-error-on-missing-interpreters)
started=$SECONDS
if [ $# -gt 0 ]; then
  reports=(.nox/report-0.json)
  "${nox[@]}" --report "${reports[0]}" "$@"
else
  reports=(.nox/report-1.json .nox/report-2.json .nox/report-3.json)
  sessions=$(nox --list --json)
  # Two ansible-test runs would share the virtual environments under ~/.ansible/test: those run in one lane.
  mapfile -t ansible_test < <(python -c 'import json, sys; print("\n".join(
    s["session"] for s in json.load(sys.stdin) if s["session"].startswith("ansible-test-")))' <<<"$sessions")
  mapfile -t others < <(python -c 'import json, sys; print("\n".join(
    s["session"] for s in json.load(sys.stdin) if not s["session"].startswith("ansible-test-") and s["session"] != "fleet"))' <<<"$sessions")
  "${nox[@]}" --report "${reports[0]}" -s "${ansible_test[@]}" >.nox/lane-ansible-test.log 2>&1 &
  ansible_test_lane=$!
  # The ansible-test lane is the longer one: the other lane yields the CPU to it.
  nice -n 10 "${nox[@]}" --report "${reports[1]}" -s "${others[@]}"
  # fleet starts twenty processes at a time. On the ansible-test lane's CPU they slowed its chain of short
  # processes two- to fivefold, whatever their priority (nice 19, even SCHED_IDLE): fleet keeps off the first
  # CPU until that lane is done, then gets them all back. None of its tests has a short timeout.
  all=$(python -c 'import os; print(",".join(map(str, sorted(os.sched_getaffinity(0)))) if hasattr(os, "sched_getaffinity") else "")')
  pin=()
  if [[ $all == *,* ]] && command -v taskset >/dev/null && command -v setsid >/dev/null && command -v pgrep >/dev/null; then
    pin=(setsid taskset -c "${all#*,}")
  fi
  nice -n 19 "${pin[@]}" "${nox[@]}" --report "${reports[2]}" -s fleet &
  fleet=$!
  trap 'kill -- "-$fleet" 2>/dev/null; exit 130' INT TERM  # its own session: Ctrl-C would not reach it
  wait "$ansible_test_lane"
  if [ ${#pin[@]} -gt 0 ]; then
    for pid in $(pgrep -s "$fleet"); do taskset -a -p -c "$all" "$pid" >/dev/null 2>&1; done
  fi
  wait "$fleet"
  echo "=== the ansible-test sessions (.nox/lane-ansible-test.log)"
  cat .nox/lane-ansible-test.log
fi
echo "=== $((SECONDS - started)) s"
python - "${reports[@]}" <<'PYTHON'
import json
import os
import sys

# A nox that wrote no report (it could not even collect its sessions) counts as one failed check.
missing = [path for path in sys.argv[1:] if not os.path.exists(path)]
results = [entry for path in sys.argv[1:] if path not in missing for entry in json.load(open(path, encoding='utf-8'))['sessions']]
results += [{'name': 'nox (no report: %s)' % path, 'result': 'failed', 'duration': 0} for path in missing]
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
