"""What the attached docker CLI shows while it waits for a service (docker/cli
cli/command/service/progress/progress.go ServiceProgress, v20.10.24), as a terminal holds it.

One poll at a time, fed with what the CLI would read (the service, its up-to-date tasks, the nodes)
and the time: the replicated updater's `overall progress` line and one `i/N` bar per slot (none
above maxProgressBars, 20), the global updater's one line per node (its truncated ID), the
scheduler's error instead of a bar for a task that has one, bars counting down during a rollback,
and the `verify:` countdown over the monitor period. The terminal rewrites a line in place whenever
its ID is written again, so the screen is each ID's last line in the order the IDs first appeared.
"""
from __future__ import annotations

import math
from typing import Iterable, Mapping

from ..model import Node, Service, Task, TaskState, UpdateState
from .convergence import cli_tasks_by_node, cli_tasks_by_slot, node_active, running_as_desired

MAX_PROGRESS = 9         # progress.go maxProgress: the running state's number
MAX_PROGRESS_BARS = 20   # progress.go maxProgressBars
MAX_ERR = 75             # progress.go truncError
_LONGEST_STATE = 9       # len("preparing"), progress.go longestState
# progress.go numberedStates: swarmkit's order of the states a bar shows, running last.
_NUMBERED = {TaskState.NEW: 1, TaskState.PENDING: 3, TaskState.ASSIGNED: 4, TaskState.ACCEPTED: 5,
             TaskState.PREPARING: 6, TaskState.READY: 7, TaskState.STARTING: 8, TaskState.RUNNING: 9}


MAX_JOB_PROGRESS = 10    # progress.go maxJobProgress: the complete state's number
_JOB_NUMBERED = {**_NUMBERED, TaskState.COMPLETE: 10, TaskState.SHUTDOWN: 11, TaskState.FAILED: 12,
                 TaskState.REJECTED: 13}


def _job_tasks(service: Service, tasks: Iterable[Task], key) -> dict:
    """Per slot or node, the task of the job's current iteration furthest behind (the job updaters' loops)."""
    out: dict = {}
    for t in tasks:
        if t.job_iteration != service.job_iteration or t.desired not in _JOB_NUMBERED or t.state not in _JOB_NUMBERED:
            continue
        seen = out.get(key(t))
        if seen is None or _JOB_NUMBERED[seen.state] > _JOB_NUMBERED[t.state]:
            out[key(t)] = t
    return out


def _bar(current: int, total: int) -> str:
    """jsonmessage JSONProgress.String with HideCounts on a wide terminal."""
    if current <= 0 and total <= 0:
        return ""
    percentage = min(50, int(current / total * 100) // 2)
    return f"[{'=' * percentage}>{' ' * (50 - percentage)}]"


def _trunc_error(err: str) -> str:
    err = err.replace("\n", " ")
    return err[:MAX_ERR - 1] + "…" if len(err) > MAX_ERR else err


def _node_label(nodes: Mapping[str, Node], name: str | None) -> str:
    """stringid.TruncateID of the node's ID."""
    node = nodes.get(name or "")
    return (node.id if node is not None else name or "")[:12]


class ServiceProgress:
    """One `docker service create/update/scale/rollback` waiting for its service (without -d)."""

    def __init__(self, head: Iterable[str] = ()):
        self.head = list(head)             # what the command printed before it waits (the service ID or name)
        self.lines: dict[str, str] = {}    # progress ID -> its last line, in the order first written
        self.tail: list[str] = []          # status lines written after the progress ones
        self.initialized = self.done = self.converged = self.rollback = False
        self.converged_at: float | None = None
        self.message: str | None = None    # the rollback-completed message, written after `verify`
        self.slot_map: dict[int, int] = {}
        self.picks: dict[int, Task] | None = None  # the replicated view of the last poll (tasksBySlot)
        self.running = self.unsettled = 0          # its tasks running as desired, and those not running
        self.job_nodes: list[str] = []     # a global job's nodes, fixed at the first look (taskNodes)

    def output(self, *more: str) -> list[str]:
        return self.head + list(self.lines.values()) + self.tail + list(more)

    def _write(self, ident: str, action: str, bar: str = "") -> None:
        self.lines[ident] = f"{ident}: {action} {bar}".rstrip()

    def poll(self, service: Service, tasks: list[Task], nodes: Mapping[str, Node], now: float,
             changed: Mapping[int, list[Task]] | None = None) -> tuple[bool, list[str]] | None:
        """One turn of the CLI's loop: None to poll again after 200 ms, or (ok, the output) when it returns.

        `changed`, when the caller knows it: the tasks of each slot whose tasks changed since the last poll, all
        else the view depends on (the spec, the nodes) being as it was. A replicated service's view is then
        picked again for those slots only: re-picking 10,000 slots at every poll of a scale to 10,000 replicas
        took 95 s (784 polls)."""
        monitor = service.spec.update_config.monitor or 5.0
        status = service.update_status
        state = status.state if status is not None else None
        if state is UpdateState.UPDATING:
            self.rollback = False
        elif state is UpdateState.COMPLETED and not self.converged:
            return True, self.output()
        elif state is UpdateState.PAUSED:
            return False, self.output(f"service update paused: {status.message}")
        elif state is UpdateState.ROLLBACK_STARTED:
            if not self.rollback and status.message:
                self._write("rollback", status.message)
            self.rollback = True
        elif state is UpdateState.ROLLBACK_PAUSED:
            return False, self.output(f"service rollback paused: {status.message}")
        elif state is UpdateState.ROLLBACK_COMPLETED:
            if not self.converged:
                self.message = status.message
            self.rollback = True
        if self.converged and now - self.converged_at >= monitor:
            self._write("verify", "Service converged")
            if self.message:
                self.tail.append(f"rollback: {self.message}")
            return True, self.output()
        if service.is_job:  # a job stays done once done: no verify countdown
            done = (self._update_global_job(service, tasks, nodes) if service.per_node
                    else self._update_replicated_job(service, tasks))
            return (True, self.output("job complete")) if done else None
        self.converged = (self._update_global(service, tasks, nodes) if service.is_global else
                          self._update_replicated(service, tasks, nodes, changed))
        if self.converged:
            if self.converged_at is None:
                self.converged_at = now
            wait = monitor - (now - self.converged_at)
            if wait > 0:  # the real CLI's clock has always moved on a little: never a whole number of seconds
                self._write("verify", f"Waiting {math.ceil(wait)} seconds to verify that tasks are stable...")
        else:
            if self.converged_at is not None:
                self._write("verify", "Detected task failure")
            self.converged_at = None
        return None

    def _overall(self, running: int, wanted: int) -> None:
        what = "rolling back update: " if self.rollback else ""
        self._write("overall progress", f"{what}{running} out of {wanted} tasks")

    def _task_line(self, ident: str, t: Task) -> None:
        if t.err:
            self._write(ident, _trunc_error(t.err))
        elif t.desired <= TaskState.RUNNING and t.state <= TaskState.RUNNING:
            number = _NUMBERED.get(t.state, 0)
            current = MAX_PROGRESS - number if self.rollback else number
            self._write(ident, t.state.label.ljust(_LONGEST_STATE), _bar(current, MAX_PROGRESS))

    def _settled(self, picked: Iterable[Task]) -> None:
        if self.done and any(t.state != TaskState.RUNNING for t in picked):
            self.done = False

    def _update_replicated(self, service: Service, tasks: list[Task], nodes: Mapping[str, Node],
                           changed: Mapping[int, list[Task]] | None) -> bool:
        replicas = service.spec.replicas
        if not self.initialized:
            self._overall(0, replicas)
            if replicas <= MAX_PROGRESS_BARS:
                for i in range(1, replicas + 1):
                    self._write(f"{i}/{replicas}", " ")
            self.initialized = True
        if changed is None or self.picks is None or replicas <= MAX_PROGRESS_BARS:
            self.picks, self.running, self.unsettled = {}, 0, 0
            changed = {None: tasks}
        new_slots = self._pick(service, nodes, changed)
        if self.done and self.unsettled:
            self.done = False
        for slot in sorted(new_slots):  # Go ranges over a map: any order; this is one of them (slot order)
            self.slot_map[slot] = len(self.slot_map) + 1
        if not (self.done or replicas > MAX_PROGRESS_BARS):
            for slot, t in sorted(self.picks.items()):
                if self.slot_map[slot] <= replicas:
                    self._task_line(f"{self.slot_map[slot]}/{replicas}", t)
        if not self.done:
            self._overall(self.running, replicas)
            self.done = self.running == replicas
        return self.running == replicas

    def _pick(self, service: Service, nodes: Mapping[str, Node], changed: Mapping[int | None, list[Task]]) -> list[int]:
        """Pick the shown task of each slot in `changed` again (None: of every slot, from all the tasks), keeping
        the counts; the slots seen for the first time."""
        picks, new = self.picks, []
        for slot, slot_tasks in changed.items():
            for old in ([picks.pop(slot)] if slot in picks else []):
                self.running -= running_as_desired(old)
                self.unsettled -= old.state != TaskState.RUNNING
            for got, t in cli_tasks_by_slot(service, slot_tasks, nodes).items():
                picks[got] = t
                self.running += running_as_desired(t)
                self.unsettled += t.state != TaskState.RUNNING
                if got not in self.slot_map:
                    new.append(got)
        return new

    def _job_task_line(self, ident: str, t: Task) -> None:
        """writeTaskProgress of the job updaters: the state out of maxJobProgress, or the error."""
        if t.err:
            self._write(ident, _trunc_error(t.err))
        else:
            self._write(ident, t.state.label.ljust(_LONGEST_STATE), _bar(_JOB_NUMBERED.get(t.state, 0), MAX_JOB_PROGRESS))

    def _job_overall(self, complete: int, total: int) -> None:
        self._write("job progress", f"{complete:>{len(str(total))}} out of {total} complete", _bar(complete, total))

    def _update_replicated_job(self, service: Service, tasks: list[Task]) -> bool:
        """replicatedJobProgressUpdater: the job as a whole, the active tasks, and a bar per slot."""
        total, concurrent = service.spec.replicas, service.spec.max_concurrent

        def overall(active: int, complete: int) -> None:
            self._job_overall(complete, total)
            width = len(str(concurrent))
            self._write("active tasks", f"{active:>{width}} out of {min(total - complete, concurrent):>{width}} tasks")
        if not self.initialized:
            overall(0, 0)
            if total <= MAX_PROGRESS_BARS:
                for i in range(1, total + 1):
                    self._write(f"{i}/{total}", " ")
            self.initialized = True
        by_slot = _job_tasks(service, tasks, lambda t: t.slot)
        active = complete = 0
        for slot in range(len(by_slot)):
            t = by_slot.get(slot)
            if t is None:
                continue
            if total <= MAX_PROGRESS_BARS:
                self._job_task_line(f"{slot + 1}/{total}", t)
            active += _JOB_NUMBERED[t.state] < _JOB_NUMBERED[TaskState.COMPLETE]
            complete += t.state is TaskState.COMPLETE
        overall(active, complete)
        return complete == total

    def _update_global_job(self, service: Service, tasks: list[Task], nodes: Mapping[str, Node]) -> bool:
        """globalJobProgressUpdater: the nodes that had a task at the first look, one line each (the node ID)."""
        if not self.initialized:
            if not tasks:
                self._write("job progress", "waiting for tasks")
                return False
            self.job_nodes = sorted(_job_tasks(service, tasks, lambda t: t.node))
            self._job_overall(0, len(self.job_nodes))
            self.initialized = True
        by_node = _job_tasks(service, tasks, lambda t: t.node)
        complete = 0
        for name in self.job_nodes:
            t = by_node.get(name)
            if t is None:
                continue
            if len(self.job_nodes) <= MAX_PROGRESS_BARS:
                self._job_task_line(nodes[name].id if name in nodes else name, t)
            complete += t.state is TaskState.COMPLETE
        self._job_overall(complete, len(self.job_nodes))
        return complete == len(self.job_nodes)

    def _update_global(self, service: Service, tasks: list[Task], nodes: Mapping[str, Node]) -> bool:
        by_node = cli_tasks_by_node(service, tasks, nodes)
        count = len(by_node)
        if not self.initialized:
            if count == 0:  # no tasks yet, or no node meets the constraints: the CLI waits
                self._write("overall progress", "waiting for new tasks")
                return False
            self._overall(0, count)
            self.initialized = True
        self._settled(by_node.values())
        running = 0
        for name, t in sorted(by_node.items()):
            if not node_active(nodes, t.node):
                continue
            if running_as_desired(t):
                running += 1
            if not (self.done or count > MAX_PROGRESS_BARS):
                self._task_line(_node_label(nodes, name), t)
        if not self.done:
            self._overall(running, count)
            self.done = running == count
        return running == count
