"""The constraint enforcer (orchestrator/constraintenforcer/constraint_enforcer.go).

When an active node changes (a label removed, say), tasks on it that no longer
meet their service's constraints, or no longer fit its resources, are marked
REJECTED; the orchestrators then replace them elsewhere like any failed task.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..control import constraint
from ..model import Availability, Node, TaskState

if TYPE_CHECKING:
    from .manager import Manager

REJECT_MSG = "task rejected by constraint enforcer"
REJECT_ERR = "assigned node no longer meets constraints"


class ConstraintEnforcer:
    def __init__(self, manager: "Manager"):
        self.manager = manager
        manager.store.node_watchers.append(self._on_node)

    def _on_node(self, old: Node | None, new: Node | None) -> None:
        if new is not None and old is not None and new.availability is Availability.ACTIVE and self.manager.active:
            self.manager.sim.soon(self._enforce, new.name)

    def _enforce(self, name: str) -> None:
        store = self.manager.store
        node = store.nodes.get(name)
        if node is None or node.availability is not Availability.ACTIVE:
            return
        cpus, memory = node.nano_cpus, node.memory_bytes
        reject = []
        for t in store.node_tasks(name):
            if not TaskState.ASSIGNED <= t.desired <= TaskState.COMPLETE or t.state >= TaskState.COMPLETE:
                continue
            service = store.services.get(t.service_id)
            placement = service.spec.task.placement if service else t.spec.placement
            if not constraint.node_matches(constraint.parse_all(placement.constraints), node):
                reject.append(t)
                continue
            need = t.spec.reservations
            if need.memory_bytes > memory or need.nano_cpus > cpus:
                reject.append(t)
                continue
            memory -= need.memory_bytes
            cpus -= need.nano_cpus
        for t in reject:
            current = store.tasks.get(t.id)
            if current is not None and current.desired <= TaskState.COMPLETE:
                store.update_task(current.copy(state=TaskState.REJECTED, msg=REJECT_MSG, err=REJECT_ERR,
                                          status_at=self.manager.sim.now))
