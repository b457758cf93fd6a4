# shellcheck shell=bash
# Shared by scripts/test.sh and scripts/demo.sh: the virtual environment .venv with nox and antsibull-nox, made on
# first use from the dependencies that noxfile.py declares (its "# dependencies = [...]" line) at the versions that
# tests/constraints/nox.txt pins, and made again whenever those change.

bootstrap_nox() {
  local python dependencies stamp log
  stamp=$({ grep '^# dependencies = ' noxfile.py; cat tests/constraints/nox.txt; } | sha256sum)
  if [ "$(cat .venv/pinned 2>/dev/null)" = "$stamp" ] && .venv/bin/python -c 'import antsibull_nox, nox' 2>/dev/null; then
    return 0
  fi
  python=$(command -v python3.11 || command -v python3) || { echo "Python 3.11 is needed" >&2; return 1; }
  read -ra dependencies < <(sed -n 's/^# dependencies = \[\(.*\)\]$/\1/p' noxfile.py | tr -d '",')
  echo "Creating .venv with ${dependencies[*]} (pinned in tests/constraints/nox.txt)"
  rm -rf .venv
  # pip's own output goes to a log, shown if the install fails.
  log=$(mktemp)
  if ! { "$python" -m venv .venv &&
    .venv/bin/python -m pip install --disable-pip-version-check -c tests/constraints/nox.txt "${dependencies[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  mv "$log" .venv/install.log
  echo "$stamp" >.venv/pinned
}
