#!/usr/bin/env bash
# The main job: maps a Cloudflare account for the Outlook DLP add-in and prints
# the add-in's identifier token.
#
#   scripts/demo.sh              against a fresh local emulator of the Cloudflare
#                                API, twice: "changed", then "ok" (idempotent)
#   scripts/demo.sh --real-api   against the real Cloudflare API, once, with
#                                CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN (or
#                                CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY) from the
#                                environment. An account mapping cannot be deleted
#                                through the API, so this never happens by accident.
#
# Arguments after the option go to ansible-playbook, for example
#   scripts/demo.sh -e dlp_email_mapping_auth_type=NoAuth
set -eu -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

DEMO_ACCOUNT=023e105f4ecef8ad9ca31a8372d0c353
DEMO_TOKEN=demo-api-token

real_api=false
if [ "${1:-}" = --real-api ]; then
  real_api=true
  shift
fi

setup_venv
if ! $real_api; then
  # Credentials that merely sit in the shell never reach a real account.
  clear_stray_environment
fi
mkdir -p "$WORK/demo/ansible_collections/zerotrust"
ln -sfn "$ROOT" "$WORK/demo/ansible_collections/zerotrust/cloudflare"
export ANSIBLE_COLLECTIONS_PATH="$WORK/demo" ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

if $real_api; then
  : "${CLOUDFLARE_ACCOUNT_ID:?set CLOUDFLARE_ACCOUNT_ID to the account to map}"
  echo "Running against the real Cloudflare API, account $CLOUDFLARE_ACCOUNT_ID"
  exec ansible-playbook "$ROOT/playbooks/dlp_email_mapping.yml" "$@"
fi

url_file="$WORK/demo/emulator.url"
rm -f "$url_file"
python "$ROOT/tests/emulator/cf_emulator.py" --port 0 --token "$DEMO_TOKEN" --url-file "$url_file" >/dev/null &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null; wait "$emulator_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [ -s "$url_file" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { echo "The emulator did not start" >&2; exit 1; }
  sleep 0.1
done
[ -s "$url_file" ] || { echo "The emulator did not start within 10 s" >&2; exit 1; }

export CLOUDFLARE_BASE_URL CLOUDFLARE_API_TOKEN=$DEMO_TOKEN CLOUDFLARE_ACCOUNT_ID=$DEMO_ACCOUNT
CLOUDFLARE_BASE_URL=$(cat "$url_file")
echo "Cloudflare API emulator at $CLOUDFLARE_BASE_URL, account $DEMO_ACCOUNT"
for run in first second; do
  echo
  echo "=== $run run"
  ansible-playbook "$ROOT/playbooks/dlp_email_mapping.yml" "$@"
done
