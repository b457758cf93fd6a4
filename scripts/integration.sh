#!/usr/bin/env bash
# Runs every ansible-test integration target (tests/integration/targets/*)
# against a fresh local emulator of the Cloudflare API, with whatever
# ansible-test is first on PATH.
#
#   scripts/integration.sh [ANSIBLE-TEST ARGS...]
#       Starts the emulator on a free loopback port, writes
#       tests/integration/integration_config.yml (from the .template beside it)
#       into the collection copy $COLLECTION_COPY (or a fresh copy when unset),
#       runs ansible-test integration there and always stops the emulator.
#       Extra arguments go to ansible-test, e.g. a target name or -v.
#
#   ZEROTRUST_CLOUDFLARE_REAL_API=1 scripts/integration.sh --real-api [ARGS...]
#       The same targets against the real Cloudflare API, with
#       CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID (optionally
#       CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY, CLOUDFLARE_BASE_URL) from the
#       environment. It changes the account's DLP email account mapping, which
#       the API cannot delete. Without ZEROTRUST_CLOUDFLARE_REAL_API=1 it is skipped.
set -eu -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

real_api=false
if [ "${1:-}" = --real-api ]; then
  real_api=true
  shift
fi

if $real_api && [ "${ZEROTRUST_CLOUDFLARE_REAL_API:-}" != 1 ]; then
  echo "Skipped: integration tests against the real Cloudflare API run only with ZEROTRUST_CLOUDFLARE_REAL_API=1" \
    "(they change the account's DLP email account mapping, which cannot be deleted)."
  exit 0
fi
if $real_api; then
  : "${CLOUDFLARE_API_TOKEN:?set CLOUDFLARE_API_TOKEN to a token with Zero Trust Write on the account}"
  : "${CLOUDFLARE_ACCOUNT_ID:?set CLOUDFLARE_ACCOUNT_ID to the account to test with}"
fi

# The Python that runs ansible-test and, without --venv, the modules of the
# targets: the interpreter of the ansible-test command when its version is
# PYTHON_VERSION, otherwise pythonPYTHON_VERSION on PATH (as ansible-test decides).
ansible_test_python() {
  local launcher found
  launcher=$(sed -n '1s/^#![[:space:]]*//p' "$(command -v ansible-test)")
  # shellcheck disable=SC2086 # the shebang may be "/usr/bin/env python3"
  found=$($launcher -c 'import sys; print("%s %d.%d" % (sys.executable, sys.version_info[0], sys.version_info[1]))' 2>/dev/null) || found=
  if [ "${found##* }" = "$PYTHON_VERSION" ]; then
    echo "${found% *}"
  else
    command -v "python$PYTHON_VERSION"
  fi
}

# Fills tests/integration/integration_config.yml.template from the environment
# (each ${NAME} becomes a JSON-quoted string, which YAML reads as a string).
write_config() {
  local template=$COLLECTION_COPY/tests/integration/integration_config.yml.template
  "$test_python" - "$template" "$config" <<'PYTHON'
import json
import os
import re
import sys

template, target = sys.argv[1:3]
with open(template, encoding='utf-8') as handle:
    text = handle.read()
text = re.sub(r'\$\{([A-Za-z_][A-Za-z0-9_]*)\}', lambda match: json.dumps(os.environ.get(match.group(1), '')), text)
descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it may hold a real token
with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
    handle.write(text)
PYTHON
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  rm -f "${config:-}"
}

if ! command -v ansible-test >/dev/null; then
  setup_venv
fi
if [ -z "${COLLECTION_COPY:-}" ]; then
  copy_collection
fi
config=$COLLECTION_COPY/tests/integration/integration_config.yml
trap cleanup EXIT
trap 'exit 130' INT TERM

test_python=$(ansible_test_python) || { echo "ansible-test needs python$PYTHON_VERSION, which was not found" >&2; exit 1; }
echo "ansible-test: $(command -v ansible-test) ($(ansible-test --version)), Python $test_python"
if ! "$test_python" -c 'import requests' 2>/dev/null; then
  echo "Installing requests for the modules into $test_python"
  "$test_python" -m pip install --quiet --disable-pip-version-check 'requests>=2.25'
fi

if $real_api; then
  CLOUDFLARE_BASE_URL=${CLOUDFLARE_BASE_URL:-https://api.cloudflare.com/client/v4} write_config
  echo "Integration tests against the real Cloudflare API, account $CLOUDFLARE_ACCOUNT_ID"
  # The targets get everything from the config; nothing stray reaches the modules.
  clear_stray_environment
else
  # The target setup_emulator starts a fresh emulator for each target.
  clear_stray_environment
fi

status=0
(cd "$COLLECTION_COPY" && ansible-test integration --python "$PYTHON_VERSION" --color no "$@") || status=$?
exit "$status"
