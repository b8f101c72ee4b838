"""Ranking nodes (swarmkit scheduler.go nodeLess; reference §2.6)."""
from __future__ import annotations


import pytest

from swarmsim.control.nodeinfo import MONITOR_FAILURES
from swarmsim.model import TaskState
from swarmsim.testing.builders import Cluster, assigned, node


def place_one(c: Cluster, now: float = 0.0, version: int = 1) -> str:
    c.pending("s1", version=version)
    (where,) = assigned(c.schedule(now=now))
    return where


def fail_on(c: Cluster, on: str, times: int, *, at: float = 0.0, version: int = 1,
            state: TaskState = TaskState.FAILED, **fields) -> None:
    for t in c.running("s1", on, times, version=version, **fields):
        c.scheduler.task_updated(t.copy(state=state), at)


def test_fewer_tasks_of_the_service_wins_over_fewer_tasks_in_total():
    c = Cluster(node("a"), node("b"))
    c.running("s1", "a")
    c.running("other", "b", 3)
    assert place_one(c) == "b"


def test_total_tasks_break_ties():
    c = Cluster(node("a"), node("b"))
    c.running("other", "a", 2)
    c.running("other", "b", 1)
    assert place_one(c) == "b"


def test_free_capacity_does_not_matter():
    c = Cluster(node("a", nano_cpus=64_000_000_000, memory_bytes=2**40), node("b"))
    c.running("other", "a")
    assert place_one(c) == "b"


def test_five_recent_failures_rank_a_node_last():
    c = Cluster(node("a"), node("b"))
    c.running("s1", "a", 3)
    fail_on(c, "b", 5)
    assert place_one(c, now=10.0) == "a"


def test_four_failures_do_not():
    c = Cluster(node("a"), node("b"))
    c.running("s1", "a", 3)
    fail_on(c, "b", 4)
    assert place_one(c, now=10.0) == "b"


def test_failures_expire_after_five_minutes():
    c = Cluster(node("a"), node("b"))
    c.running("s1", "a", 3)
    fail_on(c, "b", 5)
    assert place_one(c, now=MONITOR_FAILURES + 1) == "b"


def test_failures_are_per_spec_version():
    c = Cluster(node("a"), node("b"), versions={"s1": 2})
    c.running("s1", "a", 3, version=2)
    fail_on(c, "b", 5, version=1)
    assert place_one(c, now=10.0, version=2) == "b"


@pytest.mark.parametrize("state", [TaskState.COMPLETE, TaskState.SHUTDOWN])
def test_clean_exits_are_not_failures(state):
    c = Cluster(node("a"), node("b"))
    c.running("s1", "a", 3)
    fail_on(c, "b", 5, state=state)
    assert place_one(c, now=10.0) == "b"


def test_rejections_count_as_failures():
    c = Cluster(node("a"), node("b"))
    c.running("s1", "a", 3)
    fail_on(c, "b", 5, state=TaskState.REJECTED)
    assert place_one(c, now=10.0) == "a"


def test_the_node_with_more_failures_is_worse_when_both_are_faulty():
    c = Cluster(node("a"), node("b"))
    fail_on(c, "a", 6)
    fail_on(c, "b", 5)
    assert place_one(c, now=10.0) == "b"


def test_failed_tasks_stop_counting_so_the_failing_node_looks_emptiest():
    c = Cluster(node("a"), node("b"))
    c.running("s1", "a")
    fail_on(c, "b", 1)
    assert place_one(c, now=10.0) == "b"
