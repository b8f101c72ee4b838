"""Service specs, as the swarm API holds them (swarmkit api.ServiceSpec, flattened).

Defaults are Docker's (api/defaults/service.go and the docker CLI), so a spec
built with no arguments means what `docker service create IMAGE` means.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum


class ServiceMode(str, Enum):
    REPLICATED = "replicated"
    GLOBAL = "global"
    REPLICATED_JOB = "replicated-job"  # swarmkit ReplicatedJob: run until TotalCompletions tasks completed
    GLOBAL_JOB = "global-job"  # swarmkit GlobalJob: one task to completion per eligible node

    @property
    def is_job(self) -> bool:
        return self in _JOB_MODES

    @property
    def per_node(self) -> bool:
        """Tasks belong to a node (slot 0), not to a numbered slot."""
        return self in _PER_NODE_MODES


# Module globals, not ServiceMode.X at each call: see TaskState's in model/task.py (Python 3.11's Enum look-up).
_JOB_MODES = (ServiceMode.REPLICATED_JOB, ServiceMode.GLOBAL_JOB)
_PER_NODE_MODES = (ServiceMode.GLOBAL, ServiceMode.GLOBAL_JOB)


class RestartCondition(str, Enum):
    NONE = "none"
    ON_FAILURE = "on-failure"
    ANY = "any"


class FailureAction(str, Enum):
    PAUSE = "pause"
    CONTINUE = "continue"
    ROLLBACK = "rollback"


class UpdateOrder(str, Enum):
    STOP_FIRST = "stop-first"
    START_FIRST = "start-first"


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    condition: RestartCondition = RestartCondition.ANY
    delay: float = 5.0
    max_attempts: int = 0
    window: float | None = None  # None: not set (the API's nil pointer, which inspect leaves out); 0 acts the same


DEFAULT_MONITOR = 5.0  # swarmkit api/defaults: Service.Update.Monitor


@dataclass(frozen=True, slots=True)
class UpdateConfig:
    """Also used for the rollback config; the defaults are the same (section 5.1)."""

    parallelism: int = 1
    delay: float = 0.0
    failure_action: FailureAction = FailureAction.PAUSE
    monitor: float = DEFAULT_MONITOR
    max_failure_ratio: float = 0.0
    order: UpdateOrder = UpdateOrder.STOP_FIRST

    def stored(self) -> "UpdateConfig":
        """As the daemon stores it: a zero monitor is sent as none (moby convert updateConfigToGRPC), which
        swarmkit reads as its default, 5 s, in the updater and in inspect (seen: `--update-monitor 0s`)."""
        return self if self.monitor else replace(self, monitor=DEFAULT_MONITOR)


@dataclass(frozen=True, slots=True)
class Resources:
    nano_cpus: int = 0
    memory_bytes: int = 0
    generic: tuple[tuple[str, int], ...] = ()  # reservations only: (kind, count), discrete as docker/cli allows
    pids: int = 0  # limits only: --limit-pids (0 unlimited; a negative one is kept as sent)

    def __bool__(self) -> bool:
        return bool(self.nano_cpus or self.memory_bytes or self.generic or self.pids > 0)


@dataclass(frozen=True, slots=True)
class Placement:
    constraints: tuple[str, ...] = ()
    preferences: tuple[str, ...] = ()  # spread descriptors, e.g. "node.labels.zone"
    max_replicas: int = 0
    platforms: tuple[tuple[str, str], ...] = ()  # (os, architecture) of the image's manifest, set when it is resolved


@dataclass(frozen=True, slots=True)
class FileRef:
    """A secret or config mounted as a file (SecretReference/ConfigReference with a File target): the object's
    name, the file's name (the object's by default), its owner and mode (0444 by default)."""

    source: str
    target: str = ""
    uid: str = "0"
    gid: str = "0"
    mode: int = 0o444

    def __post_init__(self) -> None:
        if not self.target:
            object.__setattr__(self, "target", self.source)


def ref_names(refs) -> tuple[str, ...]:
    """The names of the objects referenced, once each, in order."""
    return tuple(dict.fromkeys(r.source for r in refs))


def conflicting_targets(kind: str, refs) -> str | None:
    """controlapi validateSecretRefsSpec/validateConfigRefsSpec: two references to one file."""
    seen: dict[str, str] = {}
    for r in refs:
        if r.target in seen:
            return f"{kind} references '{seen[r.target]}' and '{r.source}' have a conflicting target: '{r.target}'"
        seen[r.target] = r.source
    return None


@dataclass(frozen=True, slots=True)
class PortConfig:
    target: int
    published: int = 0
    protocol: str = "tcp"
    mode: str = "ingress"  # ingress | host


def on_ingress(ports) -> bool:
    """isIngressNetworkNeeded: a port published through the routing mesh, given a number or not."""
    return any(p.mode == "ingress" for p in ports)


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    mode: str = "vip"  # vip | dnsrr
    ports: tuple[PortConfig, ...] = ()


DEFAULT_PROBE_INTERVAL = 30.0  # daemon/health.go defaultProbeInterval
DEFAULT_PROBE_RETRIES = 3     # daemon/health.go defaultProbeRetries


@dataclass(frozen=True, slots=True)
class Healthcheck:
    """A container healthcheck as the spec carries it: 0 is "not set" (the image's or the engine's default,
    daemon/health.go), which `service inspect` leaves out. test ("NONE",) disables."""

    test: tuple[str, ...] = ()
    interval: float = 0.0
    timeout: float = 0.0
    retries: int = 0
    start_period: float = 0.0

    @property
    def probe_interval(self) -> float:
        """The interval the engine probes at: 0 (not set, or `--health-interval 0s`) means its 30 s default."""
        return self.interval or DEFAULT_PROBE_INTERVAL

    @property
    def probe_retries(self) -> int:
        """The failures in a row that make the container unhealthy: 0 means the engine's 3."""
        return self.retries or DEFAULT_PROBE_RETRIES

    @property
    def enabled(self) -> bool:
        return bool(self.test) and self.test[0] != "NONE"


@dataclass(frozen=True, slots=True)
class Workload:
    """What a container of an image does, so the simulated and real sides agree.

    None means "not said": the image table, then the default, fill it in.
    """

    size: int | None = None  # bytes to pull
    present: tuple[str, ...] | None = None  # nodes holding the image at start; None = all
    start_time: float | None = None  # seconds from start to serving
    exit_after: float | None = None  # the main process exits this long after start
    exit_code: int | None = None
    serve_port: int | None = None
    ignore_sigterm: bool | None = None  # stop then waits the whole grace period
    healthy: bool | None = None  # whether its healthcheck passes once it serves (default yes)
    pullable: bool | None = None  # false: the registry has no such image (tasks needing a pull are rejected)
    logs: tuple[str, ...] | None = None  # lines the container prints when its process starts
    platforms: tuple[tuple[str, str], ...] | None = None  # (os, architecture) its registry manifest lists
    request_log: str | None = None       # the line it prints for each request it serves

    def over(self, base: "Workload") -> "Workload":
        """This workload with unset fields taken from `base`."""
        return Workload(**{
            name: getattr(self, name) if getattr(self, name) is not None else getattr(base, name)
            for name in self.__slots__
        })


# What a container does when the scenario says nothing: serves at once, runs until stopped, stops on
# SIGTERM. Both backends fill a task's workload from it (sim/agent.py, validation/docker_backend.py).
DEFAULT_WORKLOAD = Workload(size=0, present=None, start_time=0.0, exit_after=None, exit_code=0, serve_port=None,
                            ignore_sigterm=False)


@dataclass(frozen=True, slots=True)
class Mount:
    """A `--mount` as the daemon keeps it: moby's convert round trip drops its consistency, a bind's
    propagation comes back as rprivate when none was given, a volume's empty labels as none."""

    type: str = "volume"
    source: str = ""
    target: str = ""
    read_only: bool = False
    bind: tuple[str, bool] | None = None  # BindOptions: (propagation, non-recursive)
    volume: tuple[bool, tuple[tuple[str, str], ...], str | None, tuple[tuple[str, str], ...]] | None = None
    #        VolumeOptions: (no-copy, labels, driver name, driver options); a driver None: no DriverConfig (a
    #        stack's volume without driver or driver_opts), the CLI's --mount always sends one
    tmpfs: tuple[int, int] | None = None  # TmpfsOptions: (size in bytes, mode)


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """The part of a service every task carries; a change here makes tasks dirty."""

    image: str
    command: tuple[str, ...] = ()  # --entrypoint's shell words (ContainerSpec.Command)
    args: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    stop_grace_period: float = 10.0
    reservations: Resources = Resources()
    limits: Resources = Resources()
    restart_policy: RestartPolicy = RestartPolicy()
    placement: Placement = Placement()
    networks: tuple[str, ...] = ()
    force_update: int = 0
    workload: Workload | None = None
    healthcheck: Healthcheck | None = None
    secrets: tuple[FileRef, ...] = ()  # the swarm secrets the container mounts, as files
    configs: tuple[FileRef, ...] = ()  # the swarm configs
    mounts: tuple[Mount, ...] = ()
    log_driver: tuple[str, tuple[tuple[str, str], ...]] | None = None  # TaskTemplate.LogDriver: (name, options)
    labels: tuple[tuple[str, str], ...] = ()  # --container-label, sorted by key (a Go map's JSON order)
    hostname: str = ""     # --hostname, as written: the agent expands its template ({{.Task.Slot}}...)
    dir: str = ""          # --workdir
    user: str = ""         # --user
    init: bool | None = False  # --init; the CLI always sends it; a stack file without `init:` sends none (None)
    stop_signal: str = ""  # --stop-signal
    tty: bool = False      # --tty
    open_stdin: bool = False  # a stack's stdin_open
    read_only: bool = False  # --read-only: the root filesystem
    groups: tuple[str, ...] = ()  # --group: supplementary groups
    dns: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = ((), (), ())
    #    DNSConfig: (--dns nameservers, --dns-search domains, --dns-option options)
    hosts: tuple[str, ...] = ()  # --host HOST:IP as swarmkit keeps it: "IP HOST" (a hosts-file line)
    capabilities: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # (CapabilityAdd, CapabilityDrop)
    isolation: str = "default"  # --isolation as the daemon converts it: default, process or hyperv
    sysctls: tuple[tuple[str, str], ...] = ()  # --sysctl, sorted by key
    ulimits: tuple[tuple[str, int, int], ...] = ()  # --ulimit: (name, soft, hard), sorted by name
    from_stack: bool = False  # sent as docker stack deploy's convert.Service builds it: with an empty
    #  Privileges, and Resources holding only the Limits and Reservations the file gives (the CLI sends both)
    aliases: tuple[tuple[str, ...], ...] = ()  # per network in `networks`, its DNS aliases (a stack's: the
    #  file's and the service's own name)
    network_opts: tuple[tuple[tuple[str, str], ...], ...] = ()  # per network, its driver options (--network
    #  name=N,driver-opt=K=V), sorted by key; () when none has any

    def attachments(self) -> list[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]]:
        """Each network with its aliases and its driver options (empty where the spec keeps none)."""
        blank = [()] * len(self.networks)
        return list(zip(self.networks, self.aliases or blank, self.network_opts or blank))


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str
    task: TaskSpec
    mode: ServiceMode = ServiceMode.REPLICATED
    replicas: int = 1  # for a replicated job: TotalCompletions
    max_concurrent: int = 1  # a replicated job's MaxConcurrent (the daemon's default 1 when the CLI sends none)
    endpoint: EndpointSpec = EndpointSpec()
    update_config: UpdateConfig = UpdateConfig()
    rollback_config: UpdateConfig = UpdateConfig()
    labels: dict[str, str] = field(default_factory=dict)


class UpdateState(str, Enum):
    UPDATING = "updating"
    PAUSED = "paused"
    COMPLETED = "completed"
    ROLLBACK_STARTED = "rollback_started"
    ROLLBACK_PAUSED = "rollback_paused"
    ROLLBACK_COMPLETED = "rollback_completed"


@dataclass(frozen=True, slots=True)
class UpdateStatus:
    state: UpdateState
    message: str
    started_at: float | None = None
    completed_at: float | None = None


@dataclass(frozen=True, slots=True)
class Service:
    """A service object in the store: its spec, the spec before, and update status."""

    id: str
    spec: ServiceSpec
    version: int = 1
    previous_spec: ServiceSpec | None = None
    previous_version: int | None = None
    update_status: UpdateStatus | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    job_iteration: int = 0  # JobStatus.JobIteration: the service version a job last (re)ran at
    last_execution: float | None = None  # JobStatus.LastExecution

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def is_global(self) -> bool:
        return self.spec.mode is ServiceMode.GLOBAL

    @property
    def is_job(self) -> bool:
        return self.spec.mode.is_job

    @property
    def per_node(self) -> bool:
        return self.spec.mode.per_node
