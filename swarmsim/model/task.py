"""Tasks: one-shot units of work whose observed state only ever increases.

TaskState carries swarmkit's numeric values (api/types.proto) so that `<` means
"earlier in the lifecycle", exactly as the Go code compares them.
"""
from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

from .service import EndpointSpec, TaskSpec


class TaskState(IntEnum):
    NEW = 0
    PENDING = 64
    ASSIGNED = 192
    ACCEPTED = 256
    PREPARING = 320
    READY = 384
    STARTING = 448
    RUNNING = 512
    COMPLETE = 576
    SHUTDOWN = 640
    FAILED = 704
    REJECTED = 768
    REMOVE = 800
    ORPHANED = 832

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {state: state.name.lower() for state in TaskState}  # the trace writes one or two per event

# The states as module names too, for the code that reads them at every store write. On Python 3.11 a
# class attribute of an Enum goes through EnumType.__getattr__'s slot (0.15 µs against 0.03 for a global):
# 1.2 million such look-ups in a 300-node run were 7 % of its instructions (callgrind). 3.12 dropped it.
(NEW, PENDING, ASSIGNED, ACCEPTED, PREPARING, READY, STARTING, RUNNING, COMPLETE, SHUTDOWN, FAILED, REJECTED, REMOVE,
 ORPHANED) = TaskState


class Task(NamedTuple):
    """One task. `name` is the trace's logical name: service.slot or service@node.

    A named tuple, not a frozen dataclass: a task is copied at every state change (every status report,
    assignment and shutdown: 180,000 copies a 1,000-node run), and a frozen dataclass sets each of its 19
    fields through object.__setattr__ (6.5 µs a copy, 2 µs as a tuple). Immutable and hashable alike."""

    id: str
    service: str
    service_id: str
    slot: int
    node: str | None
    gen: int
    spec: TaskSpec
    spec_version: int
    endpoint: EndpointSpec
    state: TaskState = TaskState.NEW
    desired: TaskState = TaskState.RUNNING
    msg: str = "created"
    err: str = ""
    created_at: float = 0.0
    status_at: float = 0.0
    running_at: float | None = None
    preassigned: bool = False
    exit_code: int | None = None
    job_iteration: int | None = None  # a job task's JobIteration; None for a service's task

    @property
    def name(self) -> str:
        return f"{self.service}.{self.slot}" if self.slot or not self.preassigned else f"{self.service}@{self.node}"

    @property
    def image(self) -> str:
        return self.spec.image

    def copy(self, **changes) -> "Task":
        """This task with `changes` (field names), as `_replace` but without checking the names twice."""
        values = list(self)
        for name, value in changes.items():
            values[_FIELD_INDEX[name]] = value
        return _new_tuple(Task, values)


_FIELD_INDEX = {name: i for i, name in enumerate(Task._fields)}
_new_tuple = tuple.__new__
