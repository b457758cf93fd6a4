#!/usr/bin/env bash
# The main job: maps a Cloudflare account for the Outlook DLP add-in and prints
# the add-in's identifier token (nox -s demo).
#
#   scripts/demo.sh              against a fresh local emulator of the Cloudflare
#                                API, twice: "changed", then "ok" (idempotent)
#   scripts/demo.sh --real-api   against the real Cloudflare API, once, with
#                                CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN (or
#                                CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY) from the
#                                environment. An account mapping cannot be deleted
#                                through the API, so this never happens by accident.
#
# Further arguments go to ansible-playbook, for example
#   scripts/demo.sh -e dlp_email_mapping_auth_type=NoAuth
set -eu -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
bootstrap_nox
exec .venv/bin/nox -s demo -- "$@"
