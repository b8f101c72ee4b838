"""The daemon's error texts that both backends answer with, word for word as docker 20.10 prints them.

The simulator raises them (sim/raft.py, sim/swarm.py) and the step runner compares against them
(backend.py), so they live below both.
"""
import re

from .gostrings import quote

NO_LEADER = ("Error response from daemon: rpc error: code = Unknown desc = The swarm does not have a leader. "
             "It's possible that too few managers are online. Make sure more than half of the managers are online.")
# A write with no leader: the manager's raft proxy waits for one until dockerd's 20 s request deadline
# (four of five real runs; the fifth ended with NO_LEADER, also after 20 s).
NO_LEADER_TIMEOUT = "Error response from daemon: rpc error: code = DeadlineExceeded desc = context deadline exceeded"
DAEMON_DOWN = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
LOST_LEADERSHIP = ("Error response from daemon: rpc error: code = Unknown desc = raft: failed to process the request: "
                   "node lost leader status")


def invalid_resources(*resources) -> str | None:
    """swarmkit controlapi validateResourceRequirements (limits, then reservations): a CPU count under
    1/1000 or memory under 4 MiB is refused, in the daemon's words; None when all are accepted."""
    from .gofmt import go_float
    for res in resources:
        if res.nano_cpus and res.nano_cpus < 1_000_000:
            return f"invalid cpu value {go_float(res.nano_cpus / 1e9)}: Must be at least 0.001"
        if res.memory_bytes and res.memory_bytes < 4 * 1024 * 1024:
            return f"invalid memory value {res.memory_bytes}: Must be at least 4MiB"
    return None


def _healthcheck(check) -> str | None:
    """validateHealthCheck: a set interval, timeout or start period is at least 1 ms (a negative one too)."""
    for name, value in (("Interval", check.interval), ("Timeout", check.timeout), ("StartPeriod", check.start_period)):
        if 0 < value < 0.001 or value < 0:
            return f"ContainerSpec: {name} in HealthConfig cannot be less than 1ms"
    return None


def _negative(pairs) -> str | None:
    return next((f"TaskSpec: {name} cannot be negative" for name, value in pairs if value < 0), None)


_MOUNT_TYPES = ("bind", "volume", "tmpfs", "npipe")  # swarmkit 20.10's Mount_MountType
PROPAGATIONS = ("rprivate", "private", "rshared", "shared", "rslave", "slave")  # mount.Propagations


def _mounts(mounts) -> str | None:
    """moby's convert (an unknown type or propagation, in the daemon's words), then swarmkit validateMounts
    (one target twice)."""
    for m in mounts:
        if m.type not in _MOUNT_TYPES:
            return f'invalid MountType: "{m.type}"'
        if m.bind is not None and m.bind[0] and m.bind[0] not in PROPAGATIONS:
            return f'invalid MountPropagation: "{m.bind[0]}"'
    targets: set[str] = set()
    for m in mounts:
        if m.target in targets:
            return f"ContainerSpec: duplicate mount point: {m.target}"
        targets.add(m.target)
    return None


def invalid_spec(spec) -> str | None:
    """swarmkit controlapi validateServiceSpec on the values docker's CLI and stack loader pass on as they are,
    in its order (the mounts first: the daemon converts them before swarmkit sees the spec): resources, the
    restart policy's delay and window, the healthcheck, the update config's delay
    and monitor (not a job's, which has none, and never the rollback config's: swarmkit does not look)."""
    task, update = spec.task, spec.update_config
    restart = (("restart-delay", task.restart_policy.delay), ("restart-window", task.restart_policy.window or 0.0))
    return (_mounts(task.mounts) or invalid_resources(task.limits, task.reservations) or _negative(restart)
            or (task.healthcheck and _healthcheck(task.healthcheck))
            or (None if spec.mode.is_job else _negative((("update-delay", update.delay),
                                                         ("update-monitor", update.monitor)))))


# pkg/signal SignalMap (linux): the names --stop-signal may use, with or without SIG, in any case
_SIGNALS = frozenset(
    "ABRT ALRM BUS CHLD CLD CONT FPE HUP ILL INT IO IOT KILL PIPE POLL PROF PWR QUIT SEGV STKFLT STOP SYS TERM "
    "TRAP TSTP TTIN TTOU URG USR1 USR2 VTALRM WINCH XCPU XFSZ RTMIN RTMAX".split()
    + [f"RTMIN+{n}" for n in range(1, 16)] + [f"RTMAX-{n}" for n in range(1, 15)])
# oci/caps: gocapability's list up to CAP_AUDIT_READ (20.10 leaves out CAP_PERFMON, CAP_BPF, ...)
_CAPABILITIES = frozenset(f"CAP_{name.upper()}" for name in (
    "chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap linux_immutable "
    "net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner sys_module sys_rawio sys_chroot "
    "sys_ptrace sys_pacct sys_admin sys_boot sys_nice sys_resource sys_time sys_tty_config mknod lease "
    "audit_write audit_control setfcap mac_override mac_admin syslog wake_alarm block_suspend audit_read").split())


def _signal(text: str) -> bool:
    """pkg/signal ParseSignal: a number other than 0 (strconv.Atoi), or a known name."""
    if re.fullmatch(r"[+-]?[0-9]+", text) and -2**63 <= int(text) < 2**63:
        return int(text) != 0
    return text.upper().removeprefix("SIG") in _SIGNALS


def container_create_error(task) -> str | None:
    """What dockerd's container create refuses in a task's container settings (daemon/container.go
    verifyContainerSettings, in its order: the working directory, the stop signal, the capabilities, the
    isolation), so the agent rejects the task while preparing it."""
    if task.dir and not task.dir.startswith("/"):
        return f"the working directory '{task.dir}' is invalid, it needs to be an absolute path"
    if task.stop_signal and not _signal(task.stop_signal):
        return f"Invalid signal: {task.stop_signal}"
    for name, caps in zip(("CapAdd", "CapDrop"), task.capabilities):
        unknown = next((cap for cap in caps if cap != "ALL" and cap not in _CAPABILITIES), None)
        if unknown is not None:
            return f"invalid {name}: unknown capability: {quote(unknown)}"
    if task.isolation == "hyperv":  # validateHostConfig: on Linux only the default isolation
        return "invalid isolation 'hyperv' on linux"
    return None
