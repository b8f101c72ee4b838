"""Small builders for tests: nodes, tasks, a scheduler fed with them, and scenario runs.

Everything takes keyword arguments with Docker's defaults, so a test states only
what matters to it.
"""
from __future__ import annotations

import itertools
from collections import Counter
from random import Random

from ..backend import SimBackend, run_scenario
from ..control.scheduler import Decision, Scheduler
from ..analysis.metrics import task_states_at
from ..model import EndpointSpec, Node, Placement, PortConfig, Resources, Task, TaskSpec, TaskState
from ..scenario import loads_scenario
from ..trace import Trace

_IDS = itertools.count(1)


def node(name: str, **fields) -> Node:
    """A ready, active worker called `name` (its ID is `id-<name>`)."""
    return Node(name=name, id=f"id-{name}", **fields)


def task_spec(*, constraints=(), preferences=(), max_replicas: int = 0, cpus: float = 0, memory: int = 0,
              image: str = "img", **fields) -> TaskSpec:
    placement = Placement(tuple(constraints), tuple(preferences), max_replicas)
    reservations = Resources(int(cpus * 1e9), memory)
    return TaskSpec(image=image, placement=placement, reservations=reservations, **fields)


def host_ports(*published: int) -> EndpointSpec:
    return EndpointSpec(ports=tuple(PortConfig(target=80, published=p, mode="host") for p in published))


def task(service: str = "s1", *, slot: int | None = None, node: str | None = None,
         state: TaskState = TaskState.PENDING, desired: TaskState = TaskState.RUNNING, spec: TaskSpec | None = None,
         version: int = 1, endpoint: EndpointSpec = EndpointSpec(), **fields) -> Task:
    n = next(_IDS)
    return Task(id=f"t{n}", service=service, service_id=service, slot=n if slot is None else slot, node=node, gen=1,
                spec=spec or task_spec(), spec_version=version, endpoint=endpoint, state=state, desired=desired,
                **fields)


class Cluster:
    """A Scheduler fed with nodes and tasks, as the store would feed it."""

    def __init__(self, *nodes: Node, versions: dict[str, int] | None = None):
        self.versions = versions or {}
        self.scheduler = Scheduler(lambda sid: self.versions.get(sid, 1))
        for n in nodes:
            self.scheduler.node_updated(n)

    def running(self, service: str, on: str, count: int = 1, **fields) -> list[Task]:
        """`count` tasks of `service` already running on node `on`."""
        out = [task(service, node=on, state=TaskState.RUNNING, **fields) for _ in range(count)]
        for t in out:
            self.scheduler.task_created(t)
        return out

    def pending(self, service: str, count: int = 1, **fields) -> list[Task]:
        out = [task(service, **fields) for _ in range(count)]
        for t in out:
            self.scheduler.task_created(t)
        return out

    def schedule(self, seed: int | None = None, now: float = 0.0) -> list[Decision]:
        return self.scheduler.schedule(now, None if seed is None else Random(seed))

    def settle(self, seed: int | None = None, now: float = 0.0, passes: int = 10) -> list[Decision]:
        """Passes until nothing changes, feeding each written decision back as the store would."""
        rng = None if seed is None else Random(seed)
        written: list[Decision] = []
        for _ in range(passes):
            changed = [d for d in self.scheduler.schedule(now, rng)
                       if (d.old.state, d.old.msg, d.old.err) != (d.new.state, d.new.msg, d.new.err)]
            if not changed:
                break
            for d in changed:
                self.scheduler.task_updated(d.new, now)
            written += changed
        return written

    def counts(self, service: str) -> dict[str, int]:
        """Tasks of `service` the scheduler holds per node, every node listed."""
        per_node = {name: info.by_service.get(service, 0) for name, info in self.scheduler.nodes.items()}
        return dict(sorted(per_node.items()))


def assigned(decisions: list[Decision]) -> Counter:
    """How many tasks the decisions put on each node."""
    return Counter(d.new.node for d in decisions if d.new.state == TaskState.ASSIGNED)


def errors(decisions: list[Decision]) -> set[str]:
    return {d.new.err for d in decisions if d.new.state == TaskState.PENDING}


def run_yaml(text: str) -> Trace:
    """Simulate the scenario in `text`."""
    return run_scenario(loads_scenario(text), SimBackend())


def final_tasks(trace: Trace, service: str | None = None) -> list[dict]:
    """The last event of every task (each generation) at the end of the trace."""
    last = task_states_at(trace).values()
    return [e for e in last if service is None or e["service"] == service]


def running_tasks(trace: Trace, service: str | None = None) -> list[dict]:
    return [e for e in final_tasks(trace, service) if e["state"] == "running" and e["desired"] == "running"]


def scenario(*steps: str, cluster: str = "{managers: 1, workers: 2}", images: str = "{}", seed: int = 1) -> str:
    """Scenario YAML from step lines written as they would appear under `steps:`."""
    body = "\n".join(f"  - {step}" for step in steps)
    return f"version: 1\nseed: {seed}\ncluster: {cluster}\nimages: {images}\nsteps:\n{body}\n"


def events_of(trace: Trace, task_name: str, gen: int | None = None) -> list[dict]:
    return [e for e in trace.tasks() if e["task"] == task_name and (gen is None or e["gen"] == gen)]


def first(trace: Trace, **match) -> dict:
    """The first task event whose fields equal `match`."""
    return next(e for e in trace.tasks() if all(e.get(k) == v for k, v in match.items()))
