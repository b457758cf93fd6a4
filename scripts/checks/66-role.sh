#!/usr/bin/env bash
# The role dlp_email run by ansible-playbook against the emulator: requests per run (a no-op sends 2), hosts and accounts, facts.
set -eu
cd "$ROOT"
python -m pytest -q -s -p no:cacheprovider tests/role
