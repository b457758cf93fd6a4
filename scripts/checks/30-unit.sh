#!/usr/bin/env bash
# ansible-test units: every module against a real local HTTP server.
set -eu
cd "$COLLECTION_COPY"
ansible-test units --python "$PYTHON_VERSION" --color no
