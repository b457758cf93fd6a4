# shellcheck shell=bash
# Shared by scripts/test.sh and scripts/demo.sh: the virtual environment,
# a clean environment, and a copy of the collection where ansible-test wants it.

PYTHON_VERSION=${PYTHON_VERSION:-3.11}
VENV=${VENV:-$ROOT/.venv}
WORK=${WORK:-$ROOT/.tmpbuild}

# Creates $VENV with Python $PYTHON_VERSION if needed, installs the development
# requirements when they changed, and puts the venv first on PATH.
setup_venv() {
  local python stamp
  python=$(command -v "python$PYTHON_VERSION" || command -v python3)
  if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating the virtual environment $VENV"
    "$python" -m venv "$VENV" || return 1
  fi
  stamp="$VENV/.requirements-$(cat "$ROOT/requirements-dev.txt" "$ROOT/requirements.txt" | sha256sum | cut -c1-16)"
  if [ ! -e "$stamp" ]; then
    echo "Installing the development requirements into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip || return 1
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements-dev.txt" || return 1
    rm -f "$VENV"/.requirements-*
    touch "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
  export VIRTUAL_ENV=$VENV
}

# Installing shellcheck makes ansible-test's shellcheck sanity test real instead of skipped.
install_system_packages() {
  command -v shellcheck >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing shellcheck with apt-get"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck) >/dev/null || return 1
  fi
  command -v shellcheck >/dev/null || { echo "shellcheck is needed: install it with your package manager" >&2; return 1; }
}

# Nothing from the caller's shell may send a test to a real account or through a proxy.
clear_stray_environment() {
  local name
  for name in $(env | sed -n 's/^\(CLOUDFLARE_[A-Za-z0-9_]*\)=.*/\1/p'); do
    unset "$name"
  done
  unset HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY http_proxy https_proxy all_proxy no_proxy
  unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS ANSIBLE_CONFIG
}

# ansible-test bootstraps pip in its venvs from a get-pip script it downloads
# from a host we cannot reach. It looks for a cached copy first: this stand-in
# uses the interpreter's own ensurepip, then installs the pip version asked for from PyPI.
# Each ansible-core version asks for its own pip version: prepare_ansible_test VENV
# writes the stand-in for the ansible-test installed in VENV (default: the python on PATH).
# shellcheck disable=SC2120 # the argument is optional
prepare_ansible_test() {
  local python=python pip_version cache
  [ -z "${1:-}" ] || python=$1/bin/python
  pip_version=$("$python" - <<'EOF'
import ansible_test._internal.python_requirements as r, inspect, re
print(re.search(r"pip='([0-9.]+)'", inspect.getsource(r)).group(1))
EOF
)
  cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
  mkdir -p "$(dirname "$cache")"
  cat > "$cache" <<'EOF'
"""Offline stand-in for get-pip.py: ensurepip, then pip installs the requested packages from PyPI."""
import subprocess
import sys

subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'], stdout=subprocess.DEVNULL)
# --no-setuptools and --no-wheel are get-pip's own flags; pip install does not know them.
args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)
EOF
}

# A fresh copy of the collection at .../ansible_collections/zerotrust/cloudflare
# (ansible-test needs that path and does not follow symlinks), in $COLLECTION_COPY.
# The copy keeps .git so that git-ignored files stay out; it leaves out the venv and scratch files.
copy_collection() {
  COLLECTION_COPY="$WORK/collections/ansible_collections/zerotrust/cloudflare"
  rm -rf "$COLLECTION_COPY"
  mkdir -p "$COLLECTION_COPY"
  (cd "$ROOT" && tar -cf - --exclude=./.venv --exclude='./.venv-*' --exclude=./.tmpbuild --exclude=./.ansible \
    --exclude=./tests/output --exclude=__pycache__ .) | (cd "$COLLECTION_COPY" && tar -xf -)
}

# build_collection DIR: builds the collection tarball into DIR and prints its path.
build_collection() {
  local tarballs
  ansible-galaxy collection build --force --output-path "$1" "$ROOT" >/dev/null
  tarballs=("$1"/zerotrust-cloudflare-*.tar.gz)
  if [ "${#tarballs[@]}" -ne 1 ] || [ ! -f "${tarballs[0]}" ]; then
    echo "expected one tarball, found: ${tarballs[*]}" >&2
    return 1
  fi
  echo "${tarballs[0]}"
}
