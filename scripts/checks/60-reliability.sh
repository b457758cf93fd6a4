#!/usr/bin/env bash
# Reliability and security: real ansible-playbook runs against the emulator (faults, bad input, secrets, paths, rate limit).
set -eu
cd "$ROOT"
python -m pytest -q -p no:cacheprovider tests/reliability
