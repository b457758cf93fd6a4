#!/usr/bin/env bash
# ansible-test integration: every target against a fresh local emulator of the Cloudflare API.
set -eu
exec bash "$ROOT/scripts/integration.sh"
