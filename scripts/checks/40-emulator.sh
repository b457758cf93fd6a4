#!/usr/bin/env bash
# The emulator's own tests, and the official Cloudflare SDK driving it (fidelity).
set -eu
cd "$ROOT"
python -m pytest -q -p no:cacheprovider tests/emulator
