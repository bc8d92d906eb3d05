#!/usr/bin/env bash
# Failover benchmark: how long a client that keeps retrying waits when the
# leader of a group of three masters is killed with SIGKILL under load, and what a group of
# three costs in metadata operations per second against a single master.
#
#   bench/failover-bench.sh [--kills N] [--writers N] [--ops N] [--threads N]
#
# 1. `up --masters 3 --no-mount` in a fresh directory; `bench meta` (create, stat, rename and
#    unlink of --ops empty files with --threads threads); `bench failover --kills N`: N times,
#    wait until one master leads and all have applied the same index, run --writers writers
#    (create/mkdir/rename, each with its own client) for a second, kill -9 the leader, time
#    from the kill to the first mutation acknowledged after the old leader is gone, start the
#    killed master again; at the end look up every acknowledged name. Then `down`.
# 2. `up --masters 1 --no-mount` in another fresh directory; `bench meta`; `down`.
# 3. Prints the ratio of metadata ops/s with three masters to one.
# Clusters are always torn down (trap), also after a failure.
#
# Runtime on 2 vCPUs: about 5 minutes with the default 20 kills and 10,000 files per meta
# phase, about 3 minutes with --kills 5. A kill round takes 6-9 s: 1 s of load, 1-3 s of
# failover, then restarting the killed master's JVM and waiting for it to catch up; the two
# meta runs take about 45 s (three masters) and 25 s (one).
#
# A benchmark, not a test: figures vary with the machine's load; compare figures taken in one
# run. Exit code 1 when a mutation failed or an acknowledged change was missing.
# Env: BENCH_DIR (work dir, default a new one under /tmp), BASE_PORT (default 31419; the
# single master uses BASE_PORT+40).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_DIR:-$(mktemp -d /tmp/mooseng-failover-bench.XXXXXX)}
base_port=${BASE_PORT:-31419}
kills=20 writers=4 ops=10000 threads=4
while [[ $# -gt 0 ]]; do
    case $1 in
        --kills) kills=$2; shift 2 ;;
        --writers) writers=$2; shift 2 ;;
        --ops) ops=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        *) echo "usage: $0 [--kills N] [--writers N] [--ops N] [--threads N]" >&2; exit 2 ;;
    esac
done

group=$work/three-masters
single=$work/one-master
mooseng=$root/bin/mooseng
cleanup() {
    "$mooseng" down --dir "$group" >/dev/null 2>&1 || true
    "$mooseng" down --dir "$single" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The ops/s of the "total" line of bench meta.
total_ops() { awk '$1 == "total" { print $(NF - 1) }'; }

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
start=$(date +%s)

echo "## three masters: metadata operations"
"$mooseng" up --dir "$group" --base-port "$base_port" --masters 3 --no-mount >/dev/null
meta3=$("$mooseng" bench meta --dir "$group" --ops "$ops" --threads "$threads")
echo "$meta3"
echo "## three masters: failover, $kills leader kills, $writers writers"
failover_status=0
"$mooseng" bench failover --dir "$group" --kills "$kills" --writers "$writers" || failover_status=$?
"$mooseng" down --dir "$group" >/dev/null

echo "## one master: metadata operations"
"$mooseng" up --dir "$single" --base-port $((base_port + 40)) --masters 1 --no-mount >/dev/null
meta1=$("$mooseng" bench meta --dir "$single" --ops "$ops" --threads "$threads")
echo "$meta1"
"$mooseng" down --dir "$single" >/dev/null

ops3=$(total_ops <<<"$meta3")
ops1=$(total_ops <<<"$meta1")
awk -v a="$ops3" -v b="$ops1" 'BEGIN { printf "## metadata ops/s, three masters / one: %.0f / %.0f = %.2f\n", a, b, a / b }'
echo "# took $(( $(date +%s) - start )) s"
exit "$failover_status"
