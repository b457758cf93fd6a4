#!/usr/bin/env bash
# Benchmarks the collection against a local emulator of the Cloudflare API and
# prints one table (per-task times against ansible.builtin.uri and ping, the
# change case, fleets of 50/100/200 accounts, request counts, and a profile of
# one module run). Not part of the tests: figures depend on the machine.
#
#   scripts/benchmark.sh                     everything (a few minutes)
#   scripts/benchmark.sh --fleet 50 --iterations 30 --profile-rounds 5
#   scripts/benchmark.sh --json results.json
set -eu -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

setup_venv
# Nothing from the caller's shell may send a benchmark to a real account or through a proxy.
clear_stray_environment
exec python "$ROOT/tests/benchmark/benchmark.py" "$@"
