#!/usr/bin/env bash
# Where MooseNG's time goes, per group of fsbench metrics: JFR recordings of every daemon
# (master, chunk servers, mount) taken while one group runs on the FUSE mount, and a summary.
#
#   bench/profile.sh [--out DIR] [--groups "seq par fio meta small tree"]
#
# 1. Starts a fresh `mooseng up` cluster (1 master, 3 chunk servers, 2 copies, FUSE mount) and
#    warms it up with one fsbench run at the measured sizes whose figures are dropped, as
#    compare.sh does.
# 2. For each group: starts a JFR recording (settings=profile, plus CPU-time sampling) in every
#    daemon with jcmd, runs fsbench.sh with that group only (REPS=1, fsbench's default sizes
#    unless set), dumps the recordings to OUT/GROUP/ROLE.jfr and writes OUT/GROUP/summary.txt:
#    the group's metrics, the wall time, the CPU seconds of each daemon in it (from /proc),
#    each daemon's hottest methods by CPU time (`jfr view cpu-time-hot-methods`) and by
#    execution samples (`jfr view hot-methods`), and its busiest threads (`thread-cpu-load`).
# 3. Prints every group's summary (also in OUT/summary.txt). Tears the cluster down on exit,
#    also after a failure or Ctrl-C.
#
# The recordings cost some CPU themselves: take figures from compare.sh, and the reasons from
# here. Needs root (fsbench drops the page cache), cc and fio. Env: BENCH_DIR (work dir, default
# a new one under /tmp), BASE_PORT (default 34419), MFS_BENCH_DIR (the shared bench scripts,
# default ../shared/bench next to the repository), MOOSENG_NO_BUILD=1, fsbench.sh's knobs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mooseng=$root/bin/mooseng

usage() { echo "usage: $0 [--out DIR] [--groups \"seq par fio meta small tree\"]" >&2; exit 2; }
die() { echo "profile: $*" >&2; exit 1; }

out= groups="seq par fio meta small tree"
while [[ $# -gt 0 ]]; do
    case $1 in
        --out) [[ -n ${2:-} ]] || usage; out=$2; shift 2 ;;
        --groups) [[ -n ${2:-} ]] || usage; groups=$2; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) usage ;;
    esac
done
all_groups="seq par fio meta small tree"
for g in $groups; do [[ " $all_groups " == *" $g "* ]] || die "unknown group '$g' (groups: $all_groups)"; done

shared=${MFS_BENCH_DIR:-$root/../shared/bench}
[[ -x $shared/fsbench.sh ]] || die "no fsbench.sh in $shared (set MFS_BENCH_DIR)"
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
jcmd=$java_home/bin/jcmd jfr=$java_home/bin/jfr
[[ -x $jcmd && -x $jfr ]] || die "no jcmd/jfr in $java_home (set JAVA_HOME to a JDK 25)"
[[ $(id -u) == 0 ]] || die "run as root (fsbench drops the page cache)"
work=${BENCH_DIR:-$(mktemp -d /tmp/mooseng-profile.XXXXXX)}
out=${out:-$work/out}
mkdir -p "$out"
cluster=$work/cluster ng_mnt=$work/cluster/mnt
base_port=${BASE_PORT:-34419}
ticks=$(getconf CLK_TCK)

pids=() roles=()
# shellcheck source=steps.sh
source "$root/bench/steps.sh"
cleanup() {
    trap '' INT TERM HUP
    stop_step
    "$mooseng" down --dir "$cluster" >"$out/mooseng-down.log" 2>&1 || true
    if mountpoint -q "$ng_mnt" 2>/dev/null; then fusermount3 -u -z "$ng_mnt" 2>/dev/null || true; fi
    kill_leftovers "${pids[*]}" "$cluster/"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# CPU seconds (user + system) a process has used so far.
cpu_seconds() { awk -v t="$ticks" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$1/stat"; }

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null) ]]; then commit+=" (modified)"; fi
header="$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), Linux $(uname -r), commit $commit"
echo "# $header; results in $out"
echo "# $header" >"$out/summary.txt"

"$mooseng" version >/dev/null || die "bin/mooseng does not run (see above)"
echo "## starting MooseNG in $cluster (mooseng up, base port $base_port)"
"$mooseng" up --dir "$cluster" --base-port "$base_port" >"$out/mooseng-up.log" 2>&1 \
    || { cat "$out/mooseng-up.log" >&2; die "mooseng up failed"; }
mountpoint -q "$ng_mnt" || die "MooseNG is not mounted at $ng_mnt (see $out/mooseng-up.log)"
for f in "$cluster"/run/*.pid; do
    p=$(tr -dc '0-9' <"$f")
    [[ -n $p && -d /proc/$p ]] || die "$f names no running process"
    pids+=("$p") roles+=("$(basename "$f" .pid)")
done
[[ ${#pids[@]} -ge 5 ]] || die "expected a master, 3 chunk servers and a mount in $cluster/run"

echo "## warming up (one fsbench run, not measured)"
REPS=1 run_step "$shared/fsbench.sh" "$ng_mnt" warmup >"$out/warmup.out" 2>&1 || true

for g in $groups; do
    dir=$out/$g
    mkdir -p "$dir"
    skip=$(for x in $all_groups; do [[ $x == "$g" ]] || printf '%s ' "$x"; done)
    echo "## $g: recording every daemon while fsbench runs the group"
    declare -A before=()
    for i in "${!pids[@]}"; do
        "$jcmd" "${pids[$i]}" JFR.start name=profile settings=profile "jdk.CPUTimeSample#enabled=true" \
            "jdk.CPUTimeSample#throttle=10ms" >"$dir/${roles[$i]}.jcmd.log" 2>&1 \
            || die "${roles[$i]}: JFR.start failed (see $dir/${roles[$i]}.jcmd.log)"
        before[$i]=$(cpu_seconds "${pids[$i]}")
    done
    t0=$(date +%s.%N)
    REPS=1 SKIP="$skip" run_step "$shared/fsbench.sh" "$ng_mnt" mooseng >"$dir/fsbench.out" 2>&1 \
        || echo "## $g: fsbench failed (see $dir/fsbench.out)"
    t1=$(date +%s.%N)
    {
        echo "== $g: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s wall"
        awk -F'\t' '$1 == "TSV" { printf "   %-14s %12s %s\n", $3, $4, $5 }' "$dir/fsbench.out"
        echo "   CPU seconds per daemon (of the wall time above; the machine has $(nproc) cores):"
        for i in "${!pids[@]}"; do
            printf '   %-14s %7.2f\n' "${roles[$i]}" \
                "$(awk -v a="${before[$i]}" -v b="$(cpu_seconds "${pids[$i]}")" 'BEGIN { print b - a }')"
        done
    } >"$dir/summary.txt"
    for i in "${!pids[@]}"; do
        f=$dir/${roles[$i]}.jfr
        "$jcmd" "${pids[$i]}" JFR.dump name=profile filename="$f" >>"$dir/${roles[$i]}.jcmd.log" 2>&1 \
            && "$jcmd" "${pids[$i]}" JFR.stop name=profile >>"$dir/${roles[$i]}.jcmd.log" 2>&1 \
            || die "${roles[$i]}: JFR.dump failed (see $dir/${roles[$i]}.jcmd.log)"
        {
            echo
            echo "-- ${roles[$i]}: hottest methods by CPU time"
            "$jfr" view --width 150 cpu-time-hot-methods "$f" 2>&1 | sed -n '4,18p'
            echo "-- ${roles[$i]}: hottest methods by execution samples"
            "$jfr" view --width 150 hot-methods "$f" 2>&1 | sed -n '4,18p'
            echo "-- ${roles[$i]}: busiest threads (share of the whole machine's CPU)"
            "$jfr" view --width 150 thread-cpu-load "$f" 2>&1 | sed -n '4,14p'
        } >>"$dir/summary.txt"
    done
    unset before
    cat "$dir/summary.txt" | tee -a "$out/summary.txt" | sed -n '1,/CPU seconds/p;/^   [a-z]*-[0-9]/p'
    echo >>"$out/summary.txt"
done
echo "## done: $out/summary.txt (recordings in $out/GROUP/ROLE.jfr)"
