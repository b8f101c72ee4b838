"""The allocator: NEW tasks get their network resources and become PENDING.

Swarmkit's allocator assigns overlay IPs and ports; with no address exhaustion
modelled it only moves tasks along, at the instant after their creation. Like
doTaskAlloc (manager/allocator/network.go) it looks at the observed state only: a
task told to shut down before it was allocated still becomes PENDING, is scheduled,
and its agent reports it SHUTDOWN; only a task whose service is gone stays NEW.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..model import Task, TaskState

if TYPE_CHECKING:
    from .manager import Manager

PENDING_MSG = "pending task scheduling"


class Allocator:
    def __init__(self, manager: "Manager"):
        self.manager = manager
        self.new: dict[str, None] = {}
        manager.store.task_watchers.append(self._on_task)

    def _on_task(self, old: Task | None, new: Task | None) -> None:
        if new is not None and old is None and new.state == TaskState.NEW:
            if not self.new:
                self.manager.sim.call_at(self.manager.sim.now + self.manager.timing.raft_commit, self._allocate)
            self.new[new.id] = None

    def _allocate(self) -> None:
        batch, self.new = self.new, {}
        if not self.manager.active:
            return
        for task_id in batch:
            t = self.manager.store.tasks.get(task_id)
            if t is not None and t.state == TaskState.NEW and t.service_id in self.manager.store.services:
                self.manager.store.update_task(replace(t, state=TaskState.PENDING, msg=PENDING_MSG,
                                                       status_at=self.manager.sim.now))
