"""The task reaper: keeps a bounded task history per slot (taskreaper/task_reaper.go).

Tasks removed by a scale-down or service removal are deleted once they stop; a
slot keeps at most `task_history_limit` tasks (max attempts + 1 when a restart
policy limits attempts), deleting the oldest finished ones first.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Task
from ..model.task import ASSIGNED, COMPLETE, REMOVE, RUNNING

if TYPE_CHECKING:
    from .manager import Manager

MAX_DIRTY = 1000


def _finished(t: Task) -> bool:
    return t.state > RUNNING or (t.state < ASSIGNED and t.desired > RUNNING)


class TaskReaper:
    def __init__(self, manager: "Manager"):
        self.manager = manager
        self.dirty: dict[tuple[str, int, str | None], None] = {}
        self.cleanup: dict[str, None] = {}
        self._armed = False
        self._due = False  # a tick is queued for the current instant (the backlog passed MAX_DIRTY)
        manager.store.task_watchers.append(self._on_task)

    def _on_task(self, old: Task | None, new: Task | None) -> None:
        if new is None:
            return
        if old is None:
            self.dirty[(new.service_id, new.slot, new.node if not new.slot else None)] = None
        elif new.desired == REMOVE and (new.state < ASSIGNED or new.state >= COMPLETE):
            self.cleanup[new.id] = None
        if len(self.dirty) + len(self.cleanup) > MAX_DIRTY:
            if not self._due:  # one tick for the burst at this instant, not one per task event
                self._due = True
                self.manager.sim.soon(self._tick_now)
        elif not self._armed:
            self._armed = True
            self.manager.sim.call_at(self.manager.sim.now + self.manager.timing.reaper_batch, self.tick)

    def _tick_now(self) -> None:
        self._due = False
        self.tick()

    def tick(self) -> None:
        self._armed = False
        store = self.manager.store
        delete = dict(self.cleanup)
        self.cleanup = {}
        for key in list(self.dirty):
            service_id, slot, node = key
            service = store.services.get(service_id)
            if service is None:
                del self.dirty[key]
                continue
            limit = self.manager.task_history_limit
            if service.spec.task.restart_policy.max_attempts > 0:
                limit = service.spec.task.restart_policy.max_attempts + 1
            history = store.slot_tasks(service_id, slot, node)
            if limit < 0 or len(history) <= limit:
                del self.dirty[key]
                continue
            running = 0
            for t in sorted(history, key=lambda t: (t.status_at, t.created_at)):
                if _finished(t):
                    delete[t.id] = None
                    limit += 1
                    if len(history) <= limit:
                        break
                else:
                    running += 1
            if running <= 1:
                del self.dirty[key]
        for task_id in delete:
            store.delete_task(task_id)
