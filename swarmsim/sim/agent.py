"""The agent on each node: takes assigned tasks through their lifecycle.

Mirrors swarmkit's agent and exec controller (agent/exec/controller.go Do): a
task is accepted, prepared (image pulled if absent, container created), held at
READY until its desired state allows a start, started, and then runs until its
workload exits or it is told to stop. Every change is reported to the
dispatcher with the agent's own timestamp. Latencies come from the Timing model.
"""
from __future__ import annotations

import math

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable

import simpy

from ..control.nodeinfo import host_ports
from ..net.ports import serial_pick
from ..model import Task, TaskState, Workload
from ..model.task import ACCEPTED, ASSIGNED, COMPLETE, FAILED, PREPARING, READY, REJECTED, RUNNING, SHUTDOWN, STARTING
from ..model.errors import container_create_error
from ..model.service import DEFAULT_WORKLOAD, on_ingress
from ..model.scenario import Timing

if TYPE_CHECKING:
    from .manager import Manager

MAX_LOG_LINES = 10_000  # a container's log kept for `docker service logs` (a bound on a long traffic run)
MAX_LOG_LINE = 16 * 1024  # dockerd's log copier (daemon/logger/copier.go) splits a longer line into pieces of this
_LOG_PIECES: dict[str, tuple[str, ...]] = {}  # a long line's pieces, made once and shared by the containers printing it
EPHEMERAL = (32768, 60999)  # the kernel's ip_local_port_range, where dockerd picks a host port given none

class Host:
    """What nodes share: the CPUs that container operations (create, start, exit handling) run on.

    Limited processor sharing: an operation needs `base` seconds alone; of those in progress on the
    same key (the whole host for a local swarm, else the node) the `slots` oldest are served at once,
    each at min(1, 1/(k·share)) of full speed for k served, `share` being the part of the CPUs one
    operation keeps busy; the others wait their turn. Measured here: k containers starting at once on 2
    shared cores take about k·0.3 s in all, and finish one after another, not all together.
    A node's own operations run `ingress_setup_slowdown` times slower while its dockerd sets up the
    ingress sandbox after a join (docs/measurements.md (k)): that work competes with the task's layer
    copy and containerd calls in the kernel, not for a slot.
    Port publishing instead goes one at a time per key (`serially`): iptables takes a host-wide lock.
    A network's setup on a node (`alone`) runs at the node's own pace, not shared with other operations,
    and slowed only by that node's ingress setup (docs/measurements.md (n)).
    """

    def __init__(self, timing: Timing) -> None:
        self.slots = timing.contention_slots  # operations served at once per key, the rest wait their turn (0: all)
        self.share = timing.start_contention
        self.scope = timing.contention_scope
        self.timing = timing
        self.setting_up: dict[str, None] = {}  # nodes whose dockerd is setting up the ingress sandbox
        self.busy: dict[str, list[_Op]] = {}
        self._since: dict[str, float] = {}
        self._armed: dict[str, int] = {}
        self.locks: dict[str, simpy.Resource] = {}

    def key(self, node: str) -> str:
        return "host" if self.scope == "host" else node

    def joined(self, sim, node: str, ago: float = 0.0) -> None:
        """The node's dockerd initialised or joined the swarm `ago` seconds before now: its ingress setup
        window opens `ingress_setup_delay` after that, if it is not over yet."""
        t = self.timing
        opens = sim.now - ago + t.ingress_setup_delay
        closes = opens + t.ingress_setup
        if closes <= sim.now or t.ingress_setup_slowdown <= 1:
            return
        sim.call_at(max(sim.now, opens), self._setting_up, sim, node, True)
        sim.call_at(closes, self._setting_up, sim, node, False)

    def _setting_up(self, sim, node: str, on: bool) -> None:
        keys = (self.key(node), _own(node))
        for key in keys:
            self._advance(sim, key)
        if on:
            self.setting_up[node] = None
        else:
            self.setting_up.pop(node, None)
        for key in keys:
            self._arm(sim, key)

    def serially(self, sim, node: str, seconds: float):
        """`seconds` holding the key's one lock (iptables' xtables lock), in arrival order."""
        key = self.key(node)
        lock = self.locks.get(key)
        if lock is None:
            lock = self.locks[key] = simpy.Resource(sim.env, capacity=1)
        with lock.request() as turn:
            yield turn
            yield sim.timeout(seconds)

    def work(self, sim, node: str, base: float, alone: bool = False):
        """A SimPy sub-process: `base` seconds of the node's work at the host's current speed (`alone`: at
        the node's own pace, shared only with its other work of that kind)."""
        if base <= 0:
            return
        key = _own(node) if alone else self.key(node)
        op = _Op(base, sim.env.event(), node)
        self._advance(sim, key)
        self.busy.setdefault(key, []).append(op)
        self._arm(sim, key)
        try:
            yield op.done
        except simpy.Interrupt:  # the node died with its containers (not GeneratorExit: the run is over)
            self._advance(sim, key)
            self.busy[key].remove(op)
            self._arm(sim, key)
            raise

    def _served(self, ops: list["_Op"]) -> tuple[int, float, float]:
        """How many operations are served (the oldest first), their speed, and the speed of those on a node
        setting up its ingress sandbox."""
        k = len(ops) if not self.slots else min(len(ops), self.slots)
        speed = min(1.0, 1.0 / (k * self.share)) if k and self.share > 0 else 1.0
        return k, speed, speed / self.timing.ingress_setup_slowdown

    def _advance(self, sim, key: str) -> None:
        now = sim.now
        elapsed = now - self._since.get(key, now)
        self._since[key] = now
        ops = self.busy.get(key)
        if not elapsed or not ops:
            return
        k, speed, slow = self._served(ops)
        setting_up = self.setting_up
        for i in range(k):
            op = ops[i]
            op.left -= elapsed * (slow if op.node in setting_up else speed)

    def _arm(self, sim, key: str) -> None:
        self._armed[key] = version = self._armed.get(key, 0) + 1
        ops = self.busy.get(key)
        if not ops:
            return
        k, speed, slow = self._served(ops)
        first, first_speed, due = None, speed, 0.0
        for i in range(k):  # the first to finish at its speed; the oldest of equals, as min() chose
            op = ops[i]
            op_speed = slow if op.node in self.setting_up else speed
            if first is None or op.left / op_speed < due:
                first, first_speed, due = op, op_speed, op.left / op_speed
        sim.call_at(sim.now + max(0.0, first.left / first_speed), self._tick, sim, key, version, first)

    def _tick(self, sim, key: str, version: int, first: "_Op") -> None:
        if self._armed.get(key) != version:
            return
        self._advance(sim, key)
        first.left = 0.0  # due now: float rounding must not leave it a remainder too small to advance the clock
        ops = self.busy[key]
        for op in [op for op in ops[:self._served(ops)[0]] if op.left <= 1e-9]:  # only those served can be done
            ops.remove(op)
            op.done.succeed()
        self._arm(sim, key)


def _own(node: str) -> str:
    """The Host key of a node's work that no other node's work slows down."""
    return f"{node} alone"


@dataclass(eq=False, slots=True)
class _Op:  # compared by identity: removing one from a long queue must not compare fields
    base: float
    done: object
    node: str
    left: float = field(init=False)

    def __post_init__(self) -> None:
        self.left = self.base


def _attached_networks(t: Task) -> int:
    """Networks other than the default bridge the task's container joins: its own, and ingress for a port
    published through the routing mesh (executor controller.go hasServiceBinding)."""
    return len(t.spec.networks) + (1 if on_ingress(t.endpoint.ports) else 0)


@dataclass(slots=True)
class _Run:
    task: Task
    workload: Workload  # what its container does; fixed for the task's life
    process: object = None
    changed: object = None
    removed: bool = False
    container_at: float | None = None  # the container's process started
    started_at: float | None = None    # the task is RUNNING: it is in the load balancer
    draining: bool = False           # shutdown began: weight 0 in the load balancer
    ended: bool = False              # its process is gone (exited, SIGTERM, SIGKILL): connections to it reset
    exited: object = None            # an event for the traffic clients waiting on it, made when one asks
    wake_on_any: bool = False        # its lifecycle waits for any new version of the task, not only a new desired state
    attached: bool = False           # its start is past the network check: it has endpoints until its process ends
    bound: tuple = ()                # its host-mode ports as dockerd bound them (a picked one filled in)
    created_at: float | None = None  # its container was created (`docker ps` lists it from then)
    ended_at: float | None = None    # its container's process ended
    health: str = ""                 # the container's health while it has a healthcheck: starting, healthy, ...


@dataclass(frozen=True, slots=True)
class Container:
    """A task's container as dockerd keeps it (`docker ps -a`), from its creation until the task leaves the
    node's assignments (the agent removes it then); `exit_code` None while it has not ended."""

    task: Task
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    exit_code: int | None = None
    health: str = ""
    bound: tuple = ()


class Agent:
    def __init__(self, manager: "Manager", node: str, images: dict[str, Workload], host: Host):
        self.manager = manager
        self.sim = manager.sim
        self.node = node
        self.timing: Timing = manager.timing
        self.images = images
        self.host = host
        self.present: dict[str, None] = {image: None for image, w in images.items()
                                         if w.present is None or node in w.present}
        self.pulls: dict[str, object] = {}
        self._last_port: dict[str, int] = {}  # protocol -> the host port dockerd picked last here
        self.networks: dict[str, object] = {}  # network name -> its setup here (a process, done or not), till its last task's shutdown or rm
        self.released: set[str] = set()  # networks the node had and lost with their last task: set up again
        self.runs: dict[str, _Run] = {}
        self.connected = True
        self.alive = True
        self.died: str | None = None  # how dockerd went: crash (killed with its containers) or stop
        self.fresh = False    # a restarted dockerd's agent: its first session attempt is immediate
        self.seeking = False  # its session loop runs (Swarm._seek_session)
        self.outbox: dict[str, tuple] = {}  # statuses not yet delivered while disconnected, with their times
        self.done: dict[str, None] = {}  # the worker's task database: tasks whose run here is over (their containers
                                         # died with an earlier dockerd, or they ended), never run again
        self.logs: dict[str, list[tuple[float, str]]] = {}  # each container's (time, line), as dockerd's json-file
                                                           # log keeps them
        self.ended: dict[str, Container] = {}  # containers whose task's run is over, until the task is removed
        self.remembered: list[tuple[Task, float]] = []  # after a crash: its tasks in the others' records, until

    def log(self, task_id: str, line: str) -> None:
        """A line a container printed; at most MAX_LOG_LINES a container (the oldest are dropped). A line longer
        than MAX_LOG_LINE characters is kept as pieces of that length, each its own entry, as dockerd's copier
        splits it into partial messages (moby#32923); a line's pieces are made once and shared."""
        lines = self.logs.setdefault(task_id, [])
        now = self.sim.now
        if len(line) <= MAX_LOG_LINE:
            lines.append((now, line))
        else:
            pieces = _LOG_PIECES.get(line)
            if pieces is None:
                if len(_LOG_PIECES) >= 256:  # the distinct long lines of the scenarios run in this process
                    _LOG_PIECES.clear()
                pieces = _LOG_PIECES[line] = tuple(line[i:i + MAX_LOG_LINE] for i in range(0, len(line), MAX_LOG_LINE))
            lines.extend((now, piece) for piece in pieces[-MAX_LOG_LINES:])
        if len(lines) > MAX_LOG_LINES:
            del lines[:len(lines) - MAX_LOG_LINES]

    # -- assignments ------------------------------------------------------------------------------------
    def assign(self, tasks: Iterable[Task]) -> None:
        """The full set of tasks the dispatcher has for this node: those assigned or further, of the node's
        tasks in the store's order."""
        runs, done = self.runs, self.done
        wanted: set[str] = set()
        listed = set() if self.ended or done else None
        for t in tasks:
            task_id = t.id
            if listed is not None:
                listed.add(task_id)
            if t.state < ASSIGNED or task_id in done:
                continue
            wanted.add(task_id)
            run = runs.get(task_id)
            if run is None:
                if t.state <= RUNNING:
                    run = _Run(task=t, workload=self._workload(t), changed=self.sim.env.event())
                    runs[task_id] = run
                    run.process = self.sim.process(self._lifecycle(run))
            elif run.task is not t:  # a node's every batch lists all its tasks, most of them unchanged
                self._notify(run, t)
        if listed is not None:  # the worker forgets a task the node no longer has, and removes its container
            for task_id in [k for k in self.ended if k not in listed]:
                del self.ended[task_id]
            for task_id in [k for k in done if k not in listed]:
                del done[task_id]
        if not wanted.issuperset(runs):
            for task_id in [k for k in runs if k not in wanted]:
                run = runs[task_id]
                run.removed = True
                self._notify(run, run.task)

    def _notify(self, run: _Run, t: Task) -> None:
        """Wake the task's lifecycle if it waits and what it waits for may have changed: its removal or a new
        desired state (a node's every assignment batch lists all its tasks, mostly unchanged)."""
        old, run.task = run.task, t
        changed = run.changed  # an event nobody waits on stays untriggered: every waiter makes a fresh one
        if changed.callbacks and not changed.triggered and (
                run.removed or run.wake_on_any or t.desired != old.desired):
            changed.succeed()

    def _workload(self, t: Task) -> Workload:
        """The service's x-workload over the image's over the defaults."""
        base = self.images.get(t.image, Workload()).over(DEFAULT_WORKLOAD)
        return t.spec.workload.over(base) if t.spec.workload else base

    def _report(self, run: _Run, state: TaskState, msg: str, err: str = "", exit_code: int | None = None) -> None:
        if run.removed:
            return
        if self.connected:
            self.manager.dispatcher.report(run.task.id, state, msg, err, exit_code)
        else:
            self.outbox[run.task.id] = (state, msg, err, exit_code, self.sim.now)

    def _stop_wanted(self, run: _Run) -> bool:
        return run.removed or run.task.desired >= SHUTDOWN

    def _wait_change(self, run: _Run, any_change: bool = False):
        run.changed = self.sim.env.event()
        run.wake_on_any = any_change
        return run.changed

    # -- the lifecycle ------------------------------------------------------------------------------------
    def _lifecycle(self, run: _Run):
        try:
            yield from self._drive(run)
        except simpy.Interrupt:
            pass  # the node died with its containers

    def _drive(self, run: _Run):
        state = run.task.state
        if self._stop_wanted(run):
            yield from self._finish_without_container(run, state)
            return
        yield self.sim.timeout(self.timing.accept)
        self._report(run, ACCEPTED, "accepted")
        self._report(run, PREPARING, "preparing")
        prepared = yield from self._prepare(run)
        if not prepared:
            return
        self._report(run, READY, "prepared")
        while run.task.desired < RUNNING and not self._stop_wanted(run):
            yield self._wait_change(run)
        if self._stop_wanted(run):
            yield from self._finish_without_container(run, READY)
            return
        self._report(run, STARTING, "starting")
        # Start finds the networks set up, unless another task's shutdown took the node's copy meanwhile: the
        # container's start fails with ErrNoSuchNetwork and controller.go Start creates them again, then retries.
        yield from self._create_networks(run.task)
        run.attached = True
        yield from self._busy(self.timing.container_start + self.timing.network_attach * _attached_networks(run.task))
        ports = len(host_ports(run.task))
        if ports and self.timing.port_publish > 0:
            yield from self.host.serially(self.sim, self.node, self.timing.port_publish * ports)
        run.container_at = self.sim.now
        run.bound = self._bind_host_ports(run.task)
        for line in run.workload.logs or ():
            self.log(run.task.id, line)
        check = run.task.spec.healthcheck
        if check is not None and check.enabled:
            run.health = "starting"
            verdict = yield from self._until_healthy(run, check)
            run.health = "healthy" if verdict is True else "unhealthy" if verdict == "unhealthy" else run.health
            if verdict is not True:
                yield from self._end_unhealthy(run, verdict)
                return
        run.started_at = self.sim.now
        self._report(run, RUNNING, "started")
        yield from self._run(run)

    def _until_healthy(self, run: _Run, check):
        """Probe every `interval` from the container's start (daemon/health.go) until the first pass.

        A probe passes once the workload serves (its start_time has elapsed), unless the
        workload is declared unhealthy; failures inside the start period do not count, and
        `retries` failures in a row make the container unhealthy. Returns True (healthy),
        "unhealthy", "exited" (the process ended first) or "stop" (a shutdown came first).
        """
        workload = run.workload
        exit_at = run.container_at + workload.exit_after if workload.exit_after is not None else None
        failures = 0
        probe_at = run.container_at + check.probe_interval
        while True:
            wake = min(probe_at, exit_at) if exit_at is not None else probe_at
            change = self._wait_change(run, any_change=True)  # each wake re-arms the probe timer, as it always did
            yield change | self.sim.timeout(wake - self.sim.now)
            if self._stop_wanted(run):
                return "stop"
            if exit_at is not None and self.sim.now >= exit_at:
                return "exited"
            if self.sim.now < probe_at:
                continue
            if workload.healthy is not False and self.sim.now >= run.container_at + workload.start_time:
                return True
            if self.sim.now >= run.container_at + check.start_period:
                failures += 1
                if failures >= check.probe_retries:
                    return "unhealthy"
            probe_at += check.probe_interval

    def _end_unhealthy(self, run: _Run, verdict: str):
        """The task never became healthy: it was stopped, it exited, or it was unhealthy (controller.go Start).

        Unhealthy: Start calls Shutdown itself (no retry backoff) and waits for the container to die. A
        non-zero exit fails the task with the unhealthy cause; a clean one (a workload that exits 0 on
        SIGTERM) lets Start return, so the task runs and finishes at once: `complete` (seen: every cycle of
        q on the real swarm, 2.4 s from starting to complete with two 1 s probes).
        """
        if verdict == "stop":
            yield from self._stop(run)
        elif verdict == "unhealthy":
            yield from self._shutdown(run)
            if run.workload.ignore_sigterm:
                self._exited(run, 137, "starting", ": dockerexec: unhealthy container")
            else:
                self._report(run, RUNNING, "started")
                self._exited(run, 0, "started")
        else:
            self._process_ended(run)
            yield from self._busy(self.timing.stop_exit)
            self._exited(run, run.workload.exit_code, "starting")

    def _exited(self, run: _Run, code: int, msg: str, cause: str = "") -> None:
        """The container's process ended: COMPLETE on 0, else FAILED with Docker's exit error."""
        if code:
            self._report(run, FAILED, msg, f"task: non-zero exit ({code}){cause}", exit_code=code)
        else:
            self._report(run, COMPLETE, "finished", exit_code=0)
        self._done(run, code)

    def _done(self, run: _Run, exit_code: int | None = None, over: bool = True) -> None:
        """The run is over; when it ended `over` (not with its dockerd) the worker remembers it, so a later
        assignment listing the task, as the one a new session brings before its status is stored, does not run
        it again. Its container, if it got one, stays (exited, or only created) till the task goes."""
        self.runs.pop(run.task.id, None)
        if over:
            self.done[run.task.id] = None
        if run.created_at is not None:
            ended = run.ended_at if run.ended_at is not None else self.sim.now
            self.ended[run.task.id] = Container(run.task, run.created_at, run.container_at,
                                                ended if run.container_at is not None else None,
                                                exit_code if run.container_at is not None else None,
                                                run.health, run.bound)

    def containers(self) -> list[Container]:
        """The node's containers, as dockerd lists them (`docker ps -a`), oldest first."""
        now = [Container(r.task, r.created_at, r.container_at, health=r.health, bound=r.bound)
               for r in self.runs.values() if r.created_at is not None]
        return sorted(now + list(self.ended.values()), key=lambda c: c.created_at)

    def _finish_without_container(self, run: _Run, state: TaskState):
        if state < COMPLETE:
            yield self.sim.timeout(self.timing.accept)
            self._report(run, SHUTDOWN, "shutdown")
        self._done(run)

    def _busy(self, base: float):
        """A container operation, slowed down by the others running at the same time (see Host)."""
        yield from self.host.work(self.sim, self.node, base)

    def _prepare(self, run: _Run):
        yield from self._create_networks(run.task)
        image = run.task.image
        if image not in self.present and image in self.images:  # an image not listed is on every node
            if image not in self.pulls:
                self.pulls[image] = self.sim.process(self._pull(image))
            yield self.pulls[image]
            if image not in self.present:
                # The pull error is only logged; creating the container then fails (controller.go Prepare).
                self._report(run, REJECTED, "preparing", f"No such image: {image}")
                self.runs.pop(run.task.id, None)
                return False
        refused = container_create_error(run.task.spec)
        if refused:  # dockerd checks the settings before it creates anything
            self._report(run, REJECTED, "preparing", refused)
            self.runs.pop(run.task.id, None)
            return False
        yield from self._busy(self.timing.container_create)
        run.created_at = self.sim.now
        if self._stop_wanted(run):
            yield from self._finish_without_container(run, PREPARING)
            return False
        return True

    def _create_networks(self, t: Task):
        """controller.go Prepare creates the task's networks on the node before anything else. The node's
        first task on a network sets it up (libnetwork NewNetwork: the overlay's namespace, bridge and vxlan
        and its load-balancer sandbox), `network_create` at the node's own pace, slowed by its ingress setup;
        a task that comes meanwhile waits for the same setup (NewNetwork holds a lock per network), a later
        one finds the network there."""
        if self.timing.network_create <= 0 and self.timing.network_recreate <= 0:
            return
        for name in t.spec.networks:
            setup = self.networks.get(name)
            if setup is None:
                base = self.timing.network_recreate if name in self.released else self.timing.network_create
                setup = self.networks[name] = self.sim.process(
                    self.host.work(self.sim, self.node, base, alone=True))
            if not setup.processed:
                yield setup

    def network_removed(self, name: str) -> None:
        """A network removed from the swarm is gone from the node too (its last task's removal took it, moby's
        controller.go Remove): one created again under the name is a new network (a new ID) to set up."""
        self.networks.pop(name, None)
        self.released.discard(name)

    def _bind_host_ports(self, t: Task) -> tuple:
        """dockerd's bindings of the task's host-mode ports: a given one as is; one given none the next free port
        of the ephemeral range after the last picked, per protocol, wrapping round (libnetwork portallocator)."""
        ports = [p for p in t.endpoint.ports if p.mode == "host"]
        if all(p.published for p in ports):
            return tuple(ports)
        used = {(p.protocol, p.published) for run in self.runs.values() if not run.ended for p in run.bound}
        used.update((p.protocol, p.published) for p in ports if p.published)
        low, high = EPHEMERAL
        bound = []
        for p in ports:
            if not p.published:
                taken = {port for protocol, port in used if protocol == p.protocol}
                port = serial_pick(low, high, self._last_port.get(p.protocol, low - 1) + 1, taken)
                if port is None:  # every port in use: dockerd fails the start; not modelled, the port stays unbound
                    continue
                self._last_port[p.protocol] = port
                used.add((p.protocol, port))
                p = replace(p, published=port)
            bound.append(p)
        return tuple(bound)

    def _pull(self, image: str):
        workload = self.images.get(image, Workload())
        if workload.pullable is False:
            yield self.sim.timeout(self.timing.pull_base)  # the registry says no
        else:
            yield self.sim.timeout(self.timing.pull_base + (workload.size or 0) / self.timing.pull_rate)
            self.present[image] = None
        self.pulls.pop(image, None)

    def _run(self, run: _Run):
        exit_after = run.workload.exit_after
        exits = self.sim.timeout(exit_after) if exit_after is not None else None
        while not self._stop_wanted(run):
            change = self._wait_change(run)
            yield change | exits if exits is not None else change
            # A Timeout is `triggered` from its creation; only `processed` says it has fired.
            if exits is not None and exits.processed and not self._stop_wanted(run):
                self._process_ended(run)
                yield from self._busy(self.timing.stop_exit)  # dockerd handles the exit, then Wait returns
                self._exited(run, run.workload.exit_code, "started")
                return
        yield from self._stop(run)

    def _stop(self, run: _Run):
        """Shutdown of a running task, in Docker's order.

        The new desired state cancels the controller's Wait, which exec.Do turns into
        ErrTaskRetry; the task manager re-runs Do only after its 1 s retry backoff
        (swarmkit agent/task.go), and only then calls Shutdown: leave the load balancer and
        sleep 2 s if on a non-default network (moby executor controller.go), SIGTERM, wait up
        to the grace period, SIGKILL, and dockerd's handling of the exit.
        """
        yield self.sim.timeout(self.timing.stop_delay)
        yield from self._shutdown(run)
        self._report(run, SHUTDOWN, "shutdown")
        self._done(run, 137 if run.workload.ignore_sigterm else 143)  # SIGKILL, or SIGTERM's default action

    def _shutdown(self, run: _Run):
        """controller.go Shutdown: leave the service binding (+2 s gossip delay off the default bridge),
        SIGTERM, the grace period if it is ignored, SIGKILL, and dockerd's handling of the exit, which
        takes its endpoints out of their networks."""
        t = run.task
        run.draining = True
        networks = _attached_networks(t)
        if networks:
            yield self.sim.timeout(self.timing.lb_deregister)
        if run.workload.ignore_sigterm:
            # moby's executor hands dockerd the grace period's whole seconds (0.5 s is 0: SIGKILL at once),
            # and dockerd waits for a graceful exit without end when they are negative
            grace = math.trunc(t.spec.stop_grace_period)
            yield self.sim.timeout(grace) if grace >= 0 else self.sim.env.event()
        self._process_ended(run)
        yield from self._busy(self.timing.stop_exit + self.timing.network_detach * networks)
        self._release_networks(run.task)

    def _release_networks(self, t: Task) -> None:
        """controller.go Shutdown ends with removeNetworks: each of the task's networks is deleted from the node
        unless another container still has an endpoint on it (libnetwork refuses with ActiveEndpointsError; the
        load balancer's own endpoint does not count). So the node's last running task on a network takes the
        node's copy with it, and the next task there sets the network up again (`network_recreate`): in its
        Prepare, or, prepared before (a stop-first replacement), in its Start (docs/measurements.md (p))."""
        for name in t.spec.networks:
            setup = self.networks.get(name)
            if setup is None or not setup.processed:
                continue
            if not any(run.attached and not run.ended and run.task.id != t.id and name in run.task.spec.networks
                       for run in self.runs.values()):
                del self.networks[name]
                self.released.add(name)

    def _process_ended(self, run: _Run) -> None:
        """The container's process is gone (SIGTERM obeyed, SIGKILL, or its own exit): the kernel resets
        the connections it held."""
        run.ended, run.ended_at = True, self.sim.now
        if run.exited is not None:
            run.exited.succeed()

    def process_exit(self, task_id: str):
        """An event that fires when the process of `task_id` ends (None if it has no running container)."""
        run = self.runs.get(task_id)
        if run is None or run.started_at is None or run.ended:
            return None
        if run.exited is None:
            run.exited = self.sim.env.event()
        return run.exited

    def backends(self, published: bool = False) -> list[tuple[Task, float, bool]]:
        """(task, when its process listens, draining) of every container in the load balancer on this node; a
        process that has ended never listens again. A crashed node's tasks stay there, dead, for `gossip_dead`.
        `published`: every container whose process started instead, running or not: a host-mode port is
        bound when the container starts, before a healthcheck passes (the balancer waits for RUNNING)."""
        now = self.sim.now
        return [(run.task, float("inf") if run.ended else run.container_at + run.workload.start_time, run.draining)
                for run in self.runs.values()
                if (run.container_at if published else run.started_at) is not None] + \
            [(task, float("inf"), False) for task, until in self.remembered if now < until]

    # -- node faults ------------------------------------------------------------------------------------
    def find_dead(self, tasks: list[Task], exit_code: int) -> None:
        """A restarted dockerd's agent reads its task database: containers that were started died with the
        old daemon. They fail at once, with this time, and the statuses wait for a session (seen: exit 255
        stamped 0.8-1.0 s after a crashed dockerd was started again, delivered when a leader appeared)."""
        for t in tasks:
            if STARTING <= t.state <= RUNNING:
                self.done[t.id] = None
                self.outbox[t.id] = (FAILED, "started", f"task: non-zero exit ({exit_code})", exit_code,
                                     self.sim.now)

    def disconnect(self) -> None:
        """The session to the leader is lost; containers keep running and statuses queue up."""
        self.connected = False

    def reconnect(self) -> None:
        """The session opened: statuses held meanwhile go out with the times they were taken."""
        self.connected, self.seeking, self.fresh = True, False, False
        outbox, self.outbox = self.outbox, {}
        for task_id, (state, msg, err, exit_code, at) in outbox.items():
            self.manager.dispatcher.report(task_id, state, msg, err, exit_code, at)

    def crash(self, kind: str = "crash") -> None:
        """dockerd and its containers die: nothing more is reported (the session is lost by the caller)."""
        self.alive = False
        self.died = kind
        if kind == "crash":  # no gossip leave: the other nodes keep its tasks until they find it dead
            until = self.sim.now + self.timing.gossip_dead
            self.remembered = [(run.task, until) for run in self.runs.values()
                               if run.started_at is not None and not run.draining]
        for run in list(self.runs.values()):
            run.removed = True
            if run.process is not None and run.process.is_alive:
                run.process.interrupt()
            if run.container_at is not None and not run.ended:  # killed with dockerd, or stopped by it
                run.ended_at = self.sim.now
                self._done(run, 255 if kind == "crash" else 137, over=False)  # find_dead fails it on restart
            elif run.created_at is not None:
                self._done(run, run.workload.exit_code if run.ended else None, over=False)  # prepared again
        self.runs.clear()
