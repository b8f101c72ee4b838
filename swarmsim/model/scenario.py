"""A scenario as typed values: the cluster, what runs on it, and the steps.

`swarmsim.scenario.load_scenario` builds one from a YAML file; experiments build
them in Python with `dataclasses.replace`. Both backends run the same value.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from .limits import DEFAULT_CONVERGE_TIMEOUT, Limits
from .node import Availability, Role
from .service import ServiceSpec, Workload


@dataclass(frozen=True, slots=True)
class NodeDecl:
    name: str
    role: Role = Role.WORKER
    availability: Availability = Availability.ACTIVE
    nano_cpus: int = 2_000_000_000
    memory_bytes: int = 2 * 1024**3
    labels: dict[str, str] = field(default_factory=dict)
    engine_labels: dict[str, str] = field(default_factory=dict)
    joined: bool = True
    os: str = "linux"
    arch: str = "x86_64"
    generic_resources: dict[str, int | tuple[str, ...]] = field(default_factory=dict)  # dockerd --node-generic-resource
    swarm_age: float | None = None  # how long before the first step this joined node joined; None: timing.swarm_age


@dataclass(frozen=True, slots=True)
class NetworkDecl:
    name: str
    driver: str = "overlay"
    attachable: bool = False
    subnet: str | None = None  # None: the next /24 of 10.0.0.0/8
    labels: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)  # the driver's options as given (--opt, driver_opts)
    internal: bool = False  # no external connectivity (shown by inspect; nothing simulated depends on it)


def encrypted(options: Mapping[str, str]) -> bool:
    """A network's driver options ask for IPsec (any `encrypted` but false or 0): the real backend then creates
    it with `encrypted` (its nodes must let ESP through: docs/real-swarm.md); nothing simulated depends on it."""
    return "encrypted" in options and options["encrypted"].lower() not in ("false", "0")


@dataclass(frozen=True, slots=True)
class Timing:
    """The latency model (seconds). Defaults were measured on a real local swarm
    (docs/measurements.md); swarmkit's own constants are cited where they are code."""

    raft_commit: float = 0.002           # a store write reaching quorum
    scheduler_debounce: float = 0.050    # scheduler.go commitDebounceGap
    scheduler_max_latency: float = 1.0   # scheduler.go maxLatency
    dispatch_batch: float = 0.100        # dispatcher.go batchingWaitTime (assignments to the agent)
    status_batch: float = 0.100          # dispatcher.go maxBatchInterval (agent statuses into the store)
    accept: float = 0.004                # agent: assigned -> accepted -> preparing, after the assignment arrives
    container_create: float = 0.22       # preparing -> ready with the image present, alone on the host
    container_start: float = 0.26        # starting -> running, alone: 0.24-0.26 in (a), 0.25-0.33 in updates
    network_create: float = 1.2          # a node's first task on a network sets it up there, in Prepare: 1.2 s fitted (docs/measurements.md (n))
    network_recreate: float = 0.5        # the same setup again on a node whose last task on the network took its copy: 0.48 s measured (docs/measurements.md (p))
    network_attach: float = 0.65         # extra start work per network other than the default bridge (n: 0.9-1.2 s starts)
    network_detach: float = 0.23         # extra exit handling per such network (n: stops 3.44-3.49 s, 0.23 s over the model)
    port_publish: float = 0.15           # per host-mode published port at start, one at a time per host (iptables' lock)
    swarm_age: float = 3600.0            # how long before the first step the nodes declared joined joined (0.16-0.51 s for a fresh local swarm)
    ingress_setup_delay: float = 0.55    # a node's init or join -> its dockerd starts the ingress sandbox (0.51-0.64 s, medians)
    ingress_setup: float = 1.8           # how long that setup lasts (its ingress network there 2.05-2.35 s after the join)
    ingress_setup_slowdown: float = 3.0  # the node's container operations run this many times slower meanwhile (fitted)
    start_contention: float = 0.63       # CPU share one container operation keeps busy: k served at once run at min(1, 1/(k*share)) speed
    contention_slots: int = 3            # operations served at once per host, the oldest first; the others wait (0: all)
    contention_scope: str = "node"       # node: each node its own CPUs (separate machines); host: all share one (a local swarm)
    stop_delay: float = 1.0              # agent/task.go ErrTaskRetry backoff: the cancelled Wait is re-run 1 s later
    stop_exit: float = 0.09              # a container's exit -> reported (dockerd's exit handling), alone on the host
    lb_deregister: float = 2.0           # controller.go defaultGossipConvergeDelay, non-default networks only
    gossip_dead: float = 5.2             # a crashed node's tasks stay in the others' DNS and balancers (memberlist failure detection; 5.1-5.2 s, tr3 in validation.md)
    pull_rate: float = 50e6              # bytes per second for an image pull
    pull_base: float = 1.0               # registry round trips per pull
    daemon_restart: float = 0.9          # `fail: recover` -> dockerd serving again (0.8-1.0 s in m, three runs)
    heartbeat_period: float = 5.0        # dispatcher.go DefaultHeartBeatPeriod
    heartbeat_epsilon: float = 0.5       # period.go jitter
    grace_multiplier: int = 3            # dispatcher.go defaultGracePeriodMultiplier
    unknown_grace_multiplier: int = 6    # nodes.go, after a leader change
    node_down_orphan: float = 86400.0    # dispatcher.go defaultNodeDownPeriod
    reaper_batch: float = 0.250          # task_reaper.go
    old_task_timeout: float = 60.0       # restart.go defaultOldTaskTimeout
    cli_poll: float = 0.200              # docker/cli progress.go
    cli_start: float = 0.055             # a `run:` command: the docker CLI's round trip before its request acts (node update 0.050, service ps 0.058: medians of 15 and 30, CLI 20.10, local swarm)
    stack_service_call: float = 0.011    # docker stack deploy: one service create or update call to the next (median of 198 gaps, 300 services, CLI 20.10, local swarm idle; (o))
    election_timeout: tuple[float, float] = (10.0, 20.0)  # raft ticks 10..19 of 1 s
    no_leader_wait: float = 20.0         # a manager API call without a leader fails after this (measured 20 s once)
    task_history_limit: int = 5          # manager.go defaultTaskHistoryRetentionLimit
    # Per-hop network latencies (net/mesh.py), round trips: TCP connects on the local swarm, medians of 1000
    # (validation/hops.py, docs/measurements.md (l)); the ingress hop cannot be measured here (no IPVS).
    hop_host: float = 0.00037            # a host-mode published port answered on the node entered (0.35-0.39 ms, 5 rounds)
    hop_ingress: float = 0.0005          # placeholder, not measured: the ingress sandbox (IPVS) on the node entered
    hop_bridge: float = 0.00028          # container to container through a node's overlay bridge (0.27-0.30 ms)
    hop_overlay: float = 0.00012         # extra for the VXLAN hop to another node (0.40 ms overlay less 0.28 ms bridge)


@dataclass(frozen=True, slots=True)
class TrafficClient:
    """Requests from outside the swarm to a published `port` through node `via`, or, with `source`, from
    the tasks of that service to `target` (a name the embedded DNS answers: SERVICE or tasks.SERVICE)."""

    port: int
    rate: float                 # requests per second
    via: str = "any"            # a node name, or any
    timeout: float = 1.0
    start: float = 0.0
    stop: float | None = None   # None: until the scenario ends
    source: str | None = None   # `from:` a service whose tasks send the requests
    target: str | None = None   # with source: the name resolved on the source task's networks
    duration: float = 0.0       # the time a backend takes to answer one request
    keepalive: bool = False     # one connection kept to one backend while it lives
    retries: int = 0            # failed attempts retried at once, each a new connection
    refresh: float = 0.0        # with source: resolved addresses kept this long (0: resolve per request)

    @property
    def plain(self) -> bool:
        """A client using none of the connection keys: its request events keep their original fields."""
        return (self.source, self.duration, self.keepalive, self.retries, self.refresh) == (None, 0.0, False, 0, 0.0)


@dataclass(frozen=True, slots=True)
class Step:
    """One step; `line` is where it stands in its file (0 when built in Python)."""

    line: int = field(default=0, kw_only=True)


@dataclass(frozen=True, slots=True)
class Run(Step):
    command: str
    parsed: object  # a swarmsim.commands.Command
    on: str | None = None
    think: float | None = None  # typing pause before the command; None: the scenario's `think`


@dataclass(frozen=True, slots=True)
class WaitConverged(Step):
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class WaitFor(Step):
    seconds: float


@dataclass(frozen=True, slots=True)
class At(Step):
    time: float


@dataclass(frozen=True, slots=True)
class Fail(Step):
    node: str
    kind: str  # crash | stop | recover


@dataclass(frozen=True, slots=True)
class Partition(Step):
    groups: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Heal(Step):
    pass


@dataclass(frozen=True, slots=True)
class Scenario:
    """A checked scenario (from `load_scenario` or `ScenarioBuilder.build`); frozen, so `replace` makes variants."""

    name: str
    nodes: tuple[NodeDecl, ...]
    services: tuple[ServiceSpec, ...] = ()
    networks: tuple[NetworkDecl, ...] = ()
    images: dict[str, Workload] = field(default_factory=dict)
    timing: Timing = Timing()
    traffic: tuple[TrafficClient, ...] = ()
    steps: tuple[Step, ...] = ()
    think: float = 0.0  # typing pause before every `run:` step that sets none itself
    seed: int = 0
    source: str | None = None  # the file it came from, for messages
    limits: Limits = Limits()

    @property
    def initial_leader(self) -> str | None:
        """The first joined manager; None for a swarm that starts empty (every node `joined: false`)."""
        return next((n.name for n in self.nodes if n.role is Role.MANAGER and n.joined), None)

    @property
    def leader(self) -> str:
        """Where a step without `on:` runs: the first joined manager, or in a swarm that starts empty (no
        node joined) the first node declared a manager, the one `docker swarm init` is meant for. A scenario
        built in Python with nodes joined but no manager among them gets a clear error, not StopIteration."""
        if self.initial_leader is not None:
            return self.initial_leader
        if self.nodes and not any(node.joined for node in self.nodes):
            return next((n.name for n in self.nodes if n.role is Role.MANAGER), self.nodes[0].name)
        raise ValueError(f"scenario {self.name}: no manager (expected at least one joined node with role manager)")


_TIMES = {At: "time", WaitFor: "seconds", WaitConverged: "timeout", Run: "think"}


def step_problem(scenario: Scenario) -> tuple[int, str] | None:
    """The first step the run cannot take, as (index, why), or None: a step that is not one, a time that is
    not a finite number >= 0 (a scenario built in Python skips the file's checks), or the steps reaching
    past `limits.time` of simulated time, counted as the sum of their waits, `at:` times, `wait: converged`
    timeouts and typing pauses (a command's own wait for convergence is bounded apart, by CLI_WAIT_LIMIT)."""
    reach = 0.0
    for index, step in enumerate(scenario.steps):
        if not isinstance(step, Step):
            return index, f"{step!r} is not a step (expected Run, WaitConverged, WaitFor, At, Fail, Partition, Heal)"
        name = _TIMES.get(type(step))
        value = getattr(step, name) if name else None
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or
                                  not 0 <= value < math.inf):
            return index, f"{type(step).__name__}.{name} is {value!r} (expected seconds: a finite number >= 0)"
        match step:
            case At(time=t):
                reach = max(reach, t)
            case WaitFor(seconds=s):
                reach += s
            case WaitConverged(timeout=timeout):
                reach += timeout or DEFAULT_CONVERGE_TIMEOUT
            case Run():
                reach += (scenario.think if step.think is None else step.think) + scenario.timing.cli_start
        if reach > scenario.limits.time:
            shown = f"{reach:,.0f}" if reach < 1e12 else f"{reach:.3g}"
            return index, (f"the steps reach t={shown}s of simulated time, over the limit of "
                           f"{scenario.limits.time:,.0f}s (expected shorter waits, or raise it with limits: "
                           "{time: DURATION})")
    return None
