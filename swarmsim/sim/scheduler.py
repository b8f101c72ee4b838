"""The scheduler loop: feeds store events to the scheduler and runs debounced passes.

A pass runs 50 ms after the last commit of a burst, or at the first commit once
a burst has lasted 1 s (scheduler.go Run); its decisions are written back as
one batch, skipping any task that changed meanwhile.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..control.scheduler import Scheduler
from ..model import Node, Task

if TYPE_CHECKING:
    from .manager import Manager


class SchedulerLoop:
    def __init__(self, manager: "Manager"):
        self.manager = manager
        store = manager.store
        self.scheduler = Scheduler(lambda sid: s.version if (s := store.services.get(sid)) else None)
        self.rng = manager.sim.rng.stream("scheduler")
        self._burst_started: float | None = None
        self._deadline = 0.0
        self._armed = False  # a _timer is pending: one at a time, whichever burst armed it
        store.task_watchers.append(self._on_task)
        store.node_watchers.append(self._on_node)
        store.commit_watchers.append(self._on_commit)

    def _on_task(self, old: Task | None, new: Task | None) -> None:
        if new is None:
            self.scheduler.task_deleted(old)
        elif old is None:
            self.scheduler.task_created(new)
        else:
            self.scheduler.task_updated(new, self.manager.sim.now)

    def _on_node(self, old: Node | None, new: Node | None) -> None:
        if new is None:
            self.scheduler.node_removed(old.name)
        else:
            self.scheduler.node_updated(new)

    def _on_commit(self) -> None:
        now, timing = self.manager.sim.now, self.manager.timing
        if self._burst_started is None:
            self._burst_started = now
            self._deadline = now + timing.scheduler_debounce
            self._arm()
        elif now - self._burst_started > timing.scheduler_max_latency:
            self._burst_started = None
            self.manager.sim.soon(self._pass)
        else:
            self._deadline = now + timing.scheduler_debounce

    def _arm(self) -> None:
        """A burst ended by the latency cap leaves its timer pending; the next burst reuses it."""
        if not self._armed:
            self._armed = True
            self.manager.sim.call_at(self._deadline, self._timer)

    def _timer(self) -> None:
        self._armed = False
        if self._burst_started is None:
            return
        if self.manager.sim.now < self._deadline:
            self._arm()
            return
        self._burst_started = None
        self._pass()

    def _pass(self) -> None:
        if not self.manager.active:
            return
        store = self.manager.store
        for d in self.scheduler.schedule(self.manager.sim.now, self.rng):
            current = store.tasks.get(d.old.id)
            if current is None:
                self.scheduler.task_deleted(d.new)
                continue
            if (current.state, current.msg, current.err) == (d.new.state, d.new.msg, d.new.err):
                continue
            if current.state != d.old.state or current.node != d.old.node:
                self.scheduler.task_updated(current, self.manager.sim.now)  # changed meanwhile: retry
                continue
            store.update_task(current.copy(node=d.new.node, state=d.new.state, msg=d.new.msg, err=d.new.err,
                                      status_at=d.new.status_at))
