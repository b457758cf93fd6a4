#!/usr/bin/env bash
# Molecule scenario dlp_email: the role against a fresh emulator (converge, idempotence, exclusive run, verify).
set -eu
cd "$ROOT"
# The scenario finds the collection through ANSIBLE_COLLECTIONS_PATH: a symlink to this checkout.
collections="$WORK/molecule/collections"
mkdir -p "$collections/ansible_collections/zerotrust"
ln -sfn "$ROOT" "$collections/ansible_collections/zerotrust/cloudflare"
export NO_COLOR=1 ANSIBLE_COLLECTIONS_PATH="$collections" ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
molecule test -s dlp_email
