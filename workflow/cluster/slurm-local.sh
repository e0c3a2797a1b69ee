#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine, from Debian's slurm-wlm and munge, for
# trying the SLURM profile (workflow/profiles/slurm) without a cluster at hand.
#
#   workflow/cluster/slurm-local.sh start
#   workflow/cluster/slurm-local.sh stop
#
# Runs as root (slurmd must), without systemd: munged runs as the munge user, slurmctld and
# slurmd as root. State, logs and pid files live in one folder, $SLURM_LOCAL_DIR (default
# /tmp/digitnet-slurm). slurm.conf is written there too and linked from /etc/slurm/slurm.conf,
# where every client finds it: SLURM_CONF alone is not enough, as Snakemake's jobstep plugin
# drops SLURM_* variables before its srun inside each job. An /etc/slurm/slurm.conf that this
# script did not write is never replaced. The partition is named $SLURM_LOCAL_PARTITION
# (default "debug"). There is no accounting database: sacct answers "accounting storage is
# disabled", so tools must ask squeue about jobs.
set -euo pipefail

DIR="${SLURM_LOCAL_DIR:-/tmp/digitnet-slurm}"
PARTITION="${SLURM_LOCAL_PARTITION:-debug}"
CONF="$DIR/slurm.conf"
SYSTEM_CONF=/etc/slurm/slurm.conf
MARK="# Written by workflow/cluster/slurm-local.sh"
MUNGE_SOCKET_DIR=/run/munge
TIMEOUT_S=60

die() {
    echo "slurm-local: $*" >&2
    exit 1
}

write_conf() {
    local host cpus total_mb real_mb
    host="$(hostname -s)"
    cpus="$(nproc)"
    total_mb="$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)"
    # slurmd drains a node that has less memory than slurm.conf claims: stay 10% under.
    real_mb=$((total_mb * 9 / 10))
    mkdir -p "$DIR/state" "$DIR/spool"
    cat > "$CONF" <<EOF
$MARK for $host: $cpus CPUs, $total_mb MB of memory.
ClusterName=digitnet-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
# No cgroups (containers rarely allow them): track processes by their parents, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# No accounting database.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
# Share the node between jobs by CPUs and memory. Without a default per CPU, a job that asks
# for no memory is given the whole node's, and jobs run one at a time.
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=$((real_mb / cpus / 2))
ReturnToService=2
# Keep finished jobs visible to squeue and scontrol for an hour: with no accounting database
# they are the only record of a job's end.
MinJobAge=3600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mb State=UNKNOWN
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
    if munge -n > /dev/null 2>&1 < /dev/null; then
        return
    fi
    [ -f /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
    mkdir -p "$MUNGE_SOCKET_DIR" /var/log/munge /var/lib/munge
    chown munge:munge "$MUNGE_SOCKET_DIR" /var/log/munge /var/lib/munge
    runuser -u munge -- /usr/sbin/munged
    wait_for "munged" munge -n
}

# wait_for WHAT COMMAND...: retry COMMAND every second until it succeeds or TIMEOUT_S pass.
wait_for() {
    local what="$1"
    shift
    for _ in $(seq "$TIMEOUT_S"); do
        if "$@" > /dev/null 2>&1 < /dev/null; then
            return
        fi
        sleep 1
    done
    die "$what did not come up within $TIMEOUT_S s (logs in $DIR)"
}

node_idle() {
    [ "$(sinfo --noheader --partition "$PARTITION" --format %t)" = "idle" ]
}

start() {
    [ "$(id -u)" = 0 ] || die "must run as root (slurmd does)"
    if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
        die "slurm-wlm and munge are not installed: apt-get install slurm-wlm munge"
    fi
    if [ -f "$DIR/slurmctld.pid" ] && kill -0 "$(cat "$DIR/slurmctld.pid")" 2> /dev/null; then
        die "already running ($CONF); stop it first"
    fi
    if [ -e "$SYSTEM_CONF" ] && scontrol ping > /dev/null 2>&1; then
        die "a SLURM controller already answers ($(readlink -f "$SYSTEM_CONF")); stop it first"
    fi
    if [ -e "$SYSTEM_CONF" ] && ! grep -qF "$MARK" "$SYSTEM_CONF"; then
        die "$SYSTEM_CONF exists and was not written here: this machine has a SLURM set-up already"
    fi
    write_conf
    mkdir -p "$(dirname "$SYSTEM_CONF")"
    ln -sfn "$CONF" "$SYSTEM_CONF"
    start_munge
    # -c: start clean, forgetting the jobs and node states of an earlier run.
    slurmctld -c
    wait_for "slurmctld" scontrol ping
    slurmd
    wait_for "the node (sinfo shows $(sinfo --noheader --format %t 2> /dev/null || echo nothing))" node_idle
    echo "slurm-local: node $(hostname -s) idle in partition $PARTITION ($CONF)"
}

stop_daemon() {
    local pid_file="$1" pid
    [ -f "$pid_file" ] || return 0
    pid="$(cat "$pid_file")"
    if kill "$pid" 2> /dev/null; then
        for _ in $(seq "$TIMEOUT_S"); do
            kill -0 "$pid" 2> /dev/null || break
            sleep 1
        done
    fi
    rm -f "$pid_file"
}

stop() {
    stop_daemon "$DIR/slurmd.pid"
    stop_daemon "$DIR/slurmctld.pid"
    if [ -L "$SYSTEM_CONF" ] && [ "$(readlink "$SYSTEM_CONF")" = "$CONF" ]; then
        rm "$SYSTEM_CONF"
    fi
    # munged stays: other programs on the machine may authenticate with it.
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) die "usage: $0 start|stop" ;;
esac
