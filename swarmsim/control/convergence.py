"""When the docker CLI calls a service converged (docker/cli service/progress/progress.go).

Up-to-date tasks are those that are not dirty (controlapi task.go, the _up-to-date
filter). For a replicated service: per slot, among up-to-date tasks on nodes that are not
down, the one with the lowest desired state (then the lowest state) counts; the
service has converged when `replicas` of those are RUNNING with a desired state
that is not terminal. For a global service: every up-to-date task's node counts.
"""
from __future__ import annotations

from typing import Iterable, Mapping

from ..model import Node, NodeStatus, Service, ServiceMode, Task
from ..model.task import ASSIGNED, COMPLETE, REJECTED, RUNNING
from .orchestrator import is_task_dirty

_CLI_STATES = REJECTED  # the CLI ignores desired/observed states it does not know (remove, orphaned)


def _known(t: Task) -> bool:
    return t.desired <= _CLI_STATES and t.state <= _CLI_STATES


def node_active(nodes: Mapping[str, Node], name: str | None) -> bool:
    """Not on a node the CLI's node list has as down (an unassigned task counts as active)."""
    node = nodes.get(name or "")
    return name is None or (node is not None and node.status is not NodeStatus.DOWN)


def running_as_desired(t: Task) -> bool:
    """Counted as running by the CLI: observed running, desired running (or less)."""
    return t.desired <= RUNNING and t.state == RUNNING


def _up_to_date(service: Service, tasks: Iterable[Task], nodes: Mapping[str, Node]) -> list[Task]:
    return [t for t in tasks if _known(t) and not is_task_dirty(service, t, nodes.get(t.node or ""))]


def cli_tasks_by_slot(service: Service, tasks: Iterable[Task], nodes: Mapping[str, Node]) -> dict[int, Task]:
    """progress.go tasksBySlot: per slot, the up-to-date task the CLI shows, none on a down node."""
    by_slot: dict[int, Task] = {}
    for t in _up_to_date(service, tasks, nodes):
        if _hides(by_slot.get(t.slot), t):
            continue
        if t.node is not None and not node_active(nodes, t.node):
            continue
        by_slot[t.slot] = t
    return by_slot


def cli_tasks_by_node(service: Service, tasks: Iterable[Task], nodes: Mapping[str, Node]) -> dict[str, Task]:
    """progress.go tasksByNode: per node, the up-to-date task the CLI shows (down nodes included)."""
    by_node: dict[str, Task] = {}
    for t in _up_to_date(service, tasks, nodes):
        if not _hides(by_node.get(t.node or ""), t):
            by_node[t.node or ""] = t
    return by_node


def running_and_wanted(service: Service, tasks: Iterable[Task], nodes: Mapping[str, Node]) -> tuple[int, int]:
    """(running, wanted) as the CLI's progress bar shows them."""
    if service.is_global:
        by_node = cli_tasks_by_node(service, tasks, nodes)
        running = sum(1 for t in by_node.values() if node_active(nodes, t.node) and running_as_desired(t))
        return running, len(by_node)
    return sum(1 for t in cli_tasks_by_slot(service, tasks, nodes).values() if running_as_desired(t)), service.spec.replicas


def _hides(seen: Task | None, t: Task) -> bool:
    """The task already picked for a slot or node wins: lower desired state, then lower state
    (tasksBySlot and tasksByNode alike)."""
    return seen is not None and (seen.desired < t.desired or (seen.desired == t.desired and seen.state <= t.state))


def service_converged(service: Service, tasks: Iterable[Task], nodes: Mapping[str, Node]) -> bool:
    running, wanted = running_and_wanted(service, tasks, nodes)
    return running == wanted and (wanted > 0 or not service.is_global)


def task_settled(t: Task) -> bool:
    """Running as desired, or stopped (or never started) as desired; a held replacement is not settled."""
    if t.desired == RUNNING:
        return t.state == RUNNING
    if t.desired == COMPLETE:  # a job's task: settled once it has finished
        return t.state >= COMPLETE
    return t.desired > RUNNING and (t.state > RUNNING or t.state < ASSIGNED)


def swarm_converged(services: Iterable[Service], tasks: Iterable[Task], nodes: Mapping[str, Node]) -> bool:
    """`wait: converged`: every task where its desired state wants it, every replicated service at its
    replica count, no update or rollback in progress. Tasks on down nodes are left out: the manager
    cannot hear from them, so their reported state stays as it was."""
    running: dict[str, int] = {}
    completed: dict[str, int] = {}
    for t in tasks:
        if not node_active(nodes, t.node):
            continue
        if not task_settled(t):
            return False
        if t.desired == RUNNING:
            running[t.service_id] = running.get(t.service_id, 0) + 1
        if t.state == COMPLETE and t.job_iteration is not None:
            completed[(t.service_id, t.job_iteration)] = completed.get((t.service_id, t.job_iteration), 0) + 1
    for s in services:
        if s.update_status is not None and s.update_status.state.value in ("updating", "rollback_started"):
            return False
        if s.spec.mode is ServiceMode.REPLICATED and running.get(s.id, 0) != s.spec.replicas:
            return False
        if s.spec.mode is ServiceMode.REPLICATED_JOB and completed.get((s.id, s.job_iteration), 0) < s.spec.replicas:
            return False
    return True
