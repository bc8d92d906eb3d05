# Shared by the benchmark scripts (sourced, not run): long steps in a session of their own,
# and the cleanup of processes that outlived their cluster's stop command.

# Runs a long step (fsbench, fscompare, cpuacct) in a session of its own and waits for it, so
# that Ctrl-C ends the wait at once (a trapped signal interrupts `wait`) and cleanup can stop
# the whole step, fsbench and its helper included, before the clusters go down.
step_pid=
run_step() {
    local status=0
    setsid "$@" &
    step_pid=$!
    wait "$step_pid" || status=$?
    step_pid=
    return "$status"
}

# Stops the step still running, if any: TERM to its session, KILL after 30 s.
stop_step() {
    [[ -n $step_pid ]] || return 0
    kill -TERM -- "-$step_pid" 2>/dev/null || return 0
    for _ in $(seq 60); do
        kill -0 -- "-$step_pid" 2>/dev/null || return 0
        sleep 0.5
    done
    kill -KILL -- "-$step_pid" 2>/dev/null || true
}

# Kills what survived the daemons' own stop commands, by PID, only while the PID still runs
# the process recorded (its command line matches the extended regex, e.g. the cluster directory).
kill_leftovers() { # pids pattern
    local p
    for p in $1; do
        if [[ -d /proc/$p ]] && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -Eq -- "$2"; then
            echo "$(basename "$0" .sh): pid $p outlived its cluster's stop command; killing it" >&2
            kill -KILL "$p" 2>/dev/null || true
        fi
    done
}
