#!/usr/bin/env bash
# antsibull-changelog: fragments and changelog.yaml lint clean; CHANGELOG.md is what it generates (or a trial release writes it).
set -eu -o pipefail
cd "$ROOT"
antsibull-changelog lint
antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
grep -q 'file: CHANGELOG.md' changelogs/config.yaml

# A scratch copy of the working tree, so the checkout stays as it is. The copy lives
# outside the checkout: inside it (under the git-ignored WORK) antsibull-changelog
# would ask git which files the copy has, and git would answer none.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
trial="$scratch/ansible_collections/zerotrust/cloudflare"
mkdir -p "$trial"
tar -cf - --exclude=./.git --exclude=./.venv --exclude='./.venv-*' --exclude=./.tmpbuild --exclude=./.ansible \
  --exclude=./tests/output --exclude=__pycache__ . | (cd "$trial" && tar -xf -)
version=$(sed -n 's/^version: *//p' galaxy.yml)
cd "$trial"
export ANSIBLE_COLLECTIONS_PATH="$scratch"
if grep -q "^  ${version//./\\.}:\$" changelogs/changelog.yaml; then
  # Released: the committed CHANGELOG.md must be exactly what antsibull-changelog makes of changelog.yaml.
  antsibull-changelog generate
  diff -u "$ROOT/CHANGELOG.md" CHANGELOG.md || { echo "CHANGELOG.md is out of date: run antsibull-changelog generate" >&2; exit 1; }
  echo "release $version is in changelogs/changelog.yaml; CHANGELOG.md matches it"
else
  # Not released yet: the release command (docs/development.md) must work and announce the version.
  antsibull-changelog release --date 2000-01-01 >/dev/null
  antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
  echo "trial release of $version in a scratch copy: done"
fi
grep -q "^## v${version//./\\\\.}\$" CHANGELOG.md || { echo "CHANGELOG.md has no v$version section" >&2; exit 1; }
# Every module and role is announced in some release.
for path in plugins/modules/*.py roles/*/; do
  [ -e "$path" ] || continue
  name=$(basename "$path" .py)
  grep -q "^\* zerotrust\\\\.cloudflare\\\\.${name//_/\\\\_} " CHANGELOG.md || { echo "CHANGELOG.md does not announce $name" >&2; exit 1; }
done
echo "CHANGELOG.md announces every module and role"
