"""The leader's components, wired to one store (swarmkit manager/manager.go becomeLeader)."""
from __future__ import annotations

from typing import Callable

import simpy

from ..model.scenario import Timing
from .allocator import Allocator
from .dispatcher import Dispatcher
from .enforcer import ConstraintEnforcer
from .env import SimEnv
from .jobs import JobsOrchestrator
from .orchestrator import GlobalOrchestrator, ReplicatedOrchestrator
from .reaper import TaskReaper
from .restart import RestartSupervisor
from .scheduler import SchedulerLoop
from .store import Store
from .updater import UpdateSupervisor


class Manager:
    """Everything that runs on the raft leader; `active` is false while there is no leader, or while the
    leader has lost its quorum without noticing yet (`stalled`: its writes go to `uncommitted`, see Raft)."""

    def __init__(self, sim: SimEnv, store: Store, timing: Timing):
        self.sim, self.store, self.timing = sim, store, timing
        self.active = True
        self.step_down_at: float | None = None  # set while the leader has lost its quorum: when it notices
        self.uncommitted: list[Callable[[], None]] = []
        self.stalled_batch: float | None = None  # when the stalled leader's dispatcher proposed its one batch
        self._quorum: simpy.Event | None = None  # fires when a stalled leader's quorum is back
        self.task_history_limit = timing.task_history_limit
        self.restarts = RestartSupervisor(self)
        self.updates = UpdateSupervisor(self)
        self.allocator = Allocator(self)
        self.scheduler = SchedulerLoop(self)
        self.replicated = ReplicatedOrchestrator(self)
        self.global_orchestrator = GlobalOrchestrator(self)
        self.jobs = JobsOrchestrator(self)
        self.reaper = TaskReaper(self)
        self.dispatcher = Dispatcher(self)
        self.enforcer = ConstraintEnforcer(self)

    @property
    def stalled(self) -> bool:
        return self.step_down_at is not None

    def propose(self, write: Callable[[], None]) -> bool:
        """Make `write` now if the leader can commit (True); a stalled leader proposes it to its log instead,
        and without a leader it is not made (False both)."""
        if self.active:
            write()
            return True
        if self.stalled:
            self.uncommitted.append(write)
        return False

    def quorum_event(self) -> simpy.Event:
        """What a proposal that blocks (an updater's batch) waits on while the leader is stalled."""
        if self._quorum is None or self._quorum.triggered:
            self._quorum = self.sim.shared_event()
        return self._quorum

    def quorum_back(self) -> None:
        """A stalled leader has its quorum again: its log commits and blocked proposals go on."""
        self.active, self.step_down_at = True, None
        if self._quorum is not None and not self._quorum.triggered:
            self._quorum.succeed()

    def take_over(self) -> None:
        """A newly elected leader starts every component from the store's state (manager.go becomeLeader)."""
        self.active = True
        self.dispatcher.new_leader()
        store = self.store
        for t in list(store.tasks.values()):
            self.replicated._on_task(t, t)
            self.global_orchestrator._on_task(t, t)
        for service in list(store.services.values()):
            self.replicated._on_service(service, service)
            self.global_orchestrator._on_service(service, service)
            self.jobs._on_service(service, service)
        self.restarts.take_over()
        self.scheduler.scheduler.tick_required = True
        self.allocator.resume()
        store.commit()
