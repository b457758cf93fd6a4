# shellcheck shell=bash
# Shared by scripts/test.sh and scripts/demo.sh: the virtual environment .venv
# with nox and antsibull-nox, made on first use from the dependencies that
# noxfile.py declares (its "# dependencies = [...]" line).

bootstrap_nox() {
  local python dependencies
  if .venv/bin/python -c 'import antsibull_nox, nox' 2>/dev/null; then
    return 0
  fi
  python=$(command -v python3.11 || command -v python3) || { echo "Python 3.11 is needed" >&2; return 1; }
  read -ra dependencies < <(sed -n 's/^# dependencies = \[\(.*\)\]$/\1/p' noxfile.py | tr -d '",')
  echo "Creating .venv with ${dependencies[*]}"
  "$python" -m venv .venv &&
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "${dependencies[@]}"
}
