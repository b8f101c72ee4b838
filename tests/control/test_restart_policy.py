"""Restart decisions (swarmkit orchestrator/restart/restart.go shouldRestart; reference §3.3)."""
from __future__ import annotations


import pytest

from swarmsim.control.restart import RestartHistory, should_restart
from swarmsim.model import RestartCondition, RestartPolicy, TaskState
from swarmsim.testing.builders import task, task_spec


def ended(state: TaskState = TaskState.FAILED, *, version: int = 1, at: float = 100.0, **policy):
    return task("s1", slot=1, node="a", state=state, version=version, status_at=at,
                spec=task_spec(restart_policy=RestartPolicy(**policy)))


def history_of(*times: float, version: int = 1, **policy) -> RestartHistory:
    h = RestartHistory()
    for t in times:
        h.record(ended(version=version, **policy), t)
    return h


@pytest.mark.parametrize("condition, state, want", [
    (RestartCondition.ANY, TaskState.COMPLETE, True),
    (RestartCondition.ANY, TaskState.FAILED, True),
    (RestartCondition.ANY, TaskState.SHUTDOWN, True),
    (RestartCondition.ON_FAILURE, TaskState.FAILED, True),
    (RestartCondition.ON_FAILURE, TaskState.REJECTED, True),
    (RestartCondition.ON_FAILURE, TaskState.COMPLETE, False),
    (RestartCondition.ON_FAILURE, TaskState.RUNNING, True),  # its node went away
    (RestartCondition.NONE, TaskState.FAILED, False),
    (RestartCondition.NONE, TaskState.RUNNING, False),
])
def test_conditions(condition, state, want):
    assert should_restart(ended(state, condition=condition), None) is want


def test_unlimited_attempts_by_default():
    assert should_restart(ended(), history_of(*range(100)))


@pytest.mark.parametrize("restarts, want", [(0, True), (2, True), (3, False), (4, False)])
def test_max_attempts_counts_restarts_already_made(restarts, want):
    h = history_of(*range(restarts), max_attempts=3)
    assert should_restart(ended(max_attempts=3), h if restarts else None) is want


def test_history_is_per_spec_version():
    h = history_of(1, 2, 3, max_attempts=3, version=1)
    assert should_restart(ended(max_attempts=3, version=2), h)
    assert not should_restart(ended(max_attempts=3, version=1), h)


def test_history_restarts_when_the_version_changes():
    h = history_of(1, 2, 3, max_attempts=3, version=1)
    h.record(ended(max_attempts=3, version=2), 4)
    assert (h.spec_version, h.total) == (2, 1)


def test_window_counts_only_recent_restarts():
    policy = dict(max_attempts=2, window=30.0)
    assert not should_restart(ended(at=90, **policy), history_of(10, 65, 80, **policy))  # 65, 80 in (60, 90)
    assert should_restart(ended(at=100, **policy), history_of(10, 65, 80, **policy))  # only 80 in (70, 100)


def test_window_uses_the_task_status_time_not_now():
    policy = dict(max_attempts=1, window=10.0)
    h = history_of(95, **policy)
    assert not should_restart(ended(at=100, **policy), h)
    assert should_restart(ended(at=106, **policy), history_of(95, **policy))


def test_history_records_nothing_without_max_attempts():
    h = history_of(1, 2, 3)
    assert h.total == 0 and h.times == []


def test_replacement_times_recorded_only_with_a_window():
    assert history_of(1, 2, max_attempts=5).times == []
    assert history_of(1, 2, max_attempts=5, window=60.0).times == [1, 2]


def test_condition_none_even_on_first_failure():
    t = ended(condition=RestartCondition.NONE)
    assert not should_restart(t.copy(state=TaskState.FAILED), RestartHistory())
