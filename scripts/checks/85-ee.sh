#!/usr/bin/env bash
# Execution environment and AWX: ansible-builder introspects and writes tests/ee's build context; the AWX credential type runs the playbook via ansible-runner.
set -eu -o pipefail
out="$WORK/ee"
rm -rf "$out"
mkdir -p "$out/dist" "$out/definition"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
tarball=$(build_collection "$out/dist")

# The definition as its comment tells users to use it: beside the tarball, renamed.
cp tests/ee/execution-environment.yml "$out/definition/"
cp "$tarball" "$out/definition/zerotrust-cloudflare.tar.gz"
ansible-builder create --file "$out/definition/execution-environment.yml" --context "$out/context" --output-filename Containerfile -v 2 \
  > "$out/create.log" 2>&1 || { cat "$out/create.log" >&2; exit 1; }
context="$out/context"
for path in Containerfile _build/requirements.yml _build/collections/zerotrust-cloudflare.tar.gz _build/scripts/introspect.py _build/scripts/assemble; do
  [ -e "$context/$path" ] || { echo "ansible-builder create did not write $path:" >&2; cat "$out/create.log" >&2; exit 1; }
done
grep -q 'ansible-galaxy collection install' "$context/Containerfile"
grep -q 'introspect.py introspect' "$context/Containerfile"
echo "ansible-builder create: build context written to the context directory"

# What the image build would do, without a container engine: the galaxy step installs
# the collection from the build context, then the builder step introspects it.
(cd "$context/_build" && ansible-galaxy collection install --offline -r requirements.yml -p "$out/collections") \
  > "$out/galaxy.log" 2>&1 || { cat "$out/galaxy.log" >&2; exit 1; }
[ -f "$out/collections/ansible_collections/zerotrust/cloudflare/meta/execution-environment.yml" ]
ansible-builder introspect --sanitize "$out/collections" --write-pip "$out/requirements.txt" --write-bindep "$out/bindep.txt" | tee "$out/introspect.txt"
grep -Eq "^- '?requests[^A-Za-z0-9_.-].*# from collection zerotrust\.cloudflare" "$out/introspect.txt" \
  || { echo "introspection does not list requests from zerotrust.cloudflare" >&2; exit 1; }
grep -Eq '^requests\b' "$out/requirements.txt"
# The copy of the introspection script that the build context carries, as its builder stage runs it.
python "$context/_build/scripts/introspect.py" introspect "$out/collections" --write-pip "$out/requirements-context.txt" >/dev/null
grep -Eq '^requests\b' "$out/requirements-context.txt"
echo "ansible-builder introspect: requests from zerotrust.cloudflare, no system packages"

# AWX: the credential type in docs/awx/, its injectors rendered as AWX renders them,
# runs the main playbook through ansible-runner against the emulator.
cd "$ROOT"
python -m pytest -q -p no:cacheprovider tests/awx
