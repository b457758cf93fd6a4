#!/usr/bin/env bash
# Other ansible-core versions (scripts/versions.sh): units on 2.16-2.18, 2.20, 2.21; sanity on 2.16, 2.18; integration on each.
set -eu
exec bash "$ROOT/scripts/versions.sh"
