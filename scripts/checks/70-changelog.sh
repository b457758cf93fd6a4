#!/usr/bin/env bash
# antsibull-changelog: fragments and changelog.yaml lint clean; a trial release in a scratch copy writes CHANGELOG.md.
set -eu -o pipefail
cd "$ROOT"
antsibull-changelog lint
antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
grep -q 'file: CHANGELOG.md' changelogs/config.yaml

# The release command (docs/development.md) in a scratch copy of the working
# tree, so the checkout stays as it is. The copy lives outside the checkout:
# inside it (under the git-ignored WORK) antsibull-changelog would ask git
# which files the copy has, and git would answer none.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
trial="$scratch/ansible_collections/zerotrust/cloudflare"
mkdir -p "$trial"
tar -cf - --exclude=./.git --exclude=./.venv --exclude='./.venv-*' --exclude=./.tmpbuild --exclude=./.ansible \
  --exclude=./tests/output --exclude=__pycache__ . | (cd "$trial" && tar -xf -)
version=$(sed -n 's/^version: *//p' galaxy.yml)
(cd "$trial" && ANSIBLE_COLLECTIONS_PATH="$scratch" antsibull-changelog release --date 2000-01-01 >/dev/null)
grep -q "^## v${version//./\\\\.}\$" "$trial/CHANGELOG.md" || { echo "CHANGELOG.md has no v$version section:" >&2; cat "$trial/CHANGELOG.md" >&2; exit 1; }
antsibull-changelog lint-changelog-yaml "$trial/changelogs/changelog.yaml"
# Every module is announced as new in the first release.
for module in plugins/modules/*.py; do
  name=$(basename "$module" .py)
  grep -q "zerotrust\\\\.cloudflare\\\\.${name//_/\\\\_} " "$trial/CHANGELOG.md" || { echo "CHANGELOG.md does not announce $name" >&2; exit 1; }
done
echo "trial release $version: CHANGELOG.md lists $(grep -c '^\* zerotrust' "$trial/CHANGELOG.md") new plugins and roles"
