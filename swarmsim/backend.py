"""Backends and the one driver that runs a scenario on any of them.

`run_scenario(scenario, backend)` deploys the scenario's services (like `docker
stack deploy`), runs its steps in order and returns the trace. The simulated
backend lives here; the real one (validation/) implements the same protocol.
"""
from __future__ import annotations

import gc
import math
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Protocol

from .dockercli import commands as c
from .dockercli.parse import CommandError, apply_update
from .dockercli.registry import digest_warning, resolved, stack_lookup
from .control.convergence import swarm_converged
from .model import NodeStatus, Role
from .model.scenario import (At, Fail, Heal, NetworkDecl, Partition, Run, Scenario, Step, WaitConverged, WaitFor,
                             step_problem)
from .sim.progress import service_progress
from .model.errors import DAEMON_DOWN, NO_LEADER, NO_LEADER_TIMEOUT
from .model.limits import DEFAULT_CONVERGE_TIMEOUT, OUTPUT_LIMIT, LimitExceeded
from .sim.swarm import SimSwarm, SwarmError
from .sim import stack as stacks
from .model.service import on_ingress
from .sim import containers, netinspect
from .model.stack import IMAGE_LABEL, NAMESPACE_LABEL, Stack, SwarmObject
from .trace import Trace
from .dockercli import render, version
from .dockercli.template import TemplateError

SWARM_LOCKED = ("Error response from daemon: Swarm is encrypted and needs to be unlocked before it can be used. "
                "Please use \"docker swarm unlock\" to unlock it.")
NOT_A_MANAGER = ("Error response from daemon: This node is not a swarm manager. Worker nodes can't be used to "
                 "view or modify cluster state. Please run this command on a manager node or promote the "
                 "current node to a manager.")
NOT_IN_SWARM = ("Error response from daemon: This node is not a swarm manager. Use \"docker swarm init\" or "
                "\"docker swarm join\" to connect this node to swarm and try again.")


class ScenarioRefused(Exception):
    """A backend cannot run this scenario (e.g. no routing mesh); said before anything starts."""


@dataclass(frozen=True)
class StepResult:
    ok: bool
    output: str = ""
    reached: bool | None = None


def _warned(warning: str, result: StepResult) -> StepResult:
    """A step's output after the warning the daemon's answer carried (stderr, printed before the answer)."""
    return replace(result, output=warning + result.output) if warning else result


class Backend(Protocol):
    """What runs a scenario: `SimBackend` simulates it, validation's DockerBackend replays it on a real swarm."""

    name: str
    capabilities: frozenset[str]

    def start(self, scenario: Scenario) -> None: ...
    def now(self) -> float: ...
    def deploy(self, scenario: Scenario) -> None: ...
    def run_step(self, step: Step) -> StepResult: ...
    def record_step(self, index: int, step: Step, text: str, result: StepResult) -> None: ...
    def finish(self) -> Trace: ...


def _settings(options: c.SwarmOptions) -> dict:
    """The cluster settings a swarm init or update gives (autolock apart), as SimSwarm's keywords."""
    return {"task_history_limit": options.task_history_limit, "dispatcher_heartbeat": options.dispatcher_heartbeat,
            "max_snapshots": options.max_snapshots, "snapshot_interval": options.snapshot_interval,
            "cert_expiry": options.cert_expiry, "external_cas": options.external_cas}


def step_text(step: Step) -> str:
    """The step as its file wrote it, for the trace and the printed timeline."""
    match step:
        case Run(command=command, on=on):
            return f"run: {command}" + (f" (on {on})" if on else "")
        case WaitConverged():
            return "wait: converged"
        case WaitFor(seconds=s):
            return f"wait: {s:g}s"
        case At(time=t):
            return f"at: {t:g}s"
        case Fail(node=node, kind=kind):
            return f"fail: {node} {kind}"
        case Partition(groups=groups):
            return "partition: " + " | ".join(",".join(g) for g in groups)
        case Heal():
            return "heal"
    return type(step).__name__


def required_capabilities(scenario: Scenario) -> frozenset[str]:
    """What a backend must offer for this scenario: ingress-mode ports need the routing mesh; autolock, a
    backend that may lock the swarm's managers; a token rotation, one that may change the swarm's tokens."""
    needs = set()
    specs = list(scenario.services) + [s.parsed.spec for s in scenario.steps
                                       if isinstance(s, Run) and isinstance(s.parsed, c.ServiceCreate)]
    specs += [spec for s in scenario.steps if isinstance(s, Run) and isinstance(s.parsed, c.StackDeploy)
              and s.parsed.stack is not None for spec in s.parsed.stack.services]
    for spec in specs:
        if on_ingress(spec.endpoint.ports):
            needs.add("ingress")
        if spec.endpoint.mode == "vip" and spec.task.networks:
            needs.add("vip")
    if any(isinstance(s, (Partition, Heal)) for s in scenario.steps):
        needs.add("partition")
    if scenario.initial_leader is None:
        needs.add("swarm-init")
    commands = [s.parsed for s in scenario.steps if isinstance(s, Run)]
    if any(isinstance(cmd, (c.SwarmUnlock, c.SwarmUnlockKey)) or isinstance(cmd, c.SwarmUpdate) and
           cmd.options.autolock for cmd in commands):
        needs.add("autolock")
    if any(isinstance(cmd, c.SwarmJoinToken) and cmd.rotate for cmd in commands):
        needs.add("rotate-token")
    return frozenset(needs)


@contextmanager
def collector_for_a_run(first_generation: int = 50_000):
    """Garbage collection tuned for one long run: what exists before it (modules, the scenario) is
    frozen out of every collection, and the youngest generation is collected every
    `first_generation` allocations instead of every 700 (a simulation allocates millions of
    short-lived objects and few cycles; the default spends a quarter of the run collecting)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(first_generation, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def run_scenario(scenario: Scenario, backend: Backend, on_step=None) -> Trace:
    """Run every step in order; `on_step(index, text, result, t)` sees each as it completes. A simulated
    run past `scenario.limits.events` raises LimitExceeded (a ValueError) naming the step it was in."""
    if not isinstance(scenario, Scenario):
        raise TypeError(f"run_scenario: expected a Scenario (from load_scenario or ScenarioBuilder), got "
                        f"{type(scenario).__name__}")
    if not all(callable(getattr(backend, name, None)) for name in ("start", "deploy", "run_step", "finish")):
        raise TypeError(f"run_scenario: expected a backend such as SimBackend(), got {type(backend).__name__}")
    if isinstance(scenario.seed, bool) or not isinstance(scenario.seed, int):
        raise TypeError(f"run_scenario: the scenario's seed is {scenario.seed!r} (expected an integer)")
    if problem := step_problem(scenario):  # a scenario made with dataclasses.replace skips the file's checks
        index, message = problem
        line = getattr(scenario.steps[index], "line", 0)
        raise ValueError(f"{scenario.source or scenario.name}" + (f":{line}" if line else "") +
                         f": steps[{index}]: {message}")
    missing = required_capabilities(scenario) - backend.capabilities
    if missing:
        raise ScenarioRefused(f"the {backend.name} backend cannot run this scenario: it needs "
                              f"{', '.join(sorted(missing))}")
    backend.start(scenario)
    backend.deploy(scenario)
    printed = 0
    for index, step in enumerate(scenario.steps):
        where = f"{scenario.source or scenario.name}" + (f":{step.line}" if step.line else "") + f": steps[{index}]"
        try:
            if isinstance(step, Run) and (pause := scenario.think if step.think is None else step.think) > 0:
                backend.run_step(WaitFor(seconds=pause))  # the user types the command
            result = backend.run_step(step)
        except LimitExceeded as err:
            raise LimitExceeded(f"{where}: {err} (expected a scenario whose events thin out, or "
                                f"raise the bound with limits: {{events: N}})") from None
        printed += len(result.output)
        if printed > OUTPUT_LIMIT:  # the trace keeps every step's output: 2,000 listings of 5,000 tasks were 1 GB
            raise LimitExceeded(f"{where}: the steps printed more than {OUTPUT_LIMIT:,} characters "
                                "by this one (expected fewer listings of a big swarm)")
        text = step_text(step)
        backend.record_step(index, step, text, result)
        if on_step is not None:
            on_step(index, text, result, backend.now())
    return backend.finish()


class SimBackend:
    """The simulator behind the Backend protocol."""

    name = "sim"
    capabilities = frozenset({"ingress", "vip", "partition", "swarm-init", "autolock", "rotate-token"})

    def __init__(self) -> None:
        self.swarm: SimSwarm | None = None

    def start(self, scenario: Scenario) -> None:
        from . import __version__
        self.swarm = SimSwarm(scenario, {"swarmsim": __version__})

    def now(self) -> float:
        return self.swarm.now

    def deploy(self, scenario: Scenario) -> None:
        for spec in scenario.services:
            self.swarm.create_service(spec)

    def record_step(self, index: int, step: Step, text: str, result: StepResult) -> None:
        fields = {"index": index, "step": text, "ok": result.ok, "output": result.output}
        if result.reached is not None:
            fields["reached"] = result.reached
        self.swarm.trace.emit(self.swarm.now, "step", **fields)

    def finish(self) -> Trace:
        self.swarm.traffic.flush()
        return self.swarm.trace.finish()

    # -- steps ------------------------------------------------------------------------------------
    def run_step(self, step: Step) -> StepResult:
        swarm = self.swarm
        match step:
            case At(time=t):
                swarm.run_until(t)
            case WaitFor(seconds=s):
                swarm.run_until(swarm.now + s)
            case WaitConverged(timeout=timeout):
                reached = self._wait(self._quiet_process(timeout or DEFAULT_CONVERGE_TIMEOUT))
                return StepResult(reached, "" if reached else "timed out before the swarm converged", reached)
            case Fail(node=node, kind=kind):
                swarm.fail_node(node, kind)
            case Run(parsed=command, on=on):
                if swarm.timing.cli_start:  # the docker process starts before its API call reaches the manager
                    swarm.run_until(swarm.now + swarm.timing.cli_start)
                return self._run(command, on or swarm.scenario.leader)
            case Partition(groups=groups):
                swarm.partition(groups)
            case Heal():
                swarm.heal()
        return StepResult(True)

    def _wait(self, process):
        """Run the simulation until `process` ends; its value."""
        return self.swarm.sim.run(process)

    def _quiet_process(self, timeout: float):
        return self.swarm.sim.process(self._until_quiet(timeout))

    def _until_quiet(self, timeout: float):
        """wait: converged, then stable for the longest update monitor period (the CLI's stability wait)."""
        swarm = self.swarm
        deadline = swarm.now + timeout
        stable_since = None
        seen_version, quiet = -1, False
        while swarm.now <= deadline:
            store = swarm.store
            if store.version != seen_version:
                seen_version = store.version
                pending = (store.tasks[i] for i in store.unsettled)
                quiet = all(store.nodes.get(t.node or "") is not None and
                            store.nodes[t.node].status is NodeStatus.DOWN for t in pending) and \
                    swarm_converged(store.services.values(), store.tasks.values(), store.nodes)
            if quiet:
                stable_since = swarm.now if stable_since is None else stable_since
                monitor = max((s.spec.update_config.monitor for s in store.services.values()), default=0.0)
                if swarm.now - stable_since >= monitor:
                    return True
            else:
                stable_since = None
            yield swarm.sim.timeout(swarm.timing.cli_poll)
        return False

    def _progress(self, service_id: str, head: list[str], quiet: bool = False) -> StepResult:
        """An attached command's wait and its progress (`quiet`: the wait alone, as -q discards the progress)."""
        ok, lines = self._wait(self.swarm.sim.process(service_progress(self.swarm, service_id)))
        return StepResult(ok, "\n".join(head + ([] if quiet else lines)))

    def _run(self, command: c.Command, on: str) -> StepResult:
        swarm = self.swarm
        node = swarm.store.nodes.get(on)
        # the unlock key is fetched after everything else: the CLI says so (runUnlockKey)
        said = "could not fetch unlock key: " if isinstance(command, c.SwarmUnlockKey) and not command.rotate \
            else ""
        if on in swarm.locked and not isinstance(command, c.WORKER_OK):
            return StepResult(False, said + SWARM_LOCKED)
        if not isinstance(command, c.WORKER_OK) or getattr(command, "force_new_cluster", False):
            if on not in swarm.agents:
                return StepResult(False, said + NOT_IN_SWARM)
            if node.role is not Role.MANAGER:
                return StepResult(False, said + NOT_A_MANAGER)
            write = not isinstance(command, c.READ_ONLY) or getattr(command, "rotate", False)
            if not isinstance(command, c.LEADERLESS_OK) and (error := swarm.leader_error(on, write)):
                if error == NO_LEADER:  # the manager waits for a leader before giving up
                    swarm.run_until(swarm.now + swarm.timing.no_leader_wait)
                    error = NO_LEADER_TIMEOUT if write else NO_LEADER
                return StepResult(False, error)
        try:
            return self._execute(command, on)
        except (SwarmError, TemplateError, CommandError, render.DaemonError) as err:
            # CommandError: a flag the current spec refuses; DaemonError: a listing's filter the daemon refuses
            return StepResult(False, str(err))

    def _stack_lookups(self, stack: Stack, mode: str) -> tuple[Stack, dict[str, str]]:
        """The stack's services as docker/cli sends them: resolved where --resolve-image says so; and the
        daemon's digest warning for each service whose lookup found no image."""
        services, warnings = [], {}
        for spec in stack.services:
            current = self.swarm.store.service(spec.name)
            # deploy_composefile.go compares the file's image with the one the last deploy wrote in the label
            lookup = stack_lookup(mode, spec.task.image, current and current.spec.labels.get(IMAGE_LABEL))
            services.append(resolved(spec, self.swarm.images, lookup))
            warnings[spec.name] = digest_warning(services[-1], self.swarm.images, lookup)
        return replace(stack, services=tuple(services)), warnings

    def _execute(self, command: c.Command, on: str) -> StepResult:
        swarm, store = self.swarm, self.swarm.store
        match command:
            case c.Inspect() as inspect:
                return self._inspect(inspect, on)
            case c.Version(format=fmt):
                agent = swarm.agents.get(on)
                up = agent is None or agent.alive  # a node outside the swarm runs its dockerd all the same
                try:
                    text = version.version(fmt, server=up)
                except version.VersionError as err:  # prettyPrintVersion's newline, then the error
                    return StepResult(False, f"\n{err}")
                return StepResult(True, text) if up else StepResult(False, text + DAEMON_DOWN)
            case c.ServiceCreate(spec=spec, detach=detach, resolve_image=lookup, quiet=quiet):
                sent = resolved(spec, swarm.images, lookup)
                service = swarm.create_service(sent)
                result = StepResult(True, service.id) if detach else self._progress(service.id, [service.id], quiet)
                return _warned(digest_warning(sent, swarm.images, lookup), result)
            case c.ServiceUpdate(service=name, changes=changes, detach=detach, rollback=rollback, resolve_image=lookup,
                                 quiet=quiet):
                current = swarm.service(name)
                warning = ""
                if rollback:
                    service = swarm.rollback_service(name)
                else:
                    sent = resolved(apply_update(current.spec, changes), swarm.images, lookup)
                    service = swarm.update_service(name, sent)
                    warning = digest_warning(sent, swarm.images, lookup)
                return _warned(warning, StepResult(True, name) if detach else self._progress(service.id, [name], quiet))
            case c.ServiceRollback(service=name, detach=detach, quiet=quiet):
                service = swarm.rollback_service(name)
                return StepResult(True, name) if detach else self._progress(service.id, [name], quiet)
            case c.ServiceScale(scales=scales, detach=detach):
                out, ok = [], True
                for name, replicas in scales:
                    current = swarm.service(name)
                    if current.per_node:
                        out.append(f"{name}: scale can only be used with replicated or replicated-job mode")
                        ok = False
                        continue
                    swarm.update_service(name, replace(current.spec, replicas=replicas))
                    out.append(f"{name} scaled to {replicas}")
                if not detach:
                    for name, _ in scales:
                        service = store.service(name)
                        if service is not None and not service.per_node:
                            result = self._progress(service.id, [])
                            ok = ok and result.ok
                            out.append(result.output)
                return StepResult(ok, "\n".join(out))
            case c.ServiceRemove(services=names):
                return StepResult(True, "\n".join(swarm.remove_service(n) for n in names))
            case c.NodeUpdate(node=name, availability=availability, label_add=add, label_rm=rm, role=role):
                return StepResult(True, swarm.update_node(name, availability, add, rm, role))
            case c.NodePromote(nodes=names):
                for n in names:
                    swarm.update_node(n, role="manager")
                return StepResult(True, "\n".join(f"Node {n} promoted to a manager in the swarm." for n in names))
            case c.NodeDemote(nodes=names):
                for n in names:
                    swarm.update_node(n, role="worker")
                return StepResult(True, "\n".join(f"Manager {n} demoted in the swarm." for n in names))
            case c.NodeRm(nodes=names, force=force):
                return StepResult(True, "\n".join(swarm.remove_node(n, force) for n in names))
            case c.NetworkCreate() as create:
                net = swarm.create_network(NetworkDecl(create.name, create.driver, create.attachable, create.subnet,
                                                       dict(create.labels), dict(create.options), create.internal))
                return StepResult(True, net.id)
            case c.NetworkRm(networks=names):
                return StepResult(True, "\n".join(swarm.remove_network(n) for n in names))
            case c.SwarmJoin(token=token, availability=availability):
                return StepResult(True, swarm.join(on, token, availability))
            case c.SwarmLeave(force=force):
                return StepResult(True, swarm.leave(on, force))
            case c.SwarmUnlock():
                return StepResult(True, swarm.unlock(on))
            case c.SwarmInit(force_new_cluster=True):
                swarm.raft.force_new_cluster(on)
                return StepResult(True, f"Swarm initialized: current node ({swarm.store.nodes[on].id}) is now a "
                                        f"manager.")
            case c.SwarmInit() as init:
                out = swarm.init(on, init.advertise_addr, init.availability, init.default_addr_pools,
                                 init.subnet_size, init.data_path_port, bool(init.options.autolock),
                                 **_settings(init.options))
                return StepResult(True, out + render.unlock_command(swarm.cluster.unlock_key))
            case c.ObjectCreate(kind=kind, name=name, labels=labels, size=size, data=data):
                return StepResult(True, swarm.create_object(kind, SwarmObject(name, dict(labels), size, data)))
            case c.ObjectRm(kind=kind, names=names):
                out, errors = [], []
                for name in names:  # each one tried; the errors together at the end, as the CLI does
                    try:
                        out.append(swarm.remove_object(kind, name))
                    except SwarmError as err:
                        errors.append(str(err))
                return StepResult(not errors, "\n".join(out + errors))
            case c.StackDeploy(stack=stack, prune=prune, resolve_image=mode):
                return StepResult(*stacks.deploy(swarm, *self._stack_lookups(stack, mode), prune=prune))
            case c.StackRm(namespaces=namespaces):
                return StepResult(*stacks.remove(swarm, namespaces))
            case c.SwarmUpdate(options=options):
                locked = swarm.update_cluster(options.autolock, **_settings(options))
                return StepResult(True, "Swarm updated.\n" + (render.unlock_command(swarm.cluster.unlock_key)
                                                                if locked else ""))
            case c.SwarmUnlockKey(rotate=rotate, quiet=quiet):
                head = ""
                if rotate:
                    swarm.rotate_unlock_key()
                    head = "" if quiet else "Successfully rotated manager unlock key.\n\n"
                if not swarm.cluster.unlock_key:
                    raise SwarmError("no unlock key is set")
                key = swarm.cluster.unlock_key
                return StepResult(True, head + (key + "\n" if quiet else render.unlock_command(key)))
        return StepResult(True, self._read(command, on))

    def _bound(self) -> dict:
        """Each running container's host-mode ports as its node's dockerd bound them, by task ID."""
        return {task_id: run.bound for agent in self.swarm.agents.values() for task_id, run in agent.runs.items()
                if run.bound}

    def _since(self, since: c.LogsSince | None) -> float | None:
        """`--since` as simulated time: a duration back from now in the whole Unix seconds the client sends, or
        a moment (the simulation's clock starts at render.EPOCH)."""
        if since is None:
            return None
        epoch = render.EPOCH.timestamp()
        if since.ago is not None:
            return math.floor(epoch + self.swarm.now - since.ago) - epoch
        return since.at - epoch

    def _allocation(self, services: list) -> render.Allocation:
        """What the allocator holds for `services`, as their inspect documents show it."""
        swarm = self.swarm
        ids = {name: net.swarm_id for name, net in swarm.networks.items()}
        allocator = swarm.manager.allocator
        return render.Allocation(ids, {s.id: [(ids[n], addr) for n, addr in allocator.vips(s)] for s in services},
                                 frozenset(allocator.unallocated_services), allocator.endpoints,
                                 {(kind, name): ident for kind, objects in swarm.objects.items()
                                  for name, (ident, _) in objects.items()}, frozenset(allocator.with_endpoint))

    def _inspect(self, command: c.Inspect, on: str) -> StepResult:
        """`docker inspect NAME...`: the documents found (JSON, or through -f), then the warnings and errors."""
        found, warnings, errors = [], [], []  # the warnings are printed as each is found, the errors at the end
        for name in command.names:
            try:
                kind, doc = self._inspected(name, command.type, on)
            except SwarmError as err:
                errors.append(str(err))
                continue
            found.append((kind, doc))
            if command.size and kind != "container":
                warnings.append(f"WARNING: --size ignored for {kind}")
        try:
            text = render.inspect_objects(found, format=command.format)
        except TemplateError as err:
            return StepResult(False, "\n".join([str(err), *warnings, *errors]))
        return StepResult(not errors, text + "\n".join(warnings + errors))

    def _inspected(self, name: str, kind_asked: str, on: str) -> tuple[str, dict]:
        """inspectAll (docker/cli cli/command/system/inspect.go): container, image, network, volume, service,
        task, node, plugin, secret, each tried in turn (the swarm's four only on a manager) and a kind that
        has no such object skipped, unless --type asks for that kind alone. Containers, images and tasks are
        found as docker finds them, but their documents are not simulated: the step says so."""
        swarm = self.swarm
        node = swarm.store.nodes.get(on)
        manager = on in swarm.agents and node is not None and node.role is Role.MANAGER
        for kind in c.INSPECT_TYPES_IN_ORDER:
            if kind_asked and kind != kind_asked:
                continue
            if kind in c.SWARM_INSPECT_TYPES:
                if not manager:
                    if not kind_asked:
                        continue
                    raise SwarmError(NOT_A_MANAGER if on in swarm.agents else NOT_IN_SWARM)
                if error := swarm.leader_error(on, write=False):
                    raise SwarmError(error)
            doc = self._inspect_document(kind, name, on)
            if doc is not None:
                return kind, doc
            if kind_asked:
                raise SwarmError(f"Error: No such {kind}: {name}")
        raise SwarmError(f"Error: No such object: {name}")

    def _inspect_document(self, kind: str, name: str, on: str) -> dict | None:
        swarm, store = self.swarm, self.swarm.store
        if kind == "container":
            if any(name in (row["name"], row["id"]) or row["id"].startswith(name)
                   for row in containers.listing(swarm, on)):
                raise SwarmError(f"swarmsim: {name} is a container of {on}: docker inspect of a container is not "
                                 "simulated (docker service ps and docker ps show what it holds)")
        elif kind == "image":
            agent = swarm.agents.get(on)
            held = set(agent.present if agent else ()) | {row["image"] for row in containers.listing(swarm, on)}
            if name in held or f"{name}:latest" in held:
                raise SwarmError(f"swarmsim: {name} is an image on {on}: docker inspect of an image is not simulated")
        elif kind == "network":
            doc = netinspect.network_document(swarm, name, on)
            return None if doc is None else render.network_document(doc)
        elif kind == "service":
            service = store.service(name)
            return None if service is None else render.service_document(service, self._allocation([service]))
        elif kind == "task":
            if name in store.tasks:
                raise SwarmError(f"swarmsim: {name} is a task: docker inspect of a task is not simulated (docker "
                                 "service ps shows its state, node and error)")
        elif kind == "node":
            found = store.nodes.get(name) or next((n for n in store.nodes.values() if n.id == name), None)
            return None if found is None else render.node_document(found)
        elif kind == "secret":
            try:
                return render.object_document("secret", *swarm.find_object("secret", name))
            except SwarmError:
                return None
        return None  # volumes and plugins: the simulator has none

    def _read(self, command: c.Command, on: str) -> str:
        swarm, store = self.swarm, self.swarm.store
        now = swarm.now
        match command:
            case c.ServicePs(services=names, no_trunc=no_trunc, quiet=quiet, filters=filters, format=fmt):
                ids = [swarm.service(n).id for n in names]
                tasks = [t for sid in ids for t in store.service_tasks(sid)]
                return render.service_ps(tasks, store.nodes, now, no_trunc=no_trunc, quiet=quiet, filters=filters,
                                         format=fmt, bound=self._bound())
            case c.ServiceLs(quiet=quiet, filters=filters, format=fmt):
                return render.service_ls(list(store.services.values()), list(store.tasks.values()), quiet=quiet,
                                         filters=filters, format=fmt, ports=swarm.manager.allocator.endpoints)
            case c.ServiceInspect(services=names, pretty=pretty, format=fmt):
                services = [swarm.service(n) for n in names]
                if pretty and not fmt:
                    return "\n".join(render.service_inspect_pretty(s, now, swarm.manager.allocator.endpoints)
                                     for s in services)
                allocation = self._allocation(services)
                if fmt:
                    return render.service_inspect_format(services, fmt, allocation)
                return render.service_inspect_json(services, allocation)
            case c.ServiceLogs(service=name):
                service = swarm.service(name)
                logs = {task: lines for agent in swarm.agents.values() for task, lines in agent.logs.items()}
                return render.service_logs(service, store.service_tasks(service.id), store.nodes, logs,
                                           tail=command.tail, task_ids=command.task_ids, no_trunc=command.no_trunc,
                                           raw=command.raw, resolve=command.resolve, timestamps=command.timestamps,
                                           details=command.details, since=self._since(command.since))
            case c.StackLs(format=fmt):
                counts: dict[str, int] = {}
                for service in store.services.values():
                    if NAMESPACE_LABEL in service.spec.labels:
                        counts[service.spec.labels[NAMESPACE_LABEL]] = counts.get(service.spec.labels[NAMESPACE_LABEL], 0) + 1
                return render.stack_ls(counts, format=fmt)
            case c.StackServices(namespace=namespace, quiet=quiet, format=fmt):
                services = stacks.stack_services(swarm, namespace)
                if not services:
                    return f"Nothing found in stack: {namespace}"
                return render.service_ls(services, list(store.tasks.values()), quiet=quiet, format=fmt,
                                         ports=swarm.manager.allocator.endpoints)
            case c.StackPs(namespace=namespace, no_trunc=no_trunc, quiet=quiet, format=fmt):
                tasks = [t for s in stacks.stack_services(swarm, namespace) for t in store.service_tasks(s.id)]
                if not tasks:
                    raise SwarmError(f"nothing found in stack: {namespace}")
                return render.service_ps(tasks, store.nodes, now, no_trunc=no_trunc, quiet=quiet, format=fmt,
                                         bound=self._bound())
            case c.NodeLs(quiet=quiet, filters=filters, format=fmt):
                return render.node_ls(list(store.nodes.values()), on, quiet=quiet, filters=filters, format=fmt)
            case c.NodePs(nodes=names, no_trunc=no_trunc, quiet=quiet, filters=filters, format=fmt):
                names = [on if n == "self" else swarm.node(n).name for n in names or ("self",)]
                tasks = [t for n in names for t in store.node_tasks(n)]
                return render.service_ps(tasks, store.nodes, now, no_trunc=no_trunc, quiet=quiet, filters=filters,
                                         format=fmt, bound=self._bound())
            case c.ContainerLs() as ls:
                agent = swarm.agents.get(on)
                if agent is not None and not agent.alive:
                    raise SwarmError(DAEMON_DOWN)
                return render.container_ls(containers.listing(swarm, on), swarm.now, all=ls.all, quiet=ls.quiet,
                                           no_trunc=ls.no_trunc, filters=ls.filters, format=ls.format,
                                           last=ls.last)
            case c.Info() if on in swarm.locked:
                return " Swarm: locked\n"
            case c.Info():
                return render.info_swarm(store.nodes.get(on) if on in swarm.agents else None, store.nodes.values(),
                                         swarm.cluster_id, swarm.cluster)
            case c.NodeInspect(nodes=names, pretty=pretty, format=fmt):
                nodes = [swarm.node(on if n == "self" else n) for n in names]  # node.Reference: self is this node
                if fmt:
                    return render.node_inspect_format(nodes, fmt)
                if not pretty:
                    return render.node_inspect_json(nodes)
                return "\n".join(render.node_inspect_pretty(n) for n in nodes)
            case c.NetworkLs(quiet=quiet, format=fmt, no_trunc=no_trunc):
                return render.network_ls([(n.id, n.name, n.driver, n.scope) for n in swarm.networks.values()],
                                         quiet=quiet, format=fmt, no_trunc=no_trunc)
            case c.NetworkInspect(networks=names, format=fmt):
                docs = {name: netinspect.network_document(swarm, name, on) for name in names}
                text = render.network_inspect([d for d in docs.values() if d is not None],
                                              [name for name, d in docs.items() if d is None], format=fmt)
                if None in docs.values():
                    raise SwarmError(text.rstrip("\n"))
                return text
            case c.ObjectLs(kind=kind, quiet=quiet, format=fmt):
                return render.object_ls(kind, [(i, o) for i, o in swarm.objects[kind].values()], now, quiet=quiet,
                                        format=fmt)
            case c.ObjectInspect(kind=kind, names=names, format=fmt):
                return render.object_inspect(kind, [swarm.find_object(kind, n) for n in names], format=fmt)
            case c.SwarmJoinToken(role=role, quiet=quiet, rotate=rotate):
                head = ""
                if rotate:
                    swarm.rotate_join_token(role)
                    head = "" if quiet else f"Successfully rotated {role} join token.\n\n"
                token = swarm.tokens.manager if role == "manager" else swarm.tokens.worker
                return head + render.join_token(role, token, f"{store.nodes[on].addr}:{render.MANAGER_PORT}",
                                                quiet=quiet)
        raise SwarmError(f"unsupported command {type(command).__name__}")
