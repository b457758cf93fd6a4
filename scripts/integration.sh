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

EMULATOR_TOKEN=integration-test-token
EMULATOR_EMAIL=integration@example.com
EMULATOR_KEY=integration-test-global-key
EMULATOR_ACCOUNT=0a1b2c3d4e5f60718293a4b5c6d7e8f9

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

# A Python that can run the emulator (it needs openapi-schema-validator), which a
# venv of another ansible-core version may lack: the first of EMULATOR_PYTHON,
# python on PATH, the test Python and the project's venv that can import it.
emulator_python() {
  local candidate
  for candidate in "${EMULATOR_PYTHON:-}" "$(command -v python || true)" "$1" "$VENV/bin/python"; do
    if [ -n "$candidate" ] && "$candidate" -c 'import openapi_schema_validator' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "No Python with openapi-schema-validator found to run the emulator: run scripts/test.sh once (it creates $VENV)," \
    "or set EMULATOR_PYTHON" >&2
  return 1
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
  if [ -n "${emulator_pid:-}" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -f "${config:-}"
  [ -z "${scratch:-}" ] || rm -rf "$scratch"
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
  CLOUDFLARE_BASE_URL=${CLOUDFLARE_BASE_URL:-https://api.cloudflare.com/client/v4} CLOUDFLARE_EMULATOR_CONTROL_URL='' write_config
  echo "Integration tests against the real Cloudflare API, account $CLOUDFLARE_ACCOUNT_ID"
  # The targets get everything from the config; nothing stray reaches the modules.
  clear_stray_environment
else
  clear_stray_environment
  mkdir -p "$WORK"
  scratch=$(mktemp -d "$WORK/integration.XXXXXX")
  python_for_emulator=$(emulator_python "$test_python")
  "$python_for_emulator" "$COLLECTION_COPY/tests/emulator/cf_emulator.py" --port 0 \
    --token "$EMULATOR_TOKEN" --email "$EMULATOR_EMAIL" --key "$EMULATOR_KEY" \
    --url-file "$scratch/url" >/dev/null 2>"$scratch/emulator.log" &
  emulator_pid=$!
  for _ in $(seq 200); do
    [ -s "$scratch/url" ] && break
    kill -0 "$emulator_pid" 2>/dev/null || break
    sleep 0.05
  done
  if [ ! -s "$scratch/url" ]; then
    echo "The emulator did not start:" >&2
    cat "$scratch/emulator.log" >&2
    exit 1
  fi
  base_url=$(cat "$scratch/url")
  echo "Cloudflare API emulator at $base_url"
  CLOUDFLARE_BASE_URL=$base_url CLOUDFLARE_EMULATOR_CONTROL_URL=${base_url%/client/v4}/__emulator__ \
    CLOUDFLARE_API_TOKEN=$EMULATOR_TOKEN CLOUDFLARE_ACCOUNT_ID=$EMULATOR_ACCOUNT \
    CLOUDFLARE_EMAIL=$EMULATOR_EMAIL CLOUDFLARE_API_KEY=$EMULATOR_KEY write_config
fi

status=0
(cd "$COLLECTION_COPY" && ansible-test integration --python "$PYTHON_VERSION" --color no "$@") || status=$?
if [ "$status" -ne 0 ] && [ -s "${scratch:-/nonexistent}/emulator.log" ]; then
  echo "--- emulator stderr:"
  tail -n 50 "$scratch/emulator.log"
fi
exit "$status"
