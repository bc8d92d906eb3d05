#!/usr/bin/env bash
# MooseNG POSIX conformance suite runner.
#
#   posix/run.sh [--keep] [--only CASE...] REFERENCE_DIR TARGET_DIR
#   posix/run.sh --list
#
# Compiles the cases, runs each one (as root) in a fresh subdirectory of REFERENCE_DIR and
# of TARGET_DIR, and compares the two transcripts. Exit 0 with "N passed, 0 failed" when
# every transcript matches, 1 listing every case that differs, 2 on bad usage or a build
# failure. Transcripts are kept in posix/build/results/ for inspection.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$here/build"
binary="$build/posix-suite"
case_timeout_seconds="${POSIX_CASE_TIMEOUT_SECONDS:-120}"

usage() {
    cat >&2 <<'USAGE'
usage: posix/run.sh [--keep] [--only CASE...] REFERENCE_DIR TARGET_DIR
       posix/run.sh --list
  --only CASE...  run only the named cases (names as printed by --list; may also be
                  given after the two directories)
  --keep          keep the per-run subdirectories instead of removing them
USAGE
    exit 2
}

compile() {
    mkdir -p "$build"
    if [[ ! -x "$binary" || -n "$(find "$here/src" -newer "$binary" -print -quit)" ]]; then
        gcc -O2 -Wall -Werror -std=gnu11 -o "$binary.tmp" "$here"/src/*.c || {
            echo "posix/run.sh: compilation failed" >&2
            exit 2
        }
        mv "$binary.tmp" "$binary"
    fi
}

list_only=0
keep=0
only=()
directories=()
collecting_cases=0
for argument in "$@"; do
    case "$argument" in
        --list) list_only=1 ;;
        --keep) keep=1; collecting_cases=0 ;;
        --only) collecting_cases=1 ;;
        -h|--help) usage ;;
        --*) echo "posix/run.sh: unknown option $argument" >&2; usage ;;
        *)
            # After --only, names that are not existing directories are case names.
            if [[ $collecting_cases == 1 && ! -d "$argument" ]]; then
                IFS=',' read -r -a names <<<"$argument"
                only+=("${names[@]}")
            else
                directories+=("$argument")
            fi
            ;;
    esac
done

compile
if [[ $list_only == 1 ]]; then
    "$binary" --list
    exit 0
fi
[[ ${#directories[@]} == 2 ]] || usage
if [[ $(id -u) != 0 ]]; then
    echo "posix/run.sh: must run as root (permission cases switch to unprivileged users)" >&2
    exit 2
fi

mapfile -t all_cases < <("$binary" --names)
if [[ ${#only[@]} -gt 0 ]]; then
    for name in "${only[@]}"; do
        if ! printf '%s\n' "${all_cases[@]}" | grep -qxF -- "$name"; then
            echo "posix/run.sh: unknown case $name (see --list)" >&2
            exit 2
        fi
    done
    selected=("${only[@]}")
else
    selected=("${all_cases[@]}")
fi

run_id="posix-run.$(date +%Y%m%d-%H%M%S).$$"
results="$build/results/$run_id"
mkdir -p "$results/reference" "$results/target"
roots=()
for side in 0 1; do
    directory="${directories[$side]}"
    [[ -d "$directory" ]] || { echo "posix/run.sh: not a directory: $directory" >&2; exit 2; }
    root="$(cd "$directory" && pwd)/$run_id"
    mkdir -m 0755 "$root"
    roots+=("$root")
done

cleanup() {
    if [[ $keep == 0 ]]; then
        for root in "${roots[@]}"; do
            rm -rf -- "$root" || echo "posix/run.sh: could not remove $root" >&2
        done
    fi
}
trap cleanup EXIT

run_case() {   # run_case NAME ROOT TRANSCRIPT
    local directory="$2/$1"
    if ! mkdir -m 0755 "$directory" 2>"$3"; then
        echo "runner: cannot create the case directory" >>"$3"
        return
    fi
    local status=0
    timeout --kill-after=5 "$case_timeout_seconds" "$binary" run "$1" "$directory" >"$3" 2>&1 || status=$?
    if [[ $keep == 0 ]]; then
        rm -rf -- "$directory" || echo "runner: cannot remove the case directory" >>"$3"
    fi
    if [[ $status == 124 || $status == 137 ]]; then
        echo "runner: timed out after ${case_timeout_seconds} s (status $status)" >>"$3"
    elif [[ $status != 0 ]]; then
        echo "runner: exit status $status" >>"$3"
    fi
}

passed=0
failed=()
for name in "${selected[@]}"; do
    run_case "$name" "${roots[0]}" "$results/reference/$name.txt"
    run_case "$name" "${roots[1]}" "$results/target/$name.txt"
    # A reference transcript that did not finish or could not set up would make any
    # target look conformant, so it fails the case too.
    if ! tail -n 1 "$results/reference/$name.txt" | grep -qx 'end of case' ||
        grep -qE '^(SETUP FAILED|child exited|child killed|peer went away)' "$results/reference/$name.txt"; then
        failed+=("$name")
        echo "FAIL  $name (the reference run itself did not complete; see $results/reference/$name.txt)"
        grep -E '^(SETUP FAILED|child|peer|runner)' "$results/reference/$name.txt" | head -n 5 | sed 's/^/      /' || true
    elif cmp -s "$results/reference/$name.txt" "$results/target/$name.txt"; then
        passed=$((passed + 1))
        echo "ok    $name"
    else
        failed+=("$name")
        echo "FAIL  $name"
        diff -u --label "reference/$name" --label "target/$name" \
            "$results/reference/$name.txt" "$results/target/$name.txt" | head -n 60 | sed 's/^/      /' || true
    fi
done

echo "transcripts: $results"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "failed cases: ${failed[*]}"
    echo "$passed passed, ${#failed[@]} failed"
    exit 1
fi
echo "$passed passed, 0 failed"
