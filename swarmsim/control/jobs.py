"""What the jobs orchestrators decide (swarmkit manager/orchestrator/jobs/{replicated,global}/reconciler.go).

A job runs its tasks to completion: a completed task counts and is never run again, a failed one goes to
the restart supervisor, and a task of an earlier iteration (before the spec changed) is removed.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from ..model import Availability, Node, NodeStatus, Service, Task, TaskState
from .orchestrator import invalid_node, node_matches_service


@dataclass(frozen=True, slots=True)
class JobPlan:
    create: tuple[int | str, ...] = ()  # slot numbers (replicated job) or node names (global job)
    restart: tuple[str, ...] = ()  # failed tasks of this iteration
    remove: tuple[str, ...] = ()  # tasks of an earlier iteration still running
    shutdown: tuple[str, ...] = ()  # tasks on nodes that became invalid


def _earlier_iteration(service: Service, t: Task) -> bool:
    return t.job_iteration is not None and t.job_iteration != service.job_iteration


def replicated_job(service: Service, tasks: list[Task]) -> JobPlan:
    """At most max_concurrent tasks at once until `replicas` completed; new tasks take the lowest slots no
    task of this iteration holds, so completed slots are never reused."""
    complete = running = 0
    taken: set[int] = set()
    restart, remove = [], []
    for t in tasks:
        if t.job_iteration is None:
            continue
        if _earlier_iteration(service, t):
            if t.state <= TaskState.RUNNING and t.desired is not TaskState.REMOVE:
                remove.append(t.id)
        elif t.state is TaskState.COMPLETE:
            complete += 1
            taken.add(t.slot)
        elif t.desired <= TaskState.COMPLETE:
            running += 1
            taken.add(t.slot)
            if t.state > TaskState.COMPLETE:
                restart.append(t.id)
    total = service.spec.replicas
    new = max(0, min(service.spec.max_concurrent - running, total - complete - running))
    slots = islice((s for s in range(total) if s not in taken), new)  # not a list of every slot
    return JobPlan(create=tuple(slots), restart=tuple(restart), remove=tuple(remove))


def _candidate(service: Service, node: Node) -> bool:
    return (node_matches_service(service, node) and not invalid_node(node)
            and node.availability is Availability.ACTIVE and node.status is NodeStatus.READY)


def global_job(service: Service, tasks: list[Task], nodes: list[Node]) -> JobPlan:
    """One task per active, ready node matching the constraints; a node that has one of this iteration (in
    whatever state) gets none, and a task on a node gone invalid is shut down if it has not finished."""
    current: dict[str, Task] = {}
    restart, remove = [], []
    for t in tasks:
        if t.job_iteration is None:
            continue
        if _earlier_iteration(service, t):
            if t.desired is not TaskState.REMOVE:
                remove.append(t.id)
        elif t.desired <= TaskState.COMPLETE:
            current[t.node] = t
            if t.state > TaskState.COMPLETE:
                restart.append(t.id)
    create = tuple(n.name for n in nodes if _candidate(service, n) and n.name not in current)
    shutdown = tuple(current[n.name].id for n in nodes
                     if n.name in current and node_matches_service(service, n) and invalid_node(n)
                     and current[n.name].state <= TaskState.RUNNING)
    return JobPlan(create=create, restart=tuple(restart), remove=tuple(remove), shutdown=shutdown)
