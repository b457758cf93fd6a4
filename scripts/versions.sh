#!/usr/bin/env bash
# Runs the collection's tests on other ansible-core versions than the one in the
# project's venv (2.19), each in its own virtual environment $WORK/venv-VERSION:
#
#   unit tests (pytest, tests/unit/requirements.txt)   every version
#   ansible-test integration against the emulator       every version: the targets in INTEGRATION_TARGETS
#                                                       (default cloudflare_dlp_email_mapping) that exist;
#                                                       every target runs on 2.19 in scripts/checks/50-integration.sh
#   ansible-test sanity, no ignore file                 the versions in SANITY_VERSIONS (default 2.16 2.18)
#
# ansible-core up to 2.19 runs on Python $PYTHON_VERSION. 2.20 and later need
# Python 3.12 or later: the first that works of python3.12, python3.13, python3.14
# on PATH, then the same versions installed by pyenv (or NEWER_PYTHON if set).
# Without one, those versions are skipped with a message; a skip is not a pass.
#
#   scripts/versions.sh [VERSION...]   default: 2.16 2.17 2.18 2.20 2.21
#
# Two workers (one per core) share a queue of jobs: the unit and integration tests
# of each version, and sanity of each version, one at a time (two ansible-test
# sanity runs would share venvs in ~/.ansible/test). Each job has its own
# collection copy. Logs go to $WORK/versions/logs. Ends with one line per version and
# "versions: N passed, M failed, K skipped" (counting steps); exits non-zero if any
# step failed.
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

DEFAULT_VERSIONS="2.16 2.17 2.18 2.20 2.21"
SANITY_VERSIONS=${SANITY_VERSIONS:-2.16 2.18}
INTEGRATION_TARGETS=${INTEGRATION_TARGETS:-cloudflare_dlp_email_mapping}
LOGS="$WORK/versions/logs"

# The first working Python 3.12 or later, or nothing.
newer_python() {
  local minor candidate prefix root
  if [ -n "${NEWER_PYTHON:-}" ]; then
    echo "$NEWER_PYTHON"
    return 0
  fi
  for minor in 12 13 14; do
    candidate=$(command -v "python3.$minor" || true)
    # pyenv's shims exist for every installed version but fail unless it is selected.
    if [ -n "$candidate" ] && "$candidate" -c 'import ensurepip, ssl, venv' >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
    if command -v pyenv >/dev/null && root=$(pyenv root 2>/dev/null); then
      for prefix in "$root"/versions/3."$minor".*; do
        candidate=$prefix/bin/python3.$minor
        if [ -x "$candidate" ] && "$candidate" -c 'import ensurepip, ssl, venv' >/dev/null 2>&1; then
          echo "$candidate"
          return 0
        fi
      done
    fi
  done
  return 1
}

# make_venv VERSION PYTHON: $WORK/venv-VERSION with ansible-core VERSION.* and the
# unit tests' requirements, reinstalled only when the requirements change. Both
# lanes may ask for the same venv: the first builds it, the other waits.
make_venv() {
  local version=$1 python=$2 venv="$WORK/venv-$1" stamp
  stamp="$venv/.requirements-$( (echo "$version $python"; cat "$ROOT/tests/unit/requirements.txt") | sha256sum | cut -c1-16)"
  (
    flock 9
    [ -e "$stamp" ] && exit 0
    rm -rf "$venv"
    "$python" -m venv "$venv" &&
      "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile "ansible-core==$version.*" pytest \
        -r "$ROOT/tests/unit/requirements.txt" &&
      touch "$stamp"
  ) 9>"$WORK/versions/venv-$version.lock" >>"$LOGS/$version-venv.log" 2>&1
}

# step VERSION NAME COMMAND...: runs COMMAND with the version's venv first on PATH,
# its output in $LOGS/VERSION-NAME.log, its result in $LOGS/VERSION-NAME.result;
# on failure prints the end of the log.
step() {
  local version=$1 name=$2 log="$LOGS/$1-$2.log" started=$SECONDS status=0 count
  shift 2
  (PATH="$WORK/venv-$version/bin:$PATH" VIRTUAL_ENV="$WORK/venv-$version" "$@") >"$log" 2>&1 || status=$?
  if [ "$status" -eq 0 ]; then
    count=$(grep -Eo '[0-9]+ passed' "$log" | tail -n 1)
    echo "passed ($((SECONDS - started)) s)${count:+ [$count]}" >"$LOGS/$version-$name.result"
  else
    echo "FAILED ($((SECONDS - started)) s)" >"$LOGS/$version-$name.result"
    echo "--- ansible-core $version: $name failed, from $log:"
    grep -E '^(ERROR|FATAL|FAILED|E  )|failed=[1-9]' "$log" | head -n 40
    tail -n 15 "$log"
  fi
}

units() {
  cd "$1" && python -m pytest -q -p no:cacheprovider tests/unit
}

integration() {
  PYTHON_VERSION=$2 COLLECTION_COPY=$1 bash "$ROOT/scripts/integration.sh" "${targets[@]}"
}

sanity() {
  cd "$1" || return 1
  if ls tests/sanity/ignore-*.txt 2>/dev/null; then
    echo "ERROR: sanity must pass without an ignore file"
    return 1
  fi
  prepare_ansible_test "$VIRTUAL_ENV"
  ansible-test sanity --python "$2" --color no
}

# A copy of the collection where ansible-test wants it, for one job.
lane_copy() {
  WORK="$WORK/versions/$1" copy_collection
  echo "$COLLECTION_COPY"
}

python_of() {
  "$WORK/venv-$1/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

# tests_job VERSION: the venv, unit tests and integration of one version.
tests_job() {
  local version=$1 copy
  make_venv "$version" "${base_python[$version]}" || { echo "FAILED (install)" >"$LOGS/$version-venv.result"; return; }
  copy=$(lane_copy "tests-$version")
  step "$version" units units "$copy"
  [ "${#targets[@]}" -eq 0 ] || step "$version" integration integration "$copy" "$(python_of "$version")"
}

# sanity_job VERSION: the venv and sanity of one version, never two at once
# (two ansible-test sanity runs would share venvs in ~/.ansible/test).
sanity_job() {
  local version=$1 copy
  make_venv "$version" "${base_python[$version]}" || { echo "FAILED (install)" >"$LOGS/$version-venv.result"; return; }
  copy=$(lane_copy "sanity-$version")
  (
    flock 9
    step "$version" sanity sanity "$copy" "$(python_of "$version")"
  ) 9>"$WORK/versions/sanity.lock"
}

# Prints the next job of the queue and takes it off; fails when none is left.
next_job() {
  (
    flock 9
    index=$(cat "$WORK/versions/queue.next")
    [ "$index" -lt "${#jobs[@]}" ] || exit 1
    echo $((index + 1)) >"$WORK/versions/queue.next"
    echo "${jobs[$index]}"
  ) 9>"$WORK/versions/queue.lock"
}

# worker: runs the jobs of the queue until none is left.
worker() {
  local job
  while job=$(next_job); do
    echo "$(date +%T) start $job"
    "${job% *}_job" "${job#* }"
    echo "$(date +%T) end $job"
  done
}

# Moves the next version of main's "ordered" to the job queue as a tests job.
take_tests_job() {
  [ "${#ordered[@]}" -gt 0 ] || return 0
  jobs+=("tests ${ordered[0]}")
  ordered=("${ordered[@]:1}")
}

main() {
  local versions=() version newer="" started=$SECONDS target with_sanity=() without=() ordered=() passed=0 failed=0 skipped=0
  local summary=() row name result
  versions=("$@")
  [ "${#versions[@]}" -gt 0 ] || read -ra versions <<<"$DEFAULT_VERSIONS"
  rm -rf "$LOGS"
  mkdir -p "$LOGS"
  clear_stray_environment
  targets=()
  for target in $INTEGRATION_TARGETS; do
    [ ! -d "$ROOT/tests/integration/targets/$target" ] || targets+=("$target")
  done

  newer=$(newer_python) || newer=""
  declare -gA base_python=()
  for version in "${versions[@]}"; do
    if [ "$(printf '%s\n' "$version" 2.19 | sort -V | tail -n 1)" = 2.19 ]; then
      base_python[$version]=$(command -v "python$PYTHON_VERSION")
    elif [ -n "$newer" ]; then
      base_python[$version]=$newer
    fi
    [ -n "${base_python[$version]:-}" ] || continue
    if [[ " $SANITY_VERSIONS " == *" $version "* ]]; then
      with_sanity+=("$version")
    else
      without+=("$version")
    fi
  done
  ordered=("${with_sanity[@]}" "${without[@]}")
  echo "matrix: ${ordered[*]}; sanity on ${with_sanity[*]:-none}; integration targets ${targets[*]:-none}"

  # Two workers (one per core) share a queue of jobs; each sanity job is followed by
  # two test jobs, so that the sanity runs (one at a time) rarely wait for each other.
  jobs=()
  while [ "${#with_sanity[@]}" -gt 0 ] || [ "${#ordered[@]}" -gt 0 ]; do
    if [ "${#with_sanity[@]}" -gt 0 ]; then
      jobs+=("sanity ${with_sanity[0]}")
      with_sanity=("${with_sanity[@]:1}")
    fi
    take_tests_job
    take_tests_job
  done
  echo 0 >"$WORK/versions/queue.next"
  worker >"$LOGS/worker-1.out" 2>&1 &
  local first=$!
  worker >"$LOGS/worker-2.out" 2>&1 &
  local second=$!
  wait "$first" "$second"
  cat "$LOGS/worker-1.out" "$LOGS/worker-2.out"

  for version in "${versions[@]}"; do
    if [ -z "${base_python[$version]:-}" ]; then
      skipped=$((skipped + 1))
      summary+=("ansible-core $version: SKIPPED, it needs Python 3.12 or later and none was found (python3.12-3.14 on PATH or from pyenv, or NEWER_PYTHON)")
      continue
    fi
    if [ -e "$LOGS/$version-venv.result" ]; then
      failed=$((failed + 1))
      summary+=("ansible-core $version: FAILED to install (see $LOGS/$version-venv.log)")
      continue
    fi
    row="ansible-core $("$WORK/venv-$version/bin/python" -c 'import ansible; print(ansible.__version__)') on Python $(python_of "$version"):"
    for name in units integration sanity; do
      result="$LOGS/$version-$name.result"
      [ -e "$result" ] || continue
      row+=" $name $(cat "$result");"
      if grep -q '^passed' "$result"; then
        passed=$((passed + 1))
      else
        failed=$((failed + 1))
      fi
    done
    summary+=("$row")
  done

  echo
  printf '%s\n' "${summary[@]}"
  [ "${#targets[@]}" -gt 0 ] || echo "(none of the integration targets $INTEGRATION_TARGETS exists yet: integration not run)"
  echo "versions matrix took $((SECONDS - started)) s"
  echo "versions: $passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

main "$@"
