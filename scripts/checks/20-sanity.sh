#!/usr/bin/env bash
# ansible-test sanity, every test, with no ignore file.
set -eu
cd "$COLLECTION_COPY"
# No ignore file, and no test skipped for a missing tool.
if ls tests/sanity/ignore-*.txt 2>/dev/null; then
  echo "Sanity ignore files are not allowed" >&2
  exit 1
fi
command -v shellcheck
ansible-test sanity --python "$PYTHON_VERSION" --color no
