#!/usr/bin/env bash
# Runs every check of the collection, from nothing: creates the virtual
# environment, installs what the checks need, runs them one after another and
# ends with the line "checks: N passed, M failed". Exits non-zero if any failed.
#
#   scripts/test.sh              all checks
#   scripts/test.sh sanity unit  only the named checks (see CHECKS below)
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

# name:description, run in this order.
CHECKS=(
  "lint:ansible-lint --profile production"
  "sanity:ansible-test sanity (no ignore file)"
  "unit:ansible-test units"
  "emulator:emulator tests and official SDK fidelity"
)

check_lint() {
  (cd "$ROOT" && ansible-lint --profile production --offline)
}

check_sanity() {
  (cd "$COLLECTION_COPY" && ansible-test sanity --python "$PYTHON_VERSION" --color no)
}

check_unit() {
  (cd "$COLLECTION_COPY" && ansible-test units --python "$PYTHON_VERSION" --color no)
}

check_emulator() {
  (cd "$ROOT" && python -m pytest -q -p no:cacheprovider tests/emulator)
}

main() {
  local wanted=("$@") passed=0 failed=0 failed_names=() entry name
  setup_venv || { echo "checks: 0 passed, 1 failed"; exit 1; }
  clear_stray_environment
  prepare_ansible_test
  copy_collection
  for entry in "${CHECKS[@]}"; do
    name=${entry%%:*}
    if [ ${#wanted[@]} -gt 0 ] && [[ " ${wanted[*]} " != *" $name "* ]]; then
      continue
    fi
    printf '\n=== %s: %s\n' "$name" "${entry#*:}"
    if "check_$name"; then
      passed=$((passed + 1))
      printf '=== %s: passed\n' "$name"
    else
      failed=$((failed + 1))
      failed_names+=("$name")
      printf '=== %s: FAILED\n' "$name"
    fi
  done
  [ "$failed" -eq 0 ] || printf '\nFailed: %s\n' "${failed_names[*]}"
  printf 'checks: %d passed, %d failed\n' "$passed" "$failed"
  [ "$failed" -eq 0 ]
}

main "$@"
