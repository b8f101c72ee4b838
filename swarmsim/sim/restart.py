"""The restart supervisor (swarmkit manager/orchestrator/restart/restart.go).

Replaces a stopped task (or one on a lost node) with a new task in the same
slot, created held at desired READY; after the restart delay, and once the old
task has stopped (at most one minute), it is released to desired RUNNING.
Its writes need a leader that can commit: a leader that lost its quorum proposes
them to its log (they take effect if that log commits), and with no leader they
wait for the next one, whose CheckTasks (orchestrator/taskinit) starts every
task still held at READY whose delay has passed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..control.restart import RestartHistory, should_restart
from ..model import Availability, NodeStatus, Service, Task
from ..model.task import COMPLETE, READY, RUNNING, SHUTDOWN
from .tasks import new_task

if TYPE_CHECKING:
    from .manager import Manager


@dataclass
class _Delayed:
    done: object  # simpy.Event fired when the start is released or cancelled
    cancelled: bool = False
    waiter: bool = False


class RestartSupervisor:
    def __init__(self, manager: "Manager"):
        self.manager = manager
        self.sim, self.store, self.old_task_timeout = manager.sim, manager.store, manager.timing.old_task_timeout
        self._held_over: dict[str, _Delayed] = {}  # released while no leader could write: the next one starts them
        self.history: dict[tuple[str, str], RestartHistory] = {}
        self.delays: dict[str, _Delayed] = {}
        self._stop_waiters: dict[str, list] = {}   # old task id -> events
        self._node_waiters: dict[str, list] = {}   # node name -> events
        manager.store.task_watchers.append(self._on_task)
        manager.store.node_watchers.append(self._on_node)

    # -- watches that release held replacements --------------------------------------------------------
    def _on_task(self, old: Task | None, new: Task | None) -> None:
        if new is None:
            self.cancel(old.id)
            return
        if new.state > RUNNING:
            for event in self._stop_waiters.pop(new.id, ()):
                if not event.triggered:
                    event.succeed()

    def _on_node(self, old, new) -> None:
        gone = new is None or new.status is NodeStatus.DOWN
        if gone:
            for event in self._node_waiters.pop((old or new).name, ()):
                if not event.triggered:
                    event.succeed()

    def _key(self, service: Service, t: Task) -> tuple[str, str]:
        return (service.id, f"@{t.node}" if service.per_node else str(t.slot))

    # -- the supervisor's calls ---------------------------------------------------------------------
    def restart(self, service: Service, t: Task) -> None:
        """Shut `t` down and, if the policy says so, start a replacement (Supervisor.Restart)."""
        held = self.delays.get(t.id)
        if held is not None:
            if not held.waiter:
                held.waiter = True
                self.sim.process(self._restart_after(held, service, t.id))
            return
        if t.desired > COMPLETE:
            return
        t = self.store.update_task(t.copy(desired=SHUTDOWN))
        key = self._key(service, t)
        if not should_restart(t, self.history.get(key)):
            return
        node = self.store.nodes.get(t.node) if t.node else None
        replacement = new_task(self.sim, service, 0 if service.per_node else t.slot,
                               t.node if service.per_node else None, desired=READY)
        drained = node is not None and node.availability is Availability.DRAIN
        delay = 0.0 if drained else t.spec.restart_policy.delay
        wait_stop = not ((node is not None and node.status is NodeStatus.DOWN) or t.state > RUNNING)
        replacement = self.store.create_task(replacement)
        self.history.setdefault(key, RestartHistory()).record(replacement, self.sim.now)
        self.delay_start(t, replacement.id, delay, wait_stop)

    def _restart_after(self, held: _Delayed, service: Service, task_id: str):
        yield held.done
        # with no leader, the next one's orchestrator looks at every task again (Manager.take_over)
        self.manager.propose(lambda: self._restart_again(service, task_id))

    def _restart_again(self, service: Service, task_id: str) -> None:
        current = self.store.tasks.get(task_id)
        if current is not None and current.desired <= RUNNING:
            self.restart(service, current)

    def should_restart(self, service: Service, t: Task) -> bool:
        return should_restart(t, self.history.get(self._key(service, t)))

    def cancel(self, task_id: str) -> None:
        held = self.delays.pop(task_id, None)
        if held is not None:
            held.cancelled = True
            if not held.done.triggered:
                held.done.succeed()

    def delay_start(self, old: Task | None, new_id: str, delay: float, wait_stop: bool):
        """Release task `new_id` after `delay` and, with `wait_stop`, once `old` has stopped (DelayStart)."""
        self.cancel(new_id)
        held = _Delayed(done=self.sim.env.event())
        self.delays[new_id] = held
        stopped = None
        if wait_stop and old is not None and old.state <= RUNNING:
            stopped = self.sim.env.event()
            self._stop_waiters.setdefault(old.id, []).append(stopped)
            if old.node:
                self._node_waiters.setdefault(old.node, []).append(stopped)
        self.sim.process(self._release(held, new_id, delay, stopped))
        return held.done

    def _release(self, held: _Delayed, new_id: str, delay: float, stopped):
        deadline = self.sim.now + self.old_task_timeout
        if delay:
            yield self.sim.timeout(delay) | held.done
        if stopped is not None and not held.cancelled:
            yield stopped | self.sim.timeout(deadline - self.sim.now) | held.done
        if held.cancelled:
            return
        if not self.manager.propose(lambda: self._released(held, new_id)) and not self.manager.stalled:
            self._held_over[new_id] = held

    def _released(self, held: _Delayed, new_id: str) -> None:
        if held.cancelled:
            return
        if self.delays.get(new_id) is held:
            del self.delays[new_id]
        self._held_over.pop(new_id, None)
        self.start_now(new_id)
        if not held.done.triggered:
            held.done.succeed()

    def take_over(self) -> None:
        """A new leader's CheckTasks: each task held at READY whose release came while no leader could write
        (or whose stalled leader's log was lost) starts now; those still in their delay keep it."""
        held_over, self._held_over = self._held_over, {}
        for new_id, held in held_over.items():
            self._released(held, new_id)
        for t in list(self.store.tasks.values()):
            if t.desired == READY and t.state <= COMPLETE and t.id not in self.delays:
                self.start_now(t.id)

    def start_now(self, task_id: str) -> None:
        t = self.store.tasks.get(task_id)
        if t is not None and t.desired < RUNNING:  # a job's task runs to completion (StartNow)
            wanted = RUNNING if t.job_iteration is None else COMPLETE
            self.store.update_task(t.copy(desired=wanted))
