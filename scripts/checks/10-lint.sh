#!/usr/bin/env bash
# ansible-lint with the production profile, over the whole collection.
set -eu
cd "$ROOT"
ansible-lint --profile production
