"""The replicated and global orchestrators (swarmkit manager/orchestrator/{replicated,global}).

They watch the store and, at the instant of each change, restart tasks that
stopped or lost their node and reconcile services whose spec changed: slots are
created, kept or removed, and dirty slots are handed to the updater.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..control.gomap import range_order
from ..control.orchestrator import (invalid_node, is_task_dirty, lowest_free_slots, newest_task,
                                    node_matches_service, scale_down_order)
from ..model import Availability, Node, NodeStatus, Service, ServiceMode, Task, TaskState, UpdateState
from ..model.task import REMOVE, RUNNING, SHUTDOWN
from .tasks import new_task

if TYPE_CHECKING:
    from .manager import Manager


def set_desired(manager: "Manager", tasks, desired: TaskState) -> None:
    """Raise tasks' desired state, never lowering it (setTasksDesiredState / shutdownTask)."""
    for t in tasks:
        current = manager.store.tasks.get(t.id)
        if current is not None and current.desired < desired:
            manager.store.update_task(current.copy(desired=desired))


def updatable_tasks_in_slot(manager: "Manager", service: Service, slot: list[Task]) -> list[Task]:
    """Tasks of a slot still wanted; a slot whose newest task will not restart stays satisfied by it."""
    updatable = [t for t in slot if t.desired <= RUNNING]
    if updatable or not slot:
        return updatable
    if service.update_status and service.update_status.state is UpdateState.ROLLBACK_STARTED:
        return []
    newest = newest_task(slot)
    return [] if manager.restarts.should_restart(service, newest) else [newest]


class _Loop:
    """Collects work from store events; does it at the same instant, once per instant."""

    def __init__(self, manager: "Manager"):
        self.manager = manager
        self._kicked = False
        manager.store.commit_watchers.append(self._kick)

    def _kick(self) -> None:
        if not self._kicked and self.has_work():
            self._kicked = True
            self.manager.sim.soon(self._run)

    def _run(self) -> None:
        self._kicked = False
        if self.manager.active:
            self.tick()

    def has_work(self) -> bool:
        raise NotImplementedError

    def tick(self) -> None:
        raise NotImplementedError


class _Orchestrator(_Loop):
    """What both orchestrators share: their queues, their watches, and service removal."""

    mode = ServiceMode.REPLICATED

    def __init__(self, manager: "Manager"):
        super().__init__(manager)
        self.restart_tasks: dict[str, None] = {}
        self.reconcile: dict[str, None] = {}
        self._map_order = manager.sim.rng.stream("orchestrator.slots")
        store = manager.store
        store.service_watchers.append(self._on_service)
        store.task_watchers.append(self._on_task)
        store.node_watchers.append(self._on_node)

    def _mine(self, service_id: str) -> Service | None:
        service = self.manager.store.services.get(service_id)
        return service if service is not None and service.spec.mode is self.mode else None

    def _on_service(self, old: Service | None, new: Service | None) -> None:
        if new is None:
            if old.spec.mode is self.mode:  # SetServiceTasksRemove
                self.manager.updates.cancel(old.id)
                set_desired(self.manager, self.manager.store.service_tasks(old.id), REMOVE)
        elif new.spec.mode is self.mode:
            self.reconcile[new.id] = None

    def _on_task(self, old: Task | None, new: Task | None) -> None:
        raise NotImplementedError

    def _on_node(self, old: Node | None, new: Node | None) -> None:
        raise NotImplementedError


class ReplicatedOrchestrator(_Orchestrator):
    def has_work(self) -> bool:
        return bool(self.restart_tasks or self.reconcile)

    def _on_task(self, old: Task | None, new: Task | None) -> None:
        if new is None:
            if old.desired <= RUNNING and self._mine(old.service_id):
                self.reconcile[old.service_id] = None
            return
        if new.desired > RUNNING or self._mine(new.service_id) is None:
            return
        if new.state > RUNNING or (new.node is not None and
                                             invalid_node(self.manager.store.nodes.get(new.node))):
            self.restart_tasks[new.id] = None

    def _on_node(self, old: Node | None, new: Node | None) -> None:
        if new is None or invalid_node(new):
            for t in self.manager.store.node_tasks((new or old).name):
                if t.desired <= RUNNING and self._mine(t.service_id):
                    self.restart_tasks[t.id] = None

    def tick(self) -> None:
        restart, self.restart_tasks = self.restart_tasks, {}
        for task_id in restart:
            t = self.manager.store.tasks.get(task_id)
            if t is None or t.desired > RUNNING:
                continue
            service = self._mine(t.service_id)
            if service is not None:
                self.manager.restarts.restart(service, t)
        services, self.reconcile = self.reconcile, {}
        for service_id in services:
            service = self._mine(service_id)
            if service is not None:
                self._reconcile(service)

    def _slots(self, service: Service) -> tuple[dict[int, list[Task]], dict[int, list[Task]]]:
        """Live and dead slots as updatableAndDeadSlots builds them: a Go map keyed by slot number, filled
        from the store's listing of the service's tasks (by task ID), dead slots deleted from it. The live
        ones come in the order reconcile ranges over that map, the order the updater replaces them in:
        task-ID order rotated (26 real updates out of 26: docs/measurements.md (m))."""
        by_slot: dict[int, list[Task]] = {}
        for t in sorted(self.manager.store.service_tasks(service.id), key=lambda t: t.id):
            by_slot.setdefault(t.slot, []).append(t)
        live, dead = {}, {}
        for number, slot in by_slot.items():
            updatable = updatable_tasks_in_slot(self.manager, service, slot)
            (live if updatable else dead)[number] = updatable or slot
        order = range_order(list(by_slot), self._map_order, deleted=dead)
        return {number: live[number] for number in order}, dead

    def _reconcile(self, service: Service) -> None:
        m = self.manager
        live, dead = self._slots(service)
        want = service.spec.replicas
        slots = list(live.values())
        if want > len(live):
            m.updates.update(service, slots)
            for number in lowest_free_slots(live, want - len(live)):
                dead.pop(number, None)
                m.store.create_task(new_task(m.sim, service, number))
            self._delete_dead(dead)
        elif want < len(live):
            ordered = scale_down_order(slots)
            m.updates.update(service, ordered[:want])
            self._delete_dead(dead)
            set_desired(m, [t for slot in ordered[want:] for t in slot], REMOVE)
        else:
            self._delete_dead(dead)
            m.updates.update(service, slots)

    def _delete_dead(self, dead: dict[int, list[Task]]) -> None:
        for slot in dead.values():
            for t in slot:
                self.manager.store.delete_task(t.id)


class GlobalOrchestrator(_Orchestrator):
    mode = ServiceMode.GLOBAL

    def __init__(self, manager: "Manager"):
        self.reconcile_nodes: dict[str, None] = {}
        super().__init__(manager)

    def has_work(self) -> bool:
        return bool(self.restart_tasks or self.reconcile or self.reconcile_nodes)

    def _eligible(self) -> list[Node]:
        return [n for n in self.manager.store.nodes.values()
                if n.availability is not Availability.DRAIN and n.status is not NodeStatus.DOWN]

    def _on_task(self, old: Task | None, new: Task | None) -> None:
        if new is None or self._mine(new.service_id) is None:
            return
        if new.desired <= RUNNING and new.state > RUNNING:
            self.restart_tasks[new.id] = None

    def _on_node(self, old: Node | None, new: Node | None) -> None:
        if new is None:
            for t in self.manager.store.node_tasks(old.name):
                if self._mine(t.service_id):
                    self.manager.store.delete_task(t.id)
            return
        self.reconcile_nodes[new.name] = None

    def tick(self) -> None:
        self._tick_tasks()
        nodes, self.reconcile_nodes = self.reconcile_nodes, {}
        for name in nodes:
            node = self.manager.store.nodes.get(name)
            if node is not None:
                self._reconcile_node(node)
        services, self.reconcile = self.reconcile, {}
        for service_id in services:
            service = self._mine(service_id)
            if service is not None:
                self._reconcile_service(service)
        self._tick_tasks()

    def _tick_tasks(self) -> None:
        restart, self.restart_tasks = self.restart_tasks, {}
        eligible = {n.name: n for n in self._eligible()}
        for task_id in restart:
            t = self.manager.store.tasks.get(task_id)
            if t is None or t.desired > RUNNING:
                continue
            service, node = self._mine(t.service_id), eligible.get(t.node or "")
            if service is None or node is None:
                continue
            if node.availability is Availability.PAUSE or not node_matches_service(service, node):
                set_desired(self.manager, [t], SHUTDOWN)
            else:
                self.manager.restarts.restart(service, t)

    def _node_slots(self, service: Service) -> dict[str, list[Task]]:
        by_node: dict[str, list[Task]] = {}
        for t in self.manager.store.service_tasks(service.id):
            by_node.setdefault(t.node, []).append(t)
        out = {}
        for node, slot in by_node.items():
            updatable = updatable_tasks_in_slot(self.manager, service, slot)
            if updatable:
                out[node] = updatable
        return out

    def _reconcile_service(self, service: Service) -> None:
        m = self.manager
        slots = self._node_slots(service)
        to_update = []
        for node in self._eligible():
            tasks = slots.pop(node.name, [])
            if not node_matches_service(service, node):
                set_desired(m, tasks, SHUTDOWN)
            elif node.availability is Availability.PAUSE:
                continue
            elif not tasks:
                m.store.create_task(new_task(m.sim, service, 0, node.name))
            else:
                to_update.append(tasks)
        for tasks in slots.values():
            set_desired(m, tasks, SHUTDOWN)
        if to_update:  # ranging over g.nodes, a long-lived map whose cells follow the nodes' history
            self._map_order.shuffle(to_update)
            m.updates.update(service, to_update)

    def _reconcile_node(self, node: Node) -> None:
        m = self.manager
        if node.availability is Availability.DRAIN or node.status is NodeStatus.DOWN:
            set_desired(m, [t for t in m.store.node_tasks(node.name) if self._mine(t.service_id)],
                        SHUTDOWN)
            return
        if node.availability is Availability.PAUSE:
            return
        for service in [s for s in m.store.services.values() if s.spec.mode is self.mode]:
            if not node_matches_service(service, node):
                continue
            slot = [t for t in m.store.node_tasks(node.name) if t.service_id == service.id]
            tasks = updatable_tasks_in_slot(m, service, slot)
            clean, dirty = [], []
            for t in tasks:
                (dirty if is_task_dirty(service, t, node) else clean).append(t)
            if not clean:
                m.store.create_task(new_task(m.sim, service, 0, node.name))
            set_desired(m, dirty + clean[1:], SHUTDOWN)
