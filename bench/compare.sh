#!/usr/bin/env bash
# MooseNG against MooseFS through FUSE, side by side, in one command: the table the project
# reports in docs/BENCHMARKS.md.
#
#   bench/compare.sh [--passes N] [--reps N] [--out DIR] [--quick]
#
# 1. Starts a fresh `mooseng up` cluster (1 master, 3 chunk servers, 2 copies, FUSE mount at
#    DIR/mnt) and the MooseFS 3.0 cluster of mfs-bench-cluster.sh (master, 3 chunk servers,
#    goal 2, mounted at /tmp/mfsbench/mnt), and writes 64 MiB to each mount once (MooseFS's
#    cluster script does that for MooseFS: the first write of a fresh cluster is slow), then
#    (except with --quick) warms each up with one fsbench run (REPS=1, the sizes of the
#    measured passes) whose figures are dropped: MooseNG's daemons are JVMs, measured as they
#    run in service, with their hot paths compiled.
# 2. Pass p = 1..N: fscompare.sh (fsbench.sh on both mounts, REPS repetitions of every metric,
#    the order of the two systems reversed on even passes), then the CPU cost of writing
#    with 2 copies, in the same order: cpuacct.sh around `dd bs=4M conv=fsync` of 1 GiB,
#    summing the CPU seconds of every daemon of the system (MooseNG: master, chunk servers,
#    mount; MooseFS: mfsmaster, mfschunkserver, mfsmount) and of dd itself.
# 3. Prints one table: medians over all runs of all passes, MooseNG / MooseFS, the per-pass
#    ratios, and whether the target is met: every metric at least 1.0x MooseFS, and 1.5x for
#    seq_write, seq_read, par4_read, rand_read_4k, meta_stat, meta_create, small_write and
#    small_read; CPU per GiB written at most MooseFS's (its ratio is MooseFS / MooseNG, so
#    that 1.0x or more is the better side here too). The same table as Markdown goes to
#    OUT/table.md.
# Both clusters are torn down on exit, also after a failure or Ctrl-C.
#
# --quick: one pass, one repetition, smaller sizes (SEQ_MB=256 PAR_MB=64 FIO_MB=64
# FIO_RUNTIME=3 META_N=1000 SMALL_N=200 TREE_DEPTH=2, 256 MiB for the CPU line): a smoke
# run of two or three minutes, not figures to report. The full run (2 passes, REPS=3) takes
# 15 to 20 minutes on 2 vCPUs, most of it in MooseNG's metadata phases, and keeps the machine
# busy: run nothing else meanwhile. `--report-only --out DIR` prints the table of a run again.
#
# Needs root (MooseFS runs in a network namespace; fsbench drops the page cache), cc, fio
# and the MooseFS packages; run as root, the script installs the missing ones with apt-get.
# A benchmark, not a test: compare figures taken in one run only. Exit code 1 when a metric
# could not be measured on one of the systems (the table is still written).
#
# Env: BENCH_DIR (work dir, default a new one under /tmp), BASE_PORT (default 33419),
# MFS_BENCH_DIR (the shared bench scripts, default ../shared/bench next to the repository),
# MOOSENG_NO_BUILD=1 (bin/mooseng builds nothing), CPU_MB (size written for the CPU line),
# and every fsbench.sh knob (SEQ_MB, META_N, FIO_RUNTIME, SKIP, ...), passed through.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mooseng=$root/bin/mooseng

usage() { echo "usage: $0 [--passes N] [--reps N] [--out DIR] [--quick] | --report-only --out DIR" >&2; exit 2; }
die() { echo "compare: $*" >&2; exit 1; }

passes=${PASSES:-2} reps=${REPS:-3} out= quick=0 report_only=0 opt_passes= opt_reps=
while [[ $# -gt 0 ]]; do
    case $1 in
        --passes) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage; opt_passes=$2; shift 2 ;;
        --reps) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage; opt_reps=$2; shift 2 ;;
        --out) [[ -n ${2:-} ]] || usage; out=$2; shift 2 ;;
        --quick) quick=1; shift ;;
        --report-only) report_only=1; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) usage ;;
    esac
done
cpu_mb=${CPU_MB:-1024}
if [[ $quick == 1 ]]; then
    passes=1 reps=1 cpu_mb=${CPU_MB:-256}
    # Smaller sizes unless set by the caller; PAR_N stays 4 so the metric keeps its name par4_*.
    export SEQ_MB=${SEQ_MB:-256} PAR_MB=${PAR_MB:-64} FIO_MB=${FIO_MB:-64} FIO_RUNTIME=${FIO_RUNTIME:-3}
    export META_N=${META_N:-1000} SMALL_N=${SMALL_N:-200} TREE_DEPTH=${TREE_DEPTH:-2}
fi
passes=${opt_passes:-$passes} reps=${opt_reps:-$reps}
export REPS=$reps
par_n=${PAR_N:-4}

# ------------------------------------------------------------------ table ------------------
# Writes OUT/table.txt and OUT/table.md from the fsbench outputs and cpu.tsv in OUT, and the
# metrics not measured on one of the systems to OUT/missing.
write_table() {
    local expected high f p
    expected="seq_write seq_read par${par_n}_write par${par_n}_read rand_read_4k rand_write_4k meta_create meta_stat"
    expected+=" meta_readdir meta_unlink small_write small_read tree_mkdir tree_rmrf"
    high="seq_write seq_read par${par_n}_read rand_read_4k meta_stat meta_create small_write small_read"
    rm -f "$out/missing"
    # Rows "M pass label metric pass_median unit runs" from fsbench, "C pass label cpu_s_per_gib".
    {
        for f in "$out"/*.pass*.out; do
            [[ -e $f ]] || continue
            p=${f##*.pass}; p=${p%.out}
            awk -F'\t' -v p="$p" '$1 == "TSV" { print "M\t" p "\t" $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6 }' "$f"
        done
        if [[ -f $out/cpu.tsv ]]; then awk -F'\t' '{ print "C\t" $1 "\t" $2 "\t" $3 }' "$out/cpu.tsv"; fi
    } | awk -F'\t' -v expected="$expected" -v high="$high" \
            -v text="$out/table.txt" -v md="$out/table.md.rows" -v missing="$out/missing" '
function med(s,   a, n, i, j, t) {
    n = split(s, a, ","); if (n == 0) return "NA"
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function fmt(x) { if (x == "NA" || x == "") return "NA"; if (x >= 100) return sprintf("%.0f", x)
    if (x >= 10) return sprintf("%.1f", x); return sprintf("%.2f", x) }
function add(l, m, v) { all[l, m] = (all[l, m] == "" ? "" : all[l, m] ",") v }
function row(name, unit, ng, mfs, ratio, perpass, target,   met, tgt) {
    met = (ratio == "NA") ? "NA" : (ratio + 0 >= target ? "yes" : "NO")
    tgt = sprintf("%.1fx", target)
    if (met == "yes") ++nmet; ++ntargets
    printf "%-20s %-10s %10s %10s %7s  %-16s %6s  %s\n", name, unit, fmt(ng), fmt(mfs), fmt(ratio), perpass, ">=" tgt, met > text
    printf "| %s | %s | %s | %s | %s | %s | ≥ %s | %s |\n", name, unit, fmt(ng), fmt(mfs), fmt(ratio), perpass, tgt, met > md }
$1 == "M" { p = $2; l = $3; m = $4; unit[m] = $6; n = split($7, r, ","); for (i = 1; i <= n; i++) add(l, m, r[i])
    pm[l, m, p] = $5; if (p + 0 > maxp) maxp = p + 0; if (!(m in known)) { known[m] = 1; seen[++nseen] = m } }
$1 == "C" { p = $2; cpu[$3, p] = $4; add($3, "cpu", $4); if (p + 0 > maxp) maxp = p + 0 }
END {
    nm = split(expected, order, " "); for (i = 1; i <= nm; i++) isexp[order[i]] = 1
    for (i = 1; i <= nseen; i++) if (!(seen[i] in isexp)) order[++nm] = seen[i]
    split(high, h, " "); for (i in h) target15[h[i]] = 1
    printf "%-20s %-10s %10s %10s %7s  %-16s %6s  %s\n", "metric", "unit", "MooseNG", "MooseFS", "NG/FS", "per pass", "target", "met" > text
    print "| metric | unit | MooseNG | MooseFS | MooseNG / MooseFS | per pass | target | met |" > md
    print "|---|---|--:|--:|--:|--:|--:|---|" > md
    for (k = 1; k <= nm; k++) {
        m = order[k]; a = med(all["mooseng", m]); b = med(all["mfs", m])
        if (a == "NA" || b == "NA") print m > missing
        ratio = (a != "NA" && b != "NA" && b > 0) ? a / b : "NA"; pp = ""
        for (p = 1; p <= maxp; p++) { x = pm["mooseng", m, p]; y = pm["mfs", m, p]
            if (x != "" && y != "" && y > 0) pp = pp (pp == "" ? "" : " ") fmt(x / y) }
        row(m, (m in unit) ? unit[m] : "-", a, b, ratio, pp, (m in target15) ? 1.5 : 1.0)
    }
    # CPU seconds per GiB: lower is better, so its ratio is MooseFS / MooseNG.
    a = med(all["mooseng", "cpu"]); b = med(all["mfs", "cpu"])
    if (a == "NA" || b == "NA") print "cpu_write" > missing
    ratio = (a != "NA" && b != "NA" && a > 0) ? b / a : "NA"; pp = ""
    for (p = 1; p <= maxp; p++) { x = cpu["mooseng", p]; y = cpu["mfs", p]
        if (x != "" && y != "" && x > 0) pp = pp (pp == "" ? "" : " ") fmt(y / x) }
    row("cpu_write", "CPU-s/GiB", a, b, ratio, pp, 1.0)
    printf "\ntargets met: %d of %d. Ratios are MooseNG / MooseFS (higher is better), except cpu_write: MooseFS / MooseNG.\n", nmet, ntargets > text
    printf "\nTargets met: %d of %d. Ratios are MooseNG / MooseFS (higher is better), except cpu_write (CPU seconds of every daemon and of `dd` per GiB written with 2 copies; lower is better): MooseFS / MooseNG.\n", nmet, ntargets > md
}'
    {
        echo "### $(sed -n 1p "$out/header.txt")"
        echo
        echo "\`bench/compare.sh\`: $(sed -n 2p "$out/header.txt"). \`mooseng up\` (1 master, 3 chunk servers, 2 copies,"
        echo "FUSE mount) and \`mfs-bench-cluster.sh up\` (3 chunk servers, goal 2); \`fscompare.sh\` with the order of"
        echo "the systems reversed on even passes. Medians over all runs of all passes; per-pass ratios in the"
        echo "per pass column."
        echo
        cat "$out/table.md.rows"
    } >"$out/table.md"
    rm -f "$out/table.md.rows"
}

print_table() {
    echo
    echo "## MooseNG against MooseFS: $(sed -n 2p "$out/header.txt")"
    cat "$out/table.txt"
    echo "# Markdown: $out/table.md; raw outputs: $out"
    if [[ -s $out/missing ]]; then
        echo "compare: not measured on one of the systems: $(tr '\n' ' ' <"$out/missing")(see $out/*.err)" >&2
        return 1
    fi
}

if [[ $report_only == 1 ]]; then
    [[ -n $out && -f $out/header.txt ]] || die "--report-only needs --out DIR of an earlier run (with DIR/header.txt)"
    write_table
    print_table
    exit
fi

shared=$(cd "${MFS_BENCH_DIR:-$root/../shared/bench}" 2>/dev/null && pwd) \
    || die "no shared bench scripts at ${MFS_BENCH_DIR:-$root/../shared/bench} (set MFS_BENCH_DIR)"
for s in fscompare.sh fsbench.sh cpuacct.sh mfs-bench-cluster.sh; do
    [[ -x $shared/$s ]] || die "$shared/$s is missing or not executable"
done
base_port=${BASE_PORT:-33419}
# mfs-bench-cluster.sh keeps everything under BASE (default /tmp/mfsbench) and mounts BASE/mnt.
mfs_base=${BASE:-/tmp/mfsbench}
mfs_mnt=$mfs_base/mnt
mfs_daemons='mfsmaster|mfschunkserver|mfsmount'
# PIDs of every MooseFS daemon on the machine (pgrep one name at a time: it matches at most 15
# characters of a process name).
mfs_pids_now() {
    local d
    for d in mfsmaster mfschunkserver mfsmount; do pgrep -x "$d" || true; done | paste -sd' '
}

# ------------------------------------------------------------------ preconditions ----------
[[ $(id -u) == 0 ]] || die "run as root: MooseFS runs in a private network namespace and fsbench drops the page cache"
if [[ -n ${BENCH_DIR:-} && -e $BENCH_DIR/cluster ]]; then
    die "$BENCH_DIR/cluster already exists: the MooseNG cluster must be fresh (pick another BENCH_DIR)"
fi
out=${out:-${BENCH_DIR:+$BENCH_DIR/results}}
if [[ -n $out && -d $out && -n $(ls -A "$out") ]]; then
    die "$out is not empty: fscompare would mix its old passes in (pick another --out)"
fi
if running=$(pgrep -af 'fsbench\.sh'); then
    die "another fsbench is running; wait until it is done:"$'\n'"$running"
fi
if mountpoint -q "$mfs_mnt" || [[ -n $(mfs_pids_now) ]]; then
    die "a MooseFS cluster is already running (PIDs $(mfs_pids_now)); another benchmark may be using it: wait, or stop it with $shared/mfs-bench-cluster.sh down"
fi
missing=()
for c in mfsmaster:moosefs-master mfschunkserver:moosefs-chunkserver mfsmount:moosefs-client \
         mfscli:moosefs-cli fio:fio; do
    command -v "${c%%:*}" >/dev/null 2>&1 || missing+=("${c##*:}")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "compare: installing ${missing[*]} (MooseFS as the reference, fio for random I/O)" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >&2 \
        || die "could not install ${missing[*]}: apt-get install moosefs-master moosefs-chunkserver moosefs-client moosefs-cli fio"
fi
for c in cc ip nsenter fusermount3; do
    command -v "$c" >/dev/null 2>&1 || die "$c is missing (apt-get install gcc iproute2 util-linux fuse3)"
done
work=${BENCH_DIR:-$(mktemp -d /tmp/mooseng-compare.XXXXXX)}
out=${out:-$work/results}
cluster=$work/cluster
ng_mnt=$cluster/mnt
mkdir -p "$out"

# ------------------------------------------------------------------ teardown ---------------
ng_pids= mfs_pids= mfs_started=0
# shellcheck source=steps.sh
source "$root/bench/steps.sh"
cleanup() {
    trap '' INT TERM HUP
    stop_step
    "$mooseng" down --dir "$cluster" >"$out/mooseng-down.log" 2>&1 || true
    if mountpoint -q "$ng_mnt" 2>/dev/null; then fusermount3 -u -z "$ng_mnt" 2>/dev/null || true; fi
    kill_leftovers "$ng_pids" "$cluster/"
    if [[ $mfs_started == 1 ]]; then
        BASE=$mfs_base "$shared/mfs-bench-cluster.sh" down >"$out/mfs-down.log" 2>&1 || true
        kill_leftovers "$mfs_pids" "^(/usr/s?bin/)?($mfs_daemons) "
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ------------------------------------------------------------------ header -----------------
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null) ]]; then commit+=" (modified)"; fi
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mfs_version=$(mfsmaster -v 2>/dev/null | grep -Eo '[0-9]+\.[0-9]+\.[0-9]+' | head -n1 || true)
header="$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores (${cpu_model:-unknown CPU}), $(free -g | awk '/Mem:/{print $2}') GiB, Linux $(uname -r), commit $commit, MooseFS ${mfs_version:-unknown}"
settings="passes $passes, REPS=$reps, CPU line ${cpu_mb} MiB"
if [[ $quick == 1 ]]; then settings+=", --quick (smaller sizes: a smoke run)"; fi
printf '%s\n%s\n' "$header" "$settings" >"$out/header.txt"
echo "# $header"
echo "# $settings; results in $out; load average $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)

# ------------------------------------------------------------------ clusters ---------------
# bin/mooseng builds the distribution when the sources changed (never with MOOSENG_NO_BUILD=1):
# let it do that here, in view, rather than inside `up` with its output in a log.
"$mooseng" version >/dev/null || die "bin/mooseng does not run (see above)"
echo "## starting MooseNG in $cluster (mooseng up, base port $base_port)"
"$mooseng" up --dir "$cluster" --base-port "$base_port" >"$out/mooseng-up.log" 2>&1 \
    || { cat "$out/mooseng-up.log" >&2; die "mooseng up failed"; }
mountpoint -q "$ng_mnt" || die "MooseNG is not mounted at $ng_mnt (see $out/mooseng-up.log)"
for f in "$cluster"/run/*.pid; do
    p=$(tr -dc '0-9' <"$f")
    [[ -n $p && -d /proc/$p ]] || die "$f names no running process"
    ng_pids+=" $p"
done
ng_pids=${ng_pids# }
# master-1, chunkserver-1..3, mount-1
[[ $(wc -w <<<"$ng_pids") -ge 5 ]] || die "expected a master, 3 chunk servers and a mount in $cluster/run, found PIDs: $ng_pids"
dd if=/dev/zero of="$ng_mnt/.warmup" bs=1M count=64 conv=fsync status=none && rm -f "$ng_mnt/.warmup"

# Daemons run for months: measure them warm. One fsbench run on each mount first (its figures
# are thrown away) compiles the hot paths of the JVMs; MooseFS gets the same for symmetry. It
# runs at the sizes of the measured passes: a smaller one (2,000 files, one directory listing
# of them) left the listing, write and metadata paths still compiling in pass 1, which then
# measured 0.3-0.7 of pass 2 for those metrics.
warm_up() {
    echo "## warming up $2 (one fsbench run, not measured)"
    REPS=1 run_step "$shared/fsbench.sh" "$1" "$2-warmup" >"$out/$2-warmup.out" 2>&1 || true
}
[[ $quick == 1 ]] || warm_up "$ng_mnt" mooseng

echo "## starting MooseFS ($shared/mfs-bench-cluster.sh up)"
mfs_started=1
BASE=$mfs_base "$shared/mfs-bench-cluster.sh" up >"$out/mfs-up.log" 2>&1 \
    || { cat "$out/mfs-up.log" >&2; die "mfs-bench-cluster.sh up failed"; }
mountpoint -q "$mfs_mnt" || die "MooseFS is not mounted at $mfs_mnt (see $out/mfs-up.log)"
mfs_pids=$(mfs_pids_now)
for d in mfsmaster mfschunkserver mfsmount; do
    pgrep -x "$d" >/dev/null || die "no $d process after mfs-bench-cluster.sh up (see $out/mfs-up.log)"
done
[[ $quick == 1 ]] || warm_up "$mfs_mnt" mfs
echo "## MooseNG PIDs: $ng_pids; MooseFS PIDs: $mfs_pids"

# ------------------------------------------------------------------ CPU per GiB ------------
# cpu_per_gib PASS LABEL MOUNT PIDS: one cpuacct.sh run; appends "pass label cpu_s_per_gib" to cpu.tsv.
cpu_per_gib() {
    local pass=$1 label=$2 mnt=$3 pids=$4 report=$out/cpu.$2.pass$1.txt size
    run_step "$shared/cpuacct.sh" "$pids" -- dd if=/dev/zero of="$mnt/cpu.bin" bs=4M count=$((cpu_mb / 4)) conv=fsync >"$report"
    # cpuacct.sh does not pass on the command's exit status: check that dd wrote everything.
    size=$(stat -c %s "$mnt/cpu.bin" 2>/dev/null || echo 0)
    rm -f "$mnt/cpu.bin"
    [[ $size == $((cpu_mb / 4 * 4 * 1048576)) ]] || die "$label: dd wrote $size bytes of $cpu_mb MiB (see $report)"
    # Rows "self" and one per PID: pid cpu_s %wall process.
    awk -v p="$pass" -v l="$label" -v gib="$(awk -v m="$cpu_mb" 'BEGIN { print m / 1024 }')" \
        '$1 == "self" || $1 ~ /^[0-9]+$/ { s += $2 } END { printf "%s\t%s\t%.3f\n", p, l, s / gib }' \
        "$report" >>"$out/cpu.tsv"
    echo "## pass $pass: CPU $label: $(tail -n1 "$out/cpu.tsv" | cut -f3) CPU-s/GiB ($(head -n1 "$report"))"
}

# ------------------------------------------------------------------ passes -----------------
for pass in $(seq "$passes"); do
    first=MooseNG
    if [[ $((pass % 2)) == 0 ]]; then first=MooseFS; fi
    echo "## pass $pass of $passes: fsbench, $first first, $(date -u +%H:%M:%S)"
    # One pass at a time (FIRST_PASS appends to OUT), so the CPU line runs between passes;
    # fscompare reverses the order of the targets on even passes, and so does the CPU line.
    run_step env FIRST_PASS="$pass" PASSES=1 "$shared/fscompare.sh" "$out" "$ng_mnt:mooseng" "$mfs_mnt:mfs" \
        >"$out/fscompare.pass$pass.txt"
    for label in mooseng mfs; do
        grep -q $'^TSV\t' "$out/$label.pass$pass.out" 2>/dev/null \
            || echo "compare: fsbench on $label measured nothing in pass $pass; see $out/$label.pass$pass.err" >&2
    done
    if [[ $((pass % 2)) == 1 ]]; then
        cpu_per_gib "$pass" mooseng "$ng_mnt" "$ng_pids"
        cpu_per_gib "$pass" mfs "$mfs_mnt" "$mfs_pids"
    else
        cpu_per_gib "$pass" mfs "$mfs_mnt" "$mfs_pids"
        cpu_per_gib "$pass" mooseng "$ng_mnt" "$ng_pids"
    fi
done
"$shared/fscompare.sh" "$out" --report-only >"$out/fscompare.txt"
write_table
status=0
print_table || status=1
echo "# took $(( $(date +%s) - start )) s"
exit "$status"
