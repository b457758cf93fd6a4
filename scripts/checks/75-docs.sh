#!/usr/bin/env bash
# Documentation: antsibull-docs lint of plugin, role and extra docs; the HTML site (scripts/docs.sh) builds offline, warnings as errors.
set -eu -o pipefail
cd "$ROOT"
antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs --validate-collection-refs all \
  --disallow-unknown-collection-refs .
echo "antsibull-docs lint-collection-docs: clean"
bash scripts/docs.sh "$WORK/docs"
html="$WORK/docs/html/collections/zerotrust/cloudflare"
missing=0
pages=()
for module in plugins/modules/*.py; do
  pages+=("$(basename "$module" .py)_module.html")
done
for spec in roles/*/meta/argument_specs.yml; do
  [ -e "$spec" ] || continue
  role=${spec#roles/}
  pages+=("${role%%/*}_role.html")
done
while IFS= read -r page; do
  pages+=("docsite/$page.html")
done < <(sed -n 's/^ *- \([A-Za-z0-9_-]*\) *$/\1/p' docs/docsite/extra-docs.yml)
for page in "${pages[@]}"; do
  [ -s "$html/$page" ] || { echo "the site has no page $page" >&2; missing=1; }
done
[ "$missing" -eq 0 ]
echo "site: ${#pages[@]} pages of the collection (modules, roles, guides) built"
