#!/usr/bin/env bash
# Java-client benchmark against a fresh `mooseng up` cluster, with the same workload run on
# a MooseFS mount in the same run for reference (when ../shared/bench/mfs-bench-cluster.sh
# and the moosefs packages are available, or MFS_MNT points at a mounted MooseFS).
#
#   bench/client-bench.sh [--size-mib N] [--files N] [--file-bytes N]
#
# Prints MB/s and files/s. A benchmark, not a test: numbers vary with the machine's load,
# so compare figures taken in one run only. Env: BENCH_DIR (work dir, default a new one
# under /tmp), BASE_PORT (default 29419), PASSES (default 2), MFS=0 to skip MooseFS.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_DIR:-$(mktemp -d /tmp/mooseng-bench.XXXXXX)}
base_port=${BASE_PORT:-29419}
passes=${PASSES:-2}
size_mib=1024 files=10000 file_bytes=0
args=("$@")
while [[ $# -gt 0 ]]; do
    case $1 in
        --size-mib) size_mib=$2; shift 2 ;;
        --files) files=$2; shift 2 ;;
        --file-bytes) file_bytes=$2; shift 2 ;;
        *) shift ;;
    esac
done

cluster=$work/cluster
mfs_script=$root/../shared/bench/mfs-bench-cluster.sh
mfs_started=0
cleanup() {
    "$root/bin/mooseng" down --dir "$cluster" >/dev/null 2>&1 || true
    if [[ $mfs_started == 1 ]]; then "$mfs_script" down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
"$root/bin/mooseng" up --dir "$cluster" --base-port "$base_port" >/dev/null
for pass in $(seq "$passes"); do
    echo "## MooseNG, Java client, pass $pass"
    "$root/bin/mooseng" bench client --dir "$cluster" "${args[@]}"
done

mfs_mnt=${MFS_MNT:-}
if [[ ${MFS:-1} == 1 && -z $mfs_mnt && -x $mfs_script ]] && command -v mfsmaster >/dev/null 2>&1; then
    "$mfs_script" up >/dev/null && mfs_started=1 && mfs_mnt=/tmp/mfsbench/mnt
fi
if [[ -n $mfs_mnt ]]; then
    for pass in $(seq "$passes"); do
        echo "## MooseFS, FUSE mount $mfs_mnt, pass $pass"
        d=$mfs_mnt/bench-$$-$pass
        mkdir -p "$d/small"
        t0=$(date +%s.%N)
        dd if=/dev/zero of="$d/large" bs=4M count=$((size_mib / 4)) conv=fsync status=none
        t1=$(date +%s.%N)
        echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
        dd if="$d/large" of=/dev/null bs=4M status=none
        t2=$(date +%s.%N)
        (cd "$d/small" && seq 0 $((files - 1)) | sed 's/^/f/' | xargs touch)
        t3=$(date +%s.%N)
        awk -v s="$size_mib" -v f="$files" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {
            printf "seq write %d MiB: %.1f MB/s\n", s, s*1.048576/(b-a);
            printf "seq read  %d MiB: %.1f MB/s\n", s, s*1.048576/(c-b);
            printf "create %d files of 0 bytes: %.0f files/s\n", f, f/(d-c) }'
        rm -rf "$d"
    done
else
    echo "## MooseFS: not measured (install moosefs-master moosefs-chunkserver moosefs-client, or set MFS_MNT)"
fi
