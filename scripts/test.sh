#!/usr/bin/env bash
# Runs every check of the collection, from nothing: creates the virtual
# environment, installs what the checks need, runs each script in
# scripts/checks/ in name order and ends with the line
# "checks: N passed, M failed". Exits non-zero if any check failed.
#
#   scripts/test.sh               all checks
#   scripts/test.sh sanity unit   only the named checks (file names without number and .sh)
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

main() {
  local passed=0 failed=0 failed_names=() script name started
  { install_system_packages && setup_venv; } || { echo "checks: 0 passed, 1 failed"; exit 1; }
  clear_stray_environment
  prepare_ansible_test
  copy_collection
  export ROOT PYTHON_VERSION COLLECTION_COPY WORK
  for script in "$ROOT"/scripts/checks/*.sh; do
    name=$(basename "$script" .sh)
    name=${name#*-}
    if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then
      continue
    fi
    printf '\n=== %s: %s\n' "$name" "$(sed -n '2s/^# //p' "$script")"
    started=$SECONDS
    if bash "$script"; then
      passed=$((passed + 1))
      printf '=== %s: passed (%d s)\n' "$name" $((SECONDS - started))
    else
      failed=$((failed + 1))
      failed_names+=("$name")
      printf '=== %s: FAILED (%d s)\n' "$name" $((SECONDS - started))
    fi
  done
  [ "$failed" -eq 0 ] || printf '\nFailed: %s\n' "${failed_names[*]}"
  printf 'checks: %d passed, %d failed\n' "$passed" "$failed"
  [ "$failed" -eq 0 ]
}

main "$@"
