"""The task reaper: keeps a bounded task history per slot (taskreaper/task_reaper.go).

Tasks removed by a scale-down or service removal are deleted once they stop; a
slot keeps at most `task_history_limit` tasks (max attempts + 1 when a restart
policy limits attempts), deleting the oldest finished ones first.
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from ..model import Task
from ..model.task import ASSIGNED, COMPLETE, REMOVE, RUNNING

if TYPE_CHECKING:
    from .manager import Manager

MAX_DIRTY = 1000
Slot = tuple[str, int, "str | None"]  # (service ID, slot, node for a global service's task)


def _finished(t: Task) -> bool:
    return t.state > RUNNING or (t.state < ASSIGNED and t.desired > RUNNING)


class TaskReaper:
    def __init__(self, manager: "Manager"):
        self.manager = manager
        self.dirty: dict[Slot, int] = {}  # slot -> its place in the order it became dirty
        self.cleanup: dict[str, None] = {}
        self._armed = False
        self._due = False  # a tick is queued for the current instant (the backlog passed MAX_DIRTY)
        # A slot left dirty (more than one task still running) is looked at again at every tick, as swarmkit
        # does, and with more than MAX_DIRTY of them a tick comes at every task event: 8 updates of 2,500 slots
        # at once sorted 21 million histories. The same history and limit give the same answer, so a tick looks
        # only at the dirty slots written since their last look (or whose service changed), in dirty order.
        self._places = itertools.count()
        self._pending: dict[int, Slot] = {}  # place -> dirty slot to look at
        self._looked: dict[Slot, None] = {}  # dirty slots left as they were at their last look
        self._limit = manager.task_history_limit  # the cluster's limit at the last tick
        manager.store.task_watchers.append(self._on_task)
        manager.store.service_watchers.append(self._on_service)

    def _look_again(self, key: Slot) -> None:
        if key in self._looked:
            del self._looked[key]
            self._pending[self.dirty[key]] = key

    def _on_service(self, old, new) -> None:
        """A new spec (its restart policy) or a removed service: its slots are looked at again. Its other writes
        (the update status) keep the spec and so the limit."""
        if old is not None and new is not None and old.spec is new.spec:
            return
        service_id = (new or old).id
        for key in [k for k in self._looked if k[0] == service_id]:
            self._look_again(key)

    def _on_task(self, old: Task | None, new: Task | None) -> None:
        t = new or old
        key = (t.service_id, t.slot, t.node if not t.slot else None)
        self._look_again(key)
        if new is None:
            return
        if old is None:
            if key not in self.dirty:
                self.dirty[key] = place = next(self._places)
                self._pending[place] = key
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
        if self.manager.task_history_limit != self._limit:
            self._limit = self.manager.task_history_limit
            for key in list(self._looked):
                self._look_again(key)
        pending, self._pending = self._pending, {}
        for place in sorted(pending):
            key = pending[place]
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
            else:
                self._looked[key] = None
        for task_id in delete:
            store.delete_task(task_id)
