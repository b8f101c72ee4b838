"""The manager's store: the one channel between the simulated swarm components.

As in swarmkit, components never call each other: they write objects here and
react to what others wrote. Every write notifies the watchers and is the single
place where the trace is written, so nothing can change unrecorded.
"""
from __future__ import annotations

from typing import Callable

from ..control.convergence import task_settled
from ..model import Node, Service, Task
from ..trace import TraceWriter
from .env import SimEnv

TaskWatcher = Callable[[Task | None, Task | None], None]
NodeWatcher = Callable[[Node | None, Node | None], None]
ServiceWatcher = Callable[[Service | None, Service | None], None]


def _task_changed(old: Task, new: Task) -> bool:
    return (old.state != new.state or old.desired != new.desired or old.node != new.node
            or old.msg != new.msg or old.err != new.err)


def _service_fields(s: Service) -> tuple[str | None, str, int | None]:
    """What a `service` trace event reports: update state, its message, replicas (None if global)."""
    status = s.update_status
    return (status.state.value if status else None, status.message if status else "",
            None if s.per_node else s.spec.replicas)


class Store:
    def __init__(self, sim: SimEnv, trace: TraceWriter):
        self.sim = sim
        self.trace = trace
        self.nodes: dict[str, Node] = {}
        self.services: dict[str, Service] = {}
        self.service_ids: dict[str, str] = {}
        self.tasks: dict[str, Task] = {}
        self.by_service: dict[str, dict[str, Task]] = {}
        self.by_node: dict[str, dict[str, Task]] = {}
        self.by_slot: dict[tuple[str, int | str], dict[str, Task]] = {}
        self.unsettled: dict[str, None] = {}  # tasks not yet where their desired state wants them
        self._gens: dict[tuple[str, str], int] = {}
        self.task_watchers: list[TaskWatcher] = []
        self.service_task_watchers: dict[str, list[TaskWatcher]] = {}  # told after task_watchers, of one service
        self.node_watchers: list[NodeWatcher] = []
        self.service_watchers: list[ServiceWatcher] = []
        self.commit_watchers: list[Callable[[], None]] = []
        self.version = 0  # commits so far; readers cache what they derived from an unchanged store
        self.node_writes = 0  # node writes so far: what was derived from the nodes holds while it is unchanged

    # -- reads ------------------------------------------------------------------------------------
    def service(self, name_or_id: str) -> Service | None:
        return self.services.get(self.service_ids.get(name_or_id, name_or_id))

    def service_tasks(self, service_id: str) -> list[Task]:
        return list(self.by_service.get(service_id, {}).values())

    def node_tasks(self, node: str) -> list[Task]:
        return list(self.by_node.get(node, {}).values())

    def slot_tasks(self, service_id: str, slot: int, node: str | None) -> list[Task]:
        """A replicated slot's tasks, or a global service's tasks on one node."""
        return list(self.by_slot.get((service_id, slot or f"@{node}"), {}).values())

    # -- writes -----------------------------------------------------------------------------------
    def commit(self) -> None:
        """An empty transaction: wakes every loop waiting on commits."""
        self._commit()

    def watch_service_tasks(self, service_id: str, watcher: TaskWatcher) -> None:
        """`watcher` hears of the tasks of one service only: an updater per service would otherwise be told
        of every task of every service (ten updaters: ten calls per write, nine of them for nothing)."""
        self.service_task_watchers.setdefault(service_id, []).append(watcher)

    def unwatch_service_tasks(self, service_id: str, watcher: TaskWatcher) -> None:
        watchers = self.service_task_watchers[service_id]
        watchers.remove(watcher)
        if not watchers:
            del self.service_task_watchers[service_id]

    def _publish(self, watchers: list, old, new) -> None:
        """Tell every watcher of this kind of object, then close the transaction."""
        for watcher in watchers:
            watcher(old, new)
        self._commit()

    def _publish_task(self, old: Task | None, new: Task | None) -> None:
        for watcher in self.task_watchers:
            watcher(old, new)
        keyed = self.service_task_watchers.get((new or old).service_id)
        if keyed:
            for watcher in keyed:
                watcher(old, new)
        self._commit()

    def _commit(self) -> None:
        self.version += 1
        for watcher in self.commit_watchers:
            watcher()

    def _index(self, t: Task) -> None:
        self.tasks[t.id] = t
        self.by_service.setdefault(t.service_id, {})[t.id] = t
        self.by_slot.setdefault((t.service_id, t.slot or f"@{t.node}"), {})[t.id] = t
        if t.node is not None:
            self.by_node.setdefault(t.node, {})[t.id] = t
        if task_settled(t):
            self.unsettled.pop(t.id, None)
        else:
            self.unsettled[t.id] = None

    def _unindex(self, t: Task) -> None:
        self.tasks.pop(t.id, None)
        self.unsettled.pop(t.id, None)
        self.by_service.get(t.service_id, {}).pop(t.id, None)
        self.by_slot.get((t.service_id, t.slot or f"@{t.node}"), {}).pop(t.id, None)
        if t.node is not None:
            self.by_node.get(t.node, {}).pop(t.id, None)

    def _trace_task(self, t: Task, at: float | None) -> None:
        self.trace.emit_task(self.sim.now if at is None else at, t.name, t.gen, t.service, t.slot, t.node,
                             t.state.label, t.desired.label, t.spec.image, t.msg, t.err)

    def create_task(self, t: Task) -> Task:
        key = (t.service_id, str(t.slot) if t.slot else f"@{t.node}")
        gen = self._gens.get(key, 0) + 1
        self._gens[key] = gen
        t = t.copy(gen=gen, created_at=self.sim.now, status_at=self.sim.now)
        self._index(t)
        self._trace_task(t, None)
        self._publish_task(None, t)
        return t

    def update_task(self, new: Task, at: float | None = None) -> Task | None:
        """Write a new version of a task; `at` is the agent's own time for a reported status."""
        old = self.tasks.get(new.id)
        if old is None:
            return None
        if old.node != new.node:
            self._unindex(old)
        self._index(new)
        if _task_changed(old, new):
            self._trace_task(new, at)
        self._publish_task(old, new)
        return new

    def delete_task(self, task_id: str) -> None:
        old = self.tasks.get(task_id)
        if old is None:
            return
        self._unindex(old)
        self.trace.emit(self.sim.now, "deleted", task=old.name, gen=old.gen, service=old.service, slot=old.slot,
                        node=old.node, state=old.state.label, desired=old.desired.label)
        self._publish_task(old, None)

    def put_node(self, new: Node) -> None:
        old = self.nodes.get(new.name)
        self.nodes[new.name] = new
        self.node_writes += 1
        if old is None or (old.status, old.availability, old.role, old.leader) != \
                (new.status, new.availability, new.role, new.leader):
            self.trace.emit(self.sim.now, "node", node=new.name, status=new.status.value,
                            availability=new.availability.value, role=new.role.value, leader=new.leader)
        self._publish(self.node_watchers, old, new)

    def delete_node(self, name: str) -> None:
        old = self.nodes.pop(name, None)
        if old is None:
            return
        self.node_writes += 1
        self._publish(self.node_watchers, old, None)

    def put_service(self, new: Service) -> None:
        old = self.services.get(new.id)
        self.services[new.id] = new
        self.service_ids[new.name] = new.id
        seen = _service_fields(new)
        if old is None or seen != _service_fields(old):
            state, msg, replicas = seen
            self.trace.emit(self.sim.now, "service", service=new.name, update_state=state, msg=msg,
                            replicas=replicas)
        self._publish(self.service_watchers, old, new)

    def delete_service(self, service_id: str) -> None:
        old = self.services.pop(service_id, None)
        if old is None:
            return
        self.service_ids.pop(old.name, None)
        self.trace.emit(self.sim.now, "service", service=old.name, update_state=None, msg="removed", replicas=0)
        self._publish(self.service_watchers, old, None)
