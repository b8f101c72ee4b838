"""Rolling updates and rollbacks (swarmkit manager/orchestrator/update/updater.go).

One Updater per service runs `parallelism` workers over the dirty slots. Each
worker replaces one slot (stop-first: the old task is told to stop and the new
one released once it has; start-first: the new one starts first), waits without
a timeout for the new task to run, then sleeps `delay`. Task failures are only
noticed where Docker's loop looks for them: while handing out the next slot and
during the final monitor period, with the monitor window measured then.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import simpy

from ..control.orchestrator import is_task_dirty, slot_is_dirty
from ..model import FailureAction, Service, Task, UpdateOrder, UpdateState, UpdateStatus
from ..model.task import READY, RUNNING, SHUTDOWN
from .tasks import new_task

if TYPE_CHECKING:
    from .manager import Manager

_ZERO = None  # updatedTasks entry before the task has reached RUNNING (Go's zero time)


class UpdateSupervisor:
    """At most one updater per service; a different spec cancels the running one."""

    def __init__(self, manager: "Manager"):
        self.manager = manager
        self.updates: dict[str, Updater] = {}

    def update(self, service: Service, slots: list[list[Task]]) -> None:
        running = self.updates.get(service.id)
        if running is not None:
            if running.service.spec == service.spec:
                return
            running.cancel()
        updater = Updater(self.manager, service)
        self.updates[service.id] = updater
        self.manager.sim.process(self._run(updater, slots))

    def _run(self, updater: "Updater", slots):
        yield from updater.run(slots)
        if self.updates.get(updater.service.id) is updater:
            del self.updates[updater.service.id]

    def cancel(self, service_id: str) -> None:
        updater = self.updates.pop(service_id, None)
        if updater is not None:
            updater.cancel()

    def cancel_all(self) -> None:
        """Leadership lost: the orchestrators stop and with them every updater (CancelAll); the next leader's
        reconcile starts new ones over the slots still dirty, the UpdateStatus kept (Manager.take_over)."""
        updates, self.updates = self.updates, {}
        for updater in updates.values():
            updater.cancel()


class Updater:
    def __init__(self, manager: "Manager", service: Service):
        self.manager = manager
        self.sim = manager.sim
        self.store = manager.store
        self.service = service
        self.stop = self.sim.shared_event()  # in every worker's condition
        self.updated_tasks: dict[str, float | None] = {}
        self._failures: list[Task] = []
        self._failure_signal = self.sim.env.event()
        self._running_waiters: dict[str, simpy.Event] = {}
        self._watch_failures = False
        self.store.watch_service_tasks(service.id, self._on_task)

    def cancel(self) -> None:
        if not self.stop.triggered:
            self.stop.succeed()

    # -- watches -------------------------------------------------------------------------------------
    def _on_task(self, old: Task | None, new: Task | None) -> None:
        if new is None:
            return
        if new.state > RUNNING and self._watch_failures:
            self._failures.append(new)
            if not self._failure_signal.triggered:
                self._failure_signal.succeed()
        waiter = self._running_waiters.get(new.id)
        if waiter is not None and new.state >= RUNNING:
            del self._running_waiters[new.id]
            self.updated_tasks[new.id] = self.sim.now
            waiter.succeed(new)

    def _committed(self):
        """Wait until this leader can commit: a stalled leader's proposals block until its quorum is back,
        or until it steps down, which cancels this updater."""
        manager = self.manager
        while not manager.active and not self.stop.triggered:
            if not manager.stalled:
                self.cancel()
                return
            yield manager.quorum_event() | self.stop

    def _take_failures(self) -> list[Task]:
        failures, self._failures = self._failures, []
        self._failure_signal = self.sim.env.event()
        return failures

    # -- the run ----------------------------------------------------------------------------------------
    def run(self, slots: list[list[Task]]):
        try:
            yield from self._run(slots)
        finally:
            self.store.unwatch_service_tasks(self.service.id, self._on_task)

    def _run(self, slots):
        service = self.service
        status = service.update_status.state if service.update_status else None
        if status in (UpdateState.PAUSED, UpdateState.ROLLBACK_PAUSED):
            return
        dirty = [slot for slot in slots if slot_is_dirty(service, slot, self.store.nodes)]
        if not dirty:
            if status in (UpdateState.UPDATING, UpdateState.ROLLBACK_STARTED):
                self._complete()
            return
        if status is None:
            yield from self._committed()
            if self.stop.triggered:
                return
            self._set_status(UpdateStatus(UpdateState.UPDATING, "update in progress", started_at=self.sim.now))
        self.rolling_back = status is UpdateState.ROLLBACK_STARTED
        config = service.spec.rollback_config if self.rolling_back else service.spec.update_config
        self.config = config
        self.monitor = config.monitor
        self.dirty_count = len(dirty)
        self.failed: dict[str, None] = {}
        self._watch_failures = config.failure_action is not FailureAction.CONTINUE
        ready = simpy.Store(self.sim.env)
        workers = [self.sim.process(self._worker(ready)) for _ in range(config.parallelism or len(dirty))]
        stopped = False
        for slot in dirty:
            handed = False
            while not handed:
                get = ready.get()
                yield get | self.stop | self._failure_signal
                if self.stop.triggered:
                    stopped = True
                    break
                if get.triggered:
                    get.value.put(slot)
                    handed = True
                else:
                    get.cancel()
                    if self._process_failures():
                        stopped = True
                        break
            if stopped:
                break
        for _ in workers:
            ready_worker = yield ready.get() | self.stop
            if self.stop.triggered:
                break
            next(iter(ready_worker.values())).put(None)
        yield self.sim.env.all_of(workers)
        if not stopped and not self.stop.triggered:
            monitor = config.delay + 1.0 if config.delay >= self.monitor else self.monitor
            deadline = self.sim.now + monitor
            while self.sim.now < deadline:
                yield self.sim.timeout(deadline - self.sim.now) | self.stop | self._failure_signal
                if self.stop.triggered or self._process_failures():
                    stopped = True
                    break
        if not stopped and not self.stop.triggered:
            yield from self._committed()
            if not self.stop.triggered:
                self._complete()

    def _process_failures(self) -> bool:
        """failureTriggersAction over the queued failures; True when the update stops."""
        for t in self._take_failures():
            if t.id in self.failed or t.id not in self.updated_tasks:
                continue
            started = self.updated_tasks[t.id]
            if started is not _ZERO and self.sim.now - started > self.monitor:
                continue
            self.failed[t.id] = None
            if len(self.failed) / self.dirty_count <= self.config.max_failure_ratio:
                continue
            action = self.config.failure_action
            if action is FailureAction.PAUSE or (action is FailureAction.ROLLBACK and self.rolling_back):
                self.manager.propose(lambda: self._pause(t))  # a stalled leader's log holds it
                return True
            if action is FailureAction.ROLLBACK:
                self.manager.propose(lambda: self._rollback(t))
                return True
        return False

    # -- workers ------------------------------------------------------------------------------------------
    def _worker(self, ready: simpy.Store):
        while True:
            inbox = simpy.Store(self.sim.env, capacity=1)
            yield ready.put(inbox)
            got = inbox.get()
            yield got | self.stop
            if not got.triggered or got.value is None:
                return
            yield from self._update_slot(got.value)
            if self.config.delay:
                yield self.sim.timeout(self.config.delay) | self.stop
            if self.stop.triggered:
                return

    def _update_slot(self, slot: list[Task]):
        """One slot as the worker sees it: the tasks as reconcile read them when the update began (their
        desired state then, not now), so a task the orchestrator replaced meanwhile is judged as it was."""
        if not self.manager.active:
            yield from self._committed()
            if self.stop.triggered:
                return
        running = clean = None
        for t in slot:
            if not is_task_dirty(self.service, t, self.store.nodes.get(t.node or "")):
                if t.desired == RUNNING:
                    running = t
                    break
                if t.desired < RUNNING:
                    clean = t
        existing = running or clean
        if existing is not None:
            yield from self._use_existing(slot, existing)
            return
        node = slot[0].node if self.service.is_global else None
        updated = new_task(self.sim, self.service, slot[0].slot, node, desired=READY)
        yield from self._update_task(slot, updated)

    def _use_existing(self, slot: list[Task], existing: Task):
        others = [t for t in slot if t.id != existing.id]
        if not others and existing.desired == RUNNING:
            return
        old = None
        if others:
            removable = self._removable(others)
            if removable is None:
                return  # removeOldTasks failed: the batch is abandoned, the existing task not started
            old = self._shut_down(removable)
        if existing.desired != RUNNING:
            yield self.manager.restarts.delay_start(old, existing.id, 0.0, True) | self.stop

    def _update_task(self, slot: list[Task], updated: Task):
        if self.store.services.get(self.service.id) is None:
            return
        self.updated_tasks[updated.id] = _ZERO
        start_first = self.config.order is UpdateOrder.START_FIRST
        removable = None if start_first else self._removable(slot)
        if not start_first and removable is None:
            # stop-first creates the task and shuts the old ones down in one batch: when removeOldTasks fails
            # (every task of the slot was shut down or deleted since reconcile read it, as when the
            # orchestrator replaced it meanwhile), the batch is aborted, the new task with it
            return
        waiter = self.sim.env.event()
        self._running_waiters[updated.id] = waiter
        updated = self.store.create_task(updated)
        if start_first:
            released = self.manager.restarts.delay_start(None, updated.id, 0.0, False)
        else:
            released = self.manager.restarts.delay_start(self._shut_down(removable), updated.id, 0.0, True)
        yield released | self.stop
        if self.stop.triggered:
            return
        yield waiter | self.stop
        if waiter.triggered and start_first and waiter.value.state == RUNNING:
            yield from self._committed()
            if not self.stop.triggered:
                self._shut_down(self._removable(slot) or [])  # swarmkit only logs this one's failure

    def _removable(self, tasks: list[Task]) -> list[Task] | None:
        """What removeOldTasks shuts down: the tasks read with desired <= RUNNING, as they are now, that still
        are. None is its error: one of them is gone or was already shut down, and none is left to shut down."""
        out, failed = [], False
        for original in tasks:
            if original.desired > RUNNING:
                continue
            current = self.store.tasks.get(original.id)
            if current is None or current.desired > RUNNING:
                failed = True
            else:
                out.append(current)
        return None if failed and not out else out

    def _shut_down(self, tasks: list[Task]) -> Task | None:
        for t in tasks:
            self.store.update_task(t.copy(desired=SHUTDOWN))
        return tasks[-1] if tasks else None

    # -- UpdateStatus ---------------------------------------------------------------------------------
    def _set_status(self, status: UpdateStatus, **changes) -> Service | None:
        current = self.store.services.get(self.service.id)
        if current is None:
            return None
        new = replace(current, update_status=status, **changes)
        self.store.put_service(new)
        return new

    def _current_status(self) -> UpdateStatus | None:
        current = self.store.services.get(self.service.id)
        return current.update_status if current else None

    def _pause(self, t: Task) -> None:
        status = self._current_status()
        if status is None:
            return
        if status.state is UpdateState.ROLLBACK_STARTED:
            state, what = UpdateState.ROLLBACK_PAUSED, "rollback paused"
        else:
            state, what = UpdateState.PAUSED, "update paused"
        self._set_status(replace(status, state=state, message=f"{what} due to failure or early termination of task {t.id}"))

    def _rollback(self, t: Task) -> None:
        current = self.store.services.get(self.service.id)
        if current is None or current.update_status is None or current.previous_spec is None:
            return
        status = replace(current.update_status, state=UpdateState.ROLLBACK_STARTED,
                         message=f"update rolled back due to failure or early termination of task {t.id}")
        self._set_status(status, spec=current.previous_spec, version=current.previous_version,
                         previous_spec=None, previous_version=None, updated_at=self.sim.now)

    def _complete(self) -> None:
        status = self._current_status()
        if status is None:
            return
        if status.state is UpdateState.ROLLBACK_STARTED:
            done = replace(status, state=UpdateState.ROLLBACK_COMPLETED, message="rollback completed")
        else:
            done = replace(status, state=UpdateState.COMPLETED, message="update completed")
        self._set_status(replace(done, completed_at=self.sim.now))
