"""The real backend: a scenario replayed on a Docker swarm through the docker SDK.

It implements swarmsim.backend.Backend, so `run_scenario` drives it exactly as it
drives the simulator, and validation/observe.py records what the swarm did in the
same trace format. Steps keep the docker CLI's semantics: the parsed command is
applied to the service's model spec (dockercli.parse.apply_update, the CLI's merge
rules and defaults) and the whole spec is sent, and without -d the step blocks
the way the CLI's progress wait does. Read-only commands are run by the real
docker CLI against the node, so their output is what docker really prints.

Containers run the scenario's workload (x-workload / images:) as a shell command
in one small busybox image, so the real side needs no registry; the trace still
reports the scenario's image. Everything created carries the label
swarmsim.run=<run id>; nothing without it is changed, and close() removes all of
it, also after an exception or a signal (use the backend as a context manager).
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from dataclasses import replace
from typing import Mapping

import docker
from docker import types

from swarmsim.dockercli import commands as c
from swarmsim.backend import DEFAULT_CONVERGE_TIMEOUT, ScenarioRefused, StepResult, required_capabilities
from swarmsim.control.convergence import service_converged
from swarmsim.control.progress import ServiceProgress
from swarmsim.dockercli.registry import resolved
from swarmsim.dockercli.parse import apply_update
from swarmsim.model import (Healthcheck, Node, NodeStatus, Role, Service, ServiceMode, ServiceSpec, Task, TaskSpec,
                            TaskState, UpdateConfig, UpdateState, UpdateStatus, Workload)
from swarmsim.model.jointoken import JoinTokens
from swarmsim.model.reference import by_sent_name
from swarmsim.model.scenario import (At, Fail, Heal, NodeDecl, Partition, Run, Scenario, Step, WaitConverged, WaitFor,
                                     encrypted)
from swarmsim.model.service import DEFAULT_WORKLOAD
from swarmsim.trace import Trace, TraceWriter

from . import localswarm
from .ledger import Ledger, cleanup, new_run_id
from .observe import IMAGE_LABEL, RUN_LABEL, Observer, header, run_services
from .shield import shielded
from .traffic import TASK_ENV, Source, TrafficRunner, server_command, targets

SPEC_LABEL = "swarmsim.spec"   # which model spec a service's current spec is (it follows rollbacks)
CLI_POLL = 0.2                 # docker/cli progress.go
NS = 1_000_000_000
READY_FILE = "/tmp/ready"      # a workload with a healthcheck touches it when it is ready


class StepError(Exception):
    """A step that fails as the docker CLI would fail; str() is what it prints."""


def _update_swarm(client: docker.DockerClient, o: c.SwarmOptions) -> None:
    """`docker swarm update` as the CLI sends it (runUpdate): the spec read back with the flags given merged in,
    so what the scenario leaves alone stays as the cluster had it (autolock is never turned on here: see
    early_problems)."""
    info = client.api.inspect_swarm()
    spec = info["Spec"]
    for section, key, value in (("Orchestration", "TaskHistoryRetentionLimit", o.task_history_limit),
                                ("Dispatcher", "HeartbeatPeriod", o.dispatcher_heartbeat and
                                 _ns(o.dispatcher_heartbeat)),
                                ("Raft", "KeepOldSnapshots", o.max_snapshots),
                                ("Raft", "SnapshotInterval", o.snapshot_interval),
                                ("CAConfig", "NodeCertExpiry", o.cert_expiry and _ns(o.cert_expiry)),
                                ("CAConfig", "ExternalCAs", o.external_cas and
                                 [{"Protocol": p, "URL": u} for p, u in o.external_cas]),
                                ("EncryptionConfig", "AutoLockManagers", o.autolock)):
        if value is not None:
            spec.setdefault(section, {})[key] = value
    client.api.update_swarm(version=info["Version"]["Index"], swarm_spec=spec)


def _ns(seconds: float) -> int:
    return int(round(seconds * NS))


def workload_command(w: Workload, ready_file: bool = False, serve: tuple[int, ...] = ()) -> list[str]:
    """The container command that behaves like the workload: serve, exit, honour SIGTERM or not.

    busybox sh as PID 1 ignores SIGTERM unless it traps it, and a trap runs only between
    commands, hence `sleep & wait`. With `ready_file` (the task has a healthcheck) a healthy
    workload touches READY_FILE once its start_time has elapsed; the healthcheck tests for it.
    On each port of `serve` it answers the scenario's traffic clients (validation/traffic.py).
    """
    parts = ['trap "" TERM' if w.ignore_sigterm else 'trap "exit 0" TERM']
    if w.logs:
        parts.append("printf '%s\\n' " + " ".join(shlex.quote(line) for line in w.logs))
    if ready_file and w.healthy is not False:
        parts.append(f"(sleep {w.start_time or 0:g}; mkdir -p {os.path.dirname(READY_FILE)}; touch {READY_FILE}) &")
    if w.serve_port:
        parts.append(f"(sleep {w.start_time or 0:g}; mkdir -p /www; echo ok > /www/index.html; "
                     f"httpd -f -p {w.serve_port} -h /www) &")
    parts += [server_command(port, w.start_time or 0) for port in serve]
    if w.exit_after is not None:
        parts += [f"sleep {w.exit_after:g} & wait $!", f"exit {w.exit_code or 0}"]
    else:
        parts.append("while true; do sleep 1 & wait $!; done")
    return ["sh", "-c", "; ".join(parts).replace("&; ", "& ")]   # `cmd &; next` is a syntax error


def _healthcheck(check: Healthcheck, w: Workload) -> types.Healthcheck:
    """The scenario's healthcheck with its test replaced by what the simulator means by it:
    it passes once the workload is ready (READY_FILE exists), never when declared unhealthy."""
    test = ["NONE"] if not check.enabled else ["CMD-SHELL", f"test -f {READY_FILE}" if w.healthy is not False
                                                else "false"]
    return types.Healthcheck(test=test, interval=_ns(check.interval), timeout=_ns(check.timeout),
                             retries=check.retries, start_period=_ns(check.start_period))


def _update_config(u: UpdateConfig) -> types.UpdateConfig:
    return types.UpdateConfig(parallelism=u.parallelism, delay=_ns(u.delay), failure_action=u.failure_action.value,
                              monitor=_ns(u.monitor), max_failure_ratio=u.max_failure_ratio, order=u.order.value)


def _api_error(err: docker.errors.APIError) -> str:
    return f"Error response from daemon: {err.explanation or err}"


class DockerBackend:
    """A swarm reached through docker clients, one per scenario node that can be reached.

    `clients` maps scenario node names to docker clients (at least the leader); `urls`
    the same names to their DOCKER_HOST, for the docker CLI and the observer's own
    connections. `hostnames` maps scenario names to the real nodes' hostnames (default:
    the same names). `local` is the LocalSwarm when there is one: faults need it.
    `mesh`: whether the routing mesh and VIPs work (they need IPVS in the kernel).
    `exclude`: hostnames of real nodes outside the scenario, kept out by constraints.
    `ledger`: where what the run changes is written down first (validation/ledger.py; default: in memory).
    """

    name = "real"

    def __init__(self, clients: Mapping[str, docker.DockerClient], *, urls: Mapping[str, str] | None = None,
                 hostnames: Mapping[str, str] | None = None, local: localswarm.LocalSwarm | None = None,
                 mesh: bool = True, image: str = localswarm.IMAGE, exclude: tuple[str, ...] = (), hz: float = 20,
                 ledger: Ledger | None = None):
        self.clients = dict(clients)
        self.urls = dict(urls or {})
        self.hostnames = dict(hostnames or {})
        self.local = local
        self.image = image
        self.exclude = exclude
        self.hz = hz
        self.capabilities = capabilities(mesh, local is not None)
        self.ledger = ledger or Ledger(new_run_id())
        self.run_id = self.ledger.run_id
        self.scenario: Scenario | None = None
        self.observer: Observer | None = None
        self.traffic: TrafficRunner | None = None
        self.t0 = time.time()
        self._specs: dict[str, ServiceSpec] = {}      # SPEC_LABEL value -> the model spec it stands for
        self._closed = False
        self.stacks: set[str] = set()                   # namespaces `docker stack deploy` steps deployed
        self._stack_specs: dict[str, ServiceSpec] = {}  # their services, as the scenario's files convert them

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def for_local(cls, swarm: localswarm.LocalSwarm, **kw) -> "DockerBackend":
        """On a LocalSwarm whose nodes report the scenario's names as hostnames (localswarm.up(hostnames=))."""
        names = swarm.hostnames
        kw.setdefault("mesh", localswarm.ipvs_available())
        return cls({h: swarm.client(n) for h, n in names.items()},
                   urls={h: swarm.nodes[n].base_url for h, n in names.items()}, local=swarm, **kw)

    def __enter__(self) -> "DockerBackend":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _ages(self) -> dict:
        """`swarm_age`: seconds from each node's init or join to the first step, when this run made the swarm
        (the ingress setup after a join slows that node's first tasks: docs/measurements.md (k))."""
        if self.local is None:
            return {}
        names = {n: h for h, n in self.local.hostnames.items()}
        return {"swarm_age": {names.get(n, n): round(self.t0 - at, 3) for n, at in self.local.joined_at.items()}}

    # -- the Backend protocol --------------------------------------------------------------------
    def now(self) -> float:
        return time.time() - self.t0

    def start(self, scenario: Scenario) -> None:
        self._refuse(scenario)
        self.scenario = scenario
        manager = self.manager
        self.ledger.swarm(manager.api.inspect_swarm())
        for decl in scenario.nodes:
            self._prepare_node(decl)
        version = manager.version().get("Version", "?")
        self.t0 = time.time()
        writer = TraceWriter(header(scenario, {"docker": version, "run": self.run_id, **self._ages()}))
        managers = [self._fresh_client(d.name) for d in scenario.nodes
                    if d.role is Role.MANAGER and d.joined and d.name in self.clients]
        self.observer = Observer(managers, writer, self.t0, self.run_id,
                                 {self._real(d.name): d.name for d in scenario.nodes}, hz=self.hz,
                                 namespaces=self.stacks).start()
        if scenario.traffic:
            self.traffic = TrafficRunner(scenario.traffic, self.observer.emit, self.now, self._addresses(),
                                         {self._real(d.name): d.name for d in scenario.nodes}, scenario.seed,
                                         self._sources if self.local is not None else None).start()

    def deploy(self, scenario: Scenario) -> None:
        """Networks, then services in file order, detached (like `docker stack deploy`)."""
        for net in scenario.networks:
            self._create_network(c.NetworkCreate(net.name, net.driver, net.attachable,
                                                 options=tuple(sorted(net.options.items()))))
        for spec in scenario.services:
            self._create_service(self.manager, spec)

    def record_step(self, index: int, step: Step, text: str, result: StepResult) -> None:
        fields = {"index": index, "step": text, "ok": result.ok, "output": result.output}
        if result.reached is not None:
            fields["reached"] = result.reached
        self.observer.emit(self.now(), "step", **fields)

    def finish(self) -> Trace:
        if self.traffic is not None:
            self.traffic.stop()
        self.observer.stop()
        return self.observer.finish()

    def run_step(self, step: Step) -> StepResult:
        match step:
            case At(time=t):
                time.sleep(max(0.0, self.t0 + t - time.time()))
            case WaitFor(seconds=s):
                time.sleep(s)
            case WaitConverged(timeout=timeout):
                reached = self._until_quiet(timeout or DEFAULT_CONVERGE_TIMEOUT)
                return StepResult(reached, "" if reached else "timed out before the swarm converged", reached)
            case Fail(node=node, kind=kind):
                self._fail(node, kind)
            case Partition(groups=groups):
                self._partition(groups)
            case Heal():
                self.local.heal()
            case Run(parsed=command, on=on):
                return self._run(step, command, on or self.scenario.leader)
        return StepResult(True)

    # -- setup and teardown -------------------------------------------------------------------------
    @property
    def manager(self) -> docker.DockerClient:
        return self._client(self.scenario.leader if self.scenario else next(iter(self.clients)))

    def _client(self, name: str) -> docker.DockerClient:
        """A node's client; a local node's is renewed when its daemon was restarted."""
        if self.local is not None and name in self.local.hostnames:
            return self.local.client(self.local.hostnames[name])
        if name not in self.clients:
            raise StepError(f"swarmsim: no docker client for node {name}")
        return self.clients[name]

    def _fresh_client(self, name: str) -> docker.DockerClient:
        """A separate connection (for the observer thread) when the node's URL is known."""
        return client_for(self.urls[name], timeout=10) if name in self.urls else self.clients[name]

    def _real(self, name: str) -> str:
        return self.hostnames.get(name, name)

    def _refuse(self, scenario: Scenario) -> None:
        """What this target cannot do, said before anything is created."""
        refuse_early(scenario, self.capabilities, local=self.local is not None)
        problems = self.problems(scenario)
        if problems:
            raise ScenarioRefused("the real backend cannot run this scenario: " + "; ".join(problems))

    def problems(self, scenario: Scenario) -> list[str]:
        """What this target's clients cannot do for the scenario (its capabilities aside)."""
        problems = []
        if any(isinstance(s, Fail) for s in scenario.steps) and self.local is None:
            problems.append("fail: steps need the local swarm (--local), which can kill and restart a node's dockerd")
        for decl in scenario.nodes:
            if self.local is not None and (decl.os, decl.arch) != ("linux", "x86_64"):
                problems.append(f"node {decl.name} declares the platform {decl.os}/{decl.arch}; the local swarm's "
                                "nodes are this machine's linux/x86_64")
        for step in scenario.steps:
            if isinstance(step, Run):
                on = step.on or scenario.leader
                if on not in self.clients and (self.local is None or on not in self.local.hostnames):
                    problems.append(f"'{step.command}' runs on {on}, and there is no docker client for it")
        if any(t.source for t in scenario.traffic) and self.local is None:
            problems.append("traffic clients inside the swarm (from:) run in a container's network namespace, "
                            "which only the local swarm (--local) gives this host")
        return list(dict.fromkeys(problems))

    def _addresses(self) -> dict[str, str]:
        """Each scenario node's address, where its host-mode published ports answer."""
        names = {self._real(d.name): d.name for d in self.scenario.nodes}
        return {names[n["Description"]["Hostname"]]: n["Status"]["Addr"] for n in self.manager.api.nodes()
                if n["Description"]["Hostname"] in names and n["Status"].get("Addr")}

    def _sources(self, service: str) -> list[Source]:
        """The running tasks of `service` and their containers' PIDs (local swarm: its daemons share our PIDs)."""
        api = self.manager.api
        out = []
        for t in api.tasks(filters={"service": service, "desired-state": "running"}):
            container = (t["Status"].get("ContainerStatus") or {}).get("ContainerID")
            node = self.observer.node_ids.get(t.get("NodeID") or "")
            if t["Status"]["State"] != "running" or not container or node is None:
                continue
            try:
                pid = self._client(node).api.inspect_container(container)["State"]["Pid"]
            except (docker.errors.DockerException, OSError):
                continue  # its node is down
            if pid:
                out.append(Source(f"{service}.{t.get('Slot') or 0}", node, pid))
        return out

    def _real_node(self, name: str) -> dict:
        """The swarm's node for a scenario node (the newest, if it left and joined again)."""
        host = self._real(name)
        found = [n for n in self.manager.api.nodes() if n["Description"]["Hostname"] == host]
        if not found:
            raise StepError(f"Error: No such node: {name}")  # as the docker CLI words the daemon's 404
        return max(found, key=lambda n: n["CreatedAt"])

    def _set_node(self, node: dict, **spec) -> None:
        """Change a node's spec, what it changes written down first so close() (or --cleanup) puts it back."""
        self.ledger.node(node, spec)
        self.manager.api.update_node(node["ID"], node["Version"]["Index"], {**node["Spec"], **spec})

    def _prepare_node(self, decl: NodeDecl) -> None:
        """Role, availability and labels as the scenario says; a `joined: false` node leaves the swarm."""
        if not decl.joined:
            try:
                self._client(decl.name).swarm.leave(force=True)
            except docker.errors.APIError:
                pass  # not in a swarm: as wanted
            for n in self.manager.api.nodes():
                if n["Description"]["Hostname"] == self._real(decl.name):
                    self.manager.api.remove_node(n["ID"], force=True)
            return
        node = self._real_node(decl.name)
        self._set_node(node, Role=decl.role.value, Availability=decl.availability.value,
                       Labels={**node["Spec"].get("Labels", {}), **decl.labels})

    def close(self) -> None:
        """Remove every service and network of this run, and put back what we changed. Idempotent."""
        if self._closed or self.scenario is None:
            return
        self._closed = True
        with shielded():
            self._close()

    def _close(self) -> None:
        if self.traffic is not None:
            self.traffic.stop()
        if self.observer is not None:
            self.observer.stop()
        try:
            self._remove_ours()
        except docker.errors.DockerException as err:  # e.g. the leader was crashed and not recovered
            print(f"swarmsim: could not clean up run {self.run_id}: {err}; remove what is labelled "
                  f"{RUN_LABEL}={self.run_id} by hand", file=sys.stderr)

    def _remove_ours(self) -> None:
        left = cleanup(self.manager.api, self.ledger)
        if left:
            print(f"swarmsim: run {self.run_id} could not remove {', '.join(left)}; `swarmsim replay --cleanup` "
                  "tries again", file=sys.stderr)
        else:
            self.ledger.done()

    # -- services -------------------------------------------------------------------------------------
    def _constraint(self, text: str) -> str:
        """node.hostname constraints name scenario nodes; say them with the real hostnames."""
        m = re.fullmatch(r"(\s*node\.hostname\s*(?:==|!=)\s*)(\S+)\s*", text)
        return m.group(1) + self._real(m.group(2)) if m else text

    def _workload(self, task: TaskSpec) -> Workload:
        base = by_sent_name(self.scenario.images).get(task.image, Workload()).over(DEFAULT_WORKLOAD)
        return task.workload.over(base) if task.workload else base

    def _sdk_spec(self, spec: ServiceSpec) -> dict:
        """The whole service spec for the Engine API, with the workload image and our labels."""
        key = str(len(self._specs))
        self._specs[key] = spec
        task = spec.task
        workload, check = self._workload(task), task.healthcheck
        probed = check is not None and check.enabled
        serve = targets(self.scenario.traffic, spec)
        container = types.ContainerSpec(self.image, command=workload_command(workload, ready_file=probed, serve=serve),
                                        env=[*task.env, *(TASK_ENV if serve else ())] or None,
                                        labels={IMAGE_LABEL: task.image},
                                        stop_grace_period=_ns(task.stop_grace_period),
                                        healthcheck=None if check is None else _healthcheck(check, workload))
        res, lim = task.reservations, task.limits
        resources = types.Resources(cpu_limit=lim.nano_cpus or None, mem_limit=lim.memory_bytes or None,
                                    cpu_reservation=res.nano_cpus or None, mem_reservation=res.memory_bytes or None,
                                    generic_resources=dict(res.generic) or None)
        rp = task.restart_policy
        restart = types.RestartPolicy(condition=rp.condition.value, delay=_ns(rp.delay),
                                      max_attempts=rp.max_attempts, window=_ns(rp.window or 0.0))
        constraints = [self._constraint(x) for x in task.placement.constraints]
        constraints += [f"node.hostname!={h}" for h in self.exclude]
        placement = types.Placement(constraints=constraints or None,
                                    preferences=[("spread", p) for p in task.placement.preferences] or None,
                                    maxreplicas=task.placement.max_replicas or None,
                                    platforms=[(arch, os) for os, arch in task.placement.platforms] or None)
        template = types.TaskTemplate(container, resources=resources if res or lim else None, restart_policy=restart,
                                      placement=placement, force_update=task.force_update,
                                      networks=list(task.networks) or None)
        ports = [{"Protocol": p.protocol, "TargetPort": p.target, "PublishedPort": p.published,
                  "PublishMode": p.mode} for p in spec.endpoint.ports]
        mode = {ServiceMode.GLOBAL: types.ServiceMode("global"), ServiceMode.GLOBAL_JOB: types.ServiceMode("global-job"),
                ServiceMode.REPLICATED_JOB: types.ServiceMode("replicated-job", spec.replicas, spec.max_concurrent),
                }.get(spec.mode) or types.ServiceMode("replicated", spec.replicas)
        job = spec.mode.is_job  # the CLI sends a job no update or rollback config
        return dict(task_template=template, name=spec.name, mode=mode,
                    labels={**spec.labels, RUN_LABEL: self.run_id, SPEC_LABEL: key},
                    update_config=None if job else _update_config(spec.update_config),
                    rollback_config=None if job else _update_config(spec.rollback_config),
                    endpoint_spec=types.EndpointSpec(mode=spec.endpoint.mode, ports=ports or None))

    def _create_service(self, client: docker.DockerClient, spec: ServiceSpec) -> str:
        return client.api.create_service(**self._sdk_spec(spec))["ID"]

    def _ours(self, client: docker.DockerClient, name: str) -> tuple[dict, ServiceSpec]:
        """A service of this run and the model spec it currently runs; others are never touched."""
        try:
            s = client.api.inspect_service(name)
        except docker.errors.NotFound:
            raise StepError(f"Error: no such service: {name}") from None
        labels = s["Spec"].get("Labels") or {}
        if labels.get(RUN_LABEL) != self.run_id:
            raise StepError(f"swarmsim: service {name} was not created by this run; it is left alone")
        return s, self._spec_of(s)

    def _spec_of(self, s: dict) -> ServiceSpec:
        """The model spec a service of this run runs (ours by its label, a stack's by its name), with the
        replica count the swarm has now."""
        labels = s["Spec"].get("Labels") or {}
        spec = self._specs[labels[SPEC_LABEL]] if labels.get(RUN_LABEL) == self.run_id else \
            self._stack_specs[s["Spec"]["Name"]]
        if spec.mode is ServiceMode.REPLICATED:
            spec = replace(spec, replicas=s["Spec"]["Mode"]["Replicated"]["Replicas"])
        return spec

    def _update_service(self, client: docker.DockerClient, name: str, new: ServiceSpec) -> str:
        s, old = self._ours(client, name)
        if new.mode is not old.mode:
            raise StepError("Error response from daemon: rpc error: code = Unimplemented desc = "
                            "service mode change is not allowed")
        client.api.update_service(s["ID"], s["Version"]["Index"], **self._sdk_spec(new))
        return s["ID"]

    def _rollback(self, client: docker.DockerClient, name: str) -> str:
        """What `docker service rollback` sends: the current spec with rollback=previous."""
        s, _ = self._ours(client, name)
        api = client.api
        api._raise_for_status(api._post_json(api._url("/services/{0}/update", s["ID"]), data=s["Spec"],
                                             params={"version": s["Version"]["Index"], "rollback": "previous"}))
        return s["ID"]

    # -- steps ------------------------------------------------------------------------------------------
    def _run(self, step: Run, command: c.Command, on: str) -> StepResult:
        try:
            if isinstance(command, c.READ_ONLY):
                return self._docker_cli(step.command, on)
            if isinstance(command, (c.StackDeploy, c.StackRm)):
                return self._stack(step, command, on)
            return self._execute(command, on, self._client(on))
        except StepError as err:
            return StepResult(False, str(err))
        except docker.errors.APIError as err:
            return StepResult(False, _api_error(err))

    def _docker_cli(self, line: str, on: str, cwd: str | None = None) -> StepResult:
        """Read-only commands and stacks: what the real docker CLI prints against that node."""
        words = shlex.split(line)
        words = words[1:] if words[:1] == ["docker"] else words
        url = self.urls.get(on)
        if url is None:
            raise StepError(f"swarmsim: no DOCKER_HOST known for {on}")
        proc = subprocess.run([localswarm.docker_cli(), "-H", url, *words], capture_output=True, text=True,
                              timeout=120, cwd=cwd)
        return StepResult(proc.returncode == 0, (proc.stdout + proc.stderr).rstrip("\n"))

    def _stack(self, step: Run, command: c.StackDeploy | c.StackRm, on: str) -> StepResult:
        """`docker stack deploy|rm` by the real docker CLI, on the scenario's own files (relative to it).

        The stack's services carry no run label: the observer and the waits find them by their namespace,
        and what is left of them at the end is removed with `docker stack rm`."""
        if isinstance(command, c.StackDeploy):
            self.ledger.stack(command.namespace)
            self.stacks.add(command.namespace)
            self._stack_specs.update((spec.name, spec) for spec in command.stack.services)
        base = os.path.dirname(os.path.abspath(self.scenario.source)) if self.scenario.source else None
        return self._docker_cli(step.command, on, cwd=base)

    def _execute(self, command: c.Command, on: str, client: docker.DockerClient) -> StepResult:
        match command:
            case c.ServiceCreate(spec=spec, detach=detach, resolve_image=lookup):
                spec = resolved(spec, by_sent_name(self.scenario.images), lookup)  # as the CLI fills it in
                sid = self._create_service(client, spec)
                return StepResult(True, sid) if detach else self._progress(client, spec.name, [sid])
            case c.ServiceUpdate(service=name, rollback=True, detach=detach) | c.ServiceRollback(service=name,
                                                                                                detach=detach):
                self._rollback(client, name)
                return StepResult(True, name) if detach else self._progress(client, name, [name])
            case c.ServiceUpdate(service=name, changes=changes, detach=detach, resolve_image=lookup):
                _, current = self._ours(client, name)
                spec = apply_update(current, changes)
                self._update_service(client, name, resolved(spec, by_sent_name(self.scenario.images), lookup))
                return StepResult(True, name) if detach else self._progress(client, name, [name])
            case c.ServiceScale(scales=scales, detach=detach):
                out, ok, scaled = [], True, []
                for name, replicas in scales:
                    _, current = self._ours(client, name)
                    if current.mode.per_node:
                        out.append(f"{name}: scale can only be used with replicated or replicated-job mode")
                        ok = False
                        continue
                    self._update_service(client, name, replace(current, replicas=replicas))
                    out.append(f"{name} scaled to {replicas}")
                    scaled.append(name)
                for name in [] if detach else scaled:
                    result = self._progress(client, name, [])
                    ok, out = ok and result.ok, out + [result.output]
                return StepResult(ok, "\n".join(out))
            case c.ServiceRemove(services=names):
                for name in names:
                    client.api.remove_service(self._ours(client, name)[0]["ID"])
                return StepResult(True, "\n".join(names))
            case c.NodeUpdate(node=name, availability=availability, label_add=add, label_rm=rm, role=role):
                node = self._real_node(name)
                labels = dict(node["Spec"].get("Labels") or {})
                for key in rm:
                    if key not in labels:
                        raise StepError(f"Error response from daemon: key {key} doesn't exist in node's labels")
                    del labels[key]
                labels.update(add)
                self._set_node(node, Labels=labels, Availability=(availability or node["Spec"]["Availability"]),
                               Role=role or node["Spec"]["Role"])
                return StepResult(True, name)
            case c.NodePromote(nodes=names) | c.NodeDemote(nodes=names):
                role = "manager" if isinstance(command, c.NodePromote) else "worker"
                for name in names:
                    self._set_node(self._real_node(name), Role=role)
                said = "Node {} promoted to a manager in the swarm." if role == "manager" else \
                    "Manager {} demoted in the swarm."
                return StepResult(True, "\n".join(said.format(n) for n in names))
            case c.NodeRm(nodes=names, force=force):
                for name in names:
                    client.api.remove_node(self._real_node(name)["ID"], force=force)
                return StepResult(True, "\n".join(names))
            case c.NetworkCreate() as create:
                return StepResult(True, self._create_network(create, client))
            case c.NetworkRm(networks=names):
                for name in names:
                    nets = [n for n in client.api.networks(names=[name]) if n["Name"] == name]
                    if not nets:
                        raise StepError(f"Error response from daemon: network {name} not found")
                    if (nets[0].get("Labels") or {}).get(RUN_LABEL) != self.run_id:
                        raise StepError(f"swarmsim: network {name} was not created by this run; it is left alone")
                    client.api.remove_network(nets[0]["Id"])
                return StepResult(True, "\n".join(names))
            case c.SwarmJoin() as join:
                return StepResult(True, self._join(on, client, join))
            case c.SwarmLeave(force=force):
                client.swarm.leave(force=force)
                return StepResult(True, "Node left the swarm.")
            case c.SwarmUpdate(options=options):
                _update_swarm(client, options)
                return StepResult(True, "Swarm updated.")
        raise StepError(f"swarmsim: {type(command).__name__} is not supported on a real swarm")

    def _create_network(self, create: c.NetworkCreate, client: docker.DockerClient | None = None) -> str:
        client = client or self.manager
        options = {"encrypted": ""} if encrypted(dict(create.options)) else None
        ipam = types.IPAMConfig(pool_configs=[types.IPAMPool(subnet=create.subnet)]) if create.subnet else None
        net = client.api.create_network(create.name, driver=create.driver, attachable=create.attachable,
                                        options=options, ipam=ipam, labels={RUN_LABEL: self.run_id},
                                        scope="swarm" if create.driver == "overlay" else None)
        return net["Id"]

    def _join(self, on: str, client: docker.DockerClient, join: c.SwarmJoin) -> str:
        """Join with the swarm's real token (the scenario's is a placeholder) and the leader's address."""
        role = JoinTokens.for_seed(self.scenario.seed).role(join.token, placeholders=True)
        if role not in ("worker", "manager"):
            raise StepError(role)  # the simulated swarm's wrong token: refused as the real one would be
        manager = self.manager
        tokens = manager.api.inspect_swarm()["JoinTokens"]
        token = tokens[role.capitalize()]
        leader = next(n for n in manager.api.nodes() if n.get("ManagerStatus", {}).get("Leader"))
        addr = leader["ManagerStatus"]["Addr"]
        if self.local is not None and on in self.local.hostnames:
            local_node = self.local.nodes[self.local.hostnames[on]]
            localswarm.join(client, local_node, addr.rsplit(":", 1)[0], token)
        else:
            client.swarm.join(remote_addrs=[addr], join_token=token)
        if join.availability.value != "active":
            self._set_node(self._real_node(on), Availability=join.availability.value)
        return f"This node joined a swarm as a {role}."

    def _partition(self, groups: tuple[tuple[str, ...], ...]) -> None:
        """The scenario's groups, plus one of the nodes it does not name, as in the simulator."""
        named = {n for group in groups for n in group}
        rest = tuple(n for n in self.clients if n not in named)
        local = [[self.local.hostnames[self._real(n)] for n in group] for group in (*groups, rest) if group]
        self.local.partition(local)

    def _fail(self, node: str, kind: str) -> None:
        name = self.local.hostnames[self._real(node)]
        {"crash": self.local.kill_node, "stop": self.local.stop_node, "recover": self.local.restart_node}[kind](name)

    # -- waiting like the docker CLI -----------------------------------------------------------------------
    def _model(self, client: docker.DockerClient, s: dict, spec: ServiceSpec,
               nodes: list[dict]) -> tuple[Service, list[Task], dict[str, Node]]:
        """The service's up-to-date tasks (the daemon's own `_up-to-date` filter, as the CLI asks)
        and the nodes as model values, so the CLI's convergence rule in control/ applies unchanged."""
        tasks = client.api.tasks(filters={"service": s["ID"], "_up-to-date": True})
        model_nodes = {n["ID"]: Node(name=n["ID"], id=n["ID"], status=NodeStatus(n["Status"]["State"]))
                       for n in nodes}
        model_tasks = [Task(id=t["ID"], service=spec.name, service_id=s["ID"], slot=t.get("Slot") or 0,
                            node=t.get("NodeID") or None, gen=1, spec=spec.task, spec_version=1,
                            endpoint=spec.endpoint, state=TaskState[t["Status"]["State"].upper()],
                            desired=TaskState[t["DesiredState"].upper()], err=t["Status"].get("Err", ""),
                            job_iteration=_iteration(t))
                       for t in tasks]
        status = s.get("UpdateStatus") or {}
        update = UpdateStatus(UpdateState(status["State"]), status.get("Message", "")) if status.get("State") else None
        job = _iteration(s.get("JobStatus"))
        return (Service(id=s["ID"], spec=spec, version=1, update_status=update, job_iteration=job or 0),
                model_tasks, model_nodes)

    def _progress(self, client: docker.DockerClient, name: str, head: list[str]) -> StepResult:
        """The CLI's wait (progress.go), decided poll by poll by control/progress.py as in the simulator."""
        progress = ServiceProgress(head)
        deadline = time.monotonic() + DEFAULT_CONVERGE_TIMEOUT
        while time.monotonic() < deadline:
            try:
                s, spec = self._ours(client, name)
            except StepError:
                return StepResult(False, "\n".join(progress.output(f"Error: No such service: {name}")))
            returned = progress.poll(*self._model(client, s, spec, client.api.nodes()), time.monotonic())
            if returned is not None:
                return StepResult(returned[0], "\n".join(returned[1]))
            time.sleep(CLI_POLL)
        return StepResult(False, "\n".join(progress.output("swarmsim: timed out waiting for the service to converge")))

    def _quiet(self) -> tuple[bool, float]:
        """Every service of this run converged, no update running, no task still stopping; the longest monitor."""
        api = self.manager.api
        services = run_services(api, self.run_id, self.stacks)
        nodes = api.nodes()
        monitor = 0.0
        for s in services:
            spec = self._spec_of(s)
            monitor = max(monitor, spec.update_config.monitor)
            if (s.get("UpdateStatus") or {}).get("State") in ("updating", "rollback_started"):
                return False, monitor
            if not service_converged(*self._model(self.manager, s, spec, nodes)):
                return False, monitor
        ours = {s["ID"] for s in services}
        down = {n["ID"] for n in nodes if n["Status"]["State"] == "down"}   # their tasks never report again
        for t in api.tasks():
            state, desired = TaskState[t["Status"]["State"].upper()], TaskState[t["DesiredState"].upper()]
            if t["ServiceID"] in ours and TaskState.ASSIGNED <= state <= TaskState.RUNNING < desired \
                    and t.get("NodeID") not in down:
                return False, monitor
        return True, monitor

    def _until_quiet(self, timeout: float) -> bool:
        """wait: converged, as the simulator decides it, polled at the CLI's 200 ms."""
        deadline, stable_since = time.monotonic() + timeout, None
        while time.monotonic() <= deadline:
            quiet, monitor = self._quiet()
            now = time.monotonic()
            if quiet:
                stable_since = now if stable_since is None else stable_since
                if now - stable_since >= monitor:
                    return True
            else:
                stable_since = None
            time.sleep(CLI_POLL)
        return False


def capabilities(mesh: bool, local: bool) -> frozenset[str]:
    """What a real swarm can replay: the routing mesh needs IPVS, partitions need our own namespaces."""
    return frozenset(({"ingress", "vip"} if mesh else set()) | ({"partition"} if local else set()))


def refuse_early(scenario: Scenario, offered: frozenset[str], local: bool = True) -> None:
    """Refusals that need no swarm, so `replay --local` says them before building one."""
    problems = early_problems(scenario, offered, local)
    if problems:
        raise ScenarioRefused("the real backend cannot run this scenario: " + "; ".join(problems))


def early_problems(scenario: Scenario, offered: frozenset[str], local: bool = True) -> list[str]:
    """What no swarm with these capabilities can run (engine labels: no swarm we build; a remote swarm's
    nodes are asked for them by the preflight)."""
    problems = []
    missing = required_capabilities(scenario) - offered
    if missing & {"ingress", "vip"}:
        problems.append("it needs the routing mesh (an ingress-mode published port, or a VIP on a network), which "
                        "needs IPVS in the kernel, and this host has none; use --endpoint-mode dnsrr and "
                        "--publish mode=host, or replay on a host with IPVS (e.g. --docker-host on EC2)")
    if "partition" in missing:
        problems.append("network partitions are replayed on a local swarm only (--local)")
    if "swarm-init" in missing:
        problems.append("its swarm starts empty (docker swarm init as a step); replay it on a swarm that exists, "
                        "its nodes declared joined")
    if "rotate-token" in missing:
        problems.append("it rotates a join token, which would change the real swarm's tokens for everyone who "
                        "joins it; this is replayed on the simulator only")
    if "autolock" in missing:
        problems.append("it turns autolock on or asks for the unlock key; a real swarm's managers would then stay "
                        "locked after a restart until someone types the key, so this is replayed on the simulator "
                        "only")
    if local and any(n.engine_labels for n in scenario.nodes):
        problems.append("engine labels are daemon flags; set them on the real nodes and drop them here")
    return problems


def client_for(url: str, timeout: int = 60) -> docker.DockerClient:
    """A client for a DOCKER_HOST URL. ssh:// goes through paramiko, which keeps one connection: the `ssh`
    command costs a new connection per request (0.76 s a call, measured here, against paramiko's 0.024 s),
    too slow for the observer's 20 Hz; SWARMSIM_SSH=client uses the `ssh` command all the same."""
    return docker.DockerClient(base_url=url, version="auto", timeout=timeout,
                               use_ssh_client=url.startswith("ssh://") and os.environ.get("SWARMSIM_SSH") == "client")


def scenario_order(scenario: Scenario) -> list[NodeDecl]:
    """Leader, other managers, workers, then nodes that join later: the order real nodes are matched in."""
    leader = scenario.leader
    return sorted(scenario.nodes, key=lambda d: (not d.joined, d.name != leader, d.role is not Role.MANAGER))


def local_layout(scenario: Scenario, n_nodes: int) -> dict:
    """Arguments for localswarm.up so its nodes are the scenario's (extra nodes stay out of its services)."""
    order = scenario_order(scenario)
    joined = [d.name for d in order if d.joined]
    later = [d.name for d in order if not d.joined]
    extra = [f"extra{i}" for i in range(1, n_nodes - len(order) + 1)]
    configs = {d.name: {"node-generic-resources": generic_terms(d.generic_resources)}
               for d in order if d.generic_resources}
    return {"n_nodes": n_nodes, "managers": sum(d.role is Role.MANAGER for d in order if d.joined),
            "hostnames": joined + extra + later, "joined": len(joined) + len(extra), "extra": tuple(extra),
            "configs": configs}


def generic_terms(resources: dict) -> list[str]:
    """A node's generic resources as dockerd's daemon.json lists them: KIND=COUNT, or KIND=NAME per item."""
    return [f"{kind}={v}" for kind, value in resources.items()
            for v in ((value,) if isinstance(value, int) else value)]


def _iteration(obj: dict | None) -> int | None:
    """A job task's or job status's JobIteration index (an empty version is 0); None outside jobs."""
    if obj is None or "JobIteration" not in obj:
        return None
    return (obj["JobIteration"] or {}).get("Index", 0)
