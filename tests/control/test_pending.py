"""Tasks the scheduler cannot place, preassigned (global) tasks, and old revisions
(swarmkit scheduler.go noSuitableNode, processPreassignedTasks; reference §2.10-2.11)."""
from __future__ import annotations


import pytest

from swarmsim.control.scheduler import ASSIGNED_MSG, PREASSIGNED_MSG
from swarmsim.model import Availability, TaskState
from swarmsim.testing.builders import Cluster, assigned, errors, node, task_spec

GIB = 1024**3
SEEDS = range(10)


def measured_cluster() -> Cluster:
    """docs/measurements.md (g): node1 the drained manager, node2-4 workers."""
    return Cluster(node("node1", availability=Availability.DRAIN), node("node2"), node("node3"), node("node4"))


def last_errors(decisions) -> set[str]:
    final = {}
    for d in decisions:
        final[d.new.id] = d.new
    return {t.err for t in final.values() if t.state == TaskState.PENDING}


@pytest.mark.parametrize("seed", SEEDS)
def test_max_replicas_text_as_measured(seed):
    c = measured_cluster()
    c.pending("s1", 4, spec=task_spec(max_replicas=1))
    decisions = c.settle(seed)
    assert c.counts("s1") == {"node1": 0, "node2": 1, "node3": 1, "node4": 1}
    assert last_errors(decisions) == {
        "no suitable node (max replicas per node limit exceed; 1 node not available for new tasks)"}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("replicas, memory, placed", [(1, 3 * GIB, 0), (4, int(1.2 * GIB), 3)])
def test_insufficient_resources_text_as_measured(seed, replicas, memory, placed):
    c = measured_cluster()
    c.pending("s1", replicas, spec=task_spec(memory=memory))
    decisions = c.settle(seed)
    assert sum(c.counts("s1").values()) == placed
    assert last_errors(decisions) == {
        "no suitable node (insufficient resources on 3 nodes; 1 node not available for new tasks)"}


def test_no_nodes_at_all_gives_the_bare_text():
    c = Cluster()
    c.pending("s1")
    assert errors(c.schedule()) == {"no suitable node"}


def test_a_pending_task_stays_pending_and_is_retried_when_a_node_changes():
    c = Cluster(node("a", availability=Availability.DRAIN))
    (t,) = c.pending("s1")
    (d,) = c.schedule()
    assert (d.new.state, d.new.msg) == (TaskState.PENDING, t.msg)
    assert c.schedule() == []  # nothing changed: no tick
    c.scheduler.node_updated(node("a"))
    (d,) = c.schedule()
    assert (d.new.state, d.new.node, d.new.msg, d.new.err) == (TaskState.ASSIGNED, "a", ASSIGNED_MSG, "")


def test_freed_resources_trigger_a_retry():
    c = Cluster(node("a", memory_bytes=GIB))
    (big,) = c.running("other", "a", spec=task_spec(memory=GIB))
    c.pending("s1", spec=task_spec(memory=GIB))
    c.settle()
    c.scheduler.task_updated(big.copy(state=TaskState.SHUTDOWN), 1.0)
    assert assigned(c.schedule()) == {"a": 1}


# -- preassigned (global) tasks --------------------------------------------------------------------

def test_preassigned_task_is_confirmed_on_its_node():
    c = Cluster(node("a"), node("b"))
    (t,) = c.pending("g", node="b", preassigned=True)
    (d,) = c.schedule()
    assert (d.new.state, d.new.node, d.new.msg) == (TaskState.ASSIGNED, "b", PREASSIGNED_MSG)


def test_preassigned_task_that_does_not_fit_keeps_the_bare_explanation_and_is_retried():
    c = Cluster(node("a", memory_bytes=GIB))
    c.pending("g", node="a", preassigned=True, spec=task_spec(memory=2 * GIB))
    (d,) = c.schedule()
    assert (d.new.state, d.new.err) == (TaskState.PENDING, "insufficient resources on 1 node")
    c.scheduler.node_updated(node("a", memory_bytes=4 * GIB))
    (d,) = c.schedule()
    assert d.new.state == TaskState.ASSIGNED


def test_preassigned_task_waits_for_its_node_to_be_ready():
    c = Cluster(node("a", availability=Availability.PAUSE))
    c.pending("g", node="a", preassigned=True)
    (d,) = c.schedule()
    assert d.new.err == "1 node not available for new tasks"


def test_failures_of_preassigned_tasks_do_not_make_a_node_faulty():
    c = Cluster(node("a"), node("b"))
    c.running("s1", "b", 3)
    for _ in range(5):
        (t,) = c.pending("s1", node="a", preassigned=True)
        (d,) = c.schedule()
        c.scheduler.task_updated(d.new, 0.0)
        c.scheduler.task_updated(d.new.copy(state=TaskState.FAILED), 0.0)
    c.pending("s1")
    assert assigned(c.schedule(now=1.0)) == {"a": 1}


# -- old revisions ------------------------------------------------------------------------------------

def test_old_revision_task_wanted_shut_down_is_shut_down():
    c = Cluster(node("a", availability=Availability.DRAIN), versions={"s1": 2})
    (t,) = c.pending("s1", version=1, desired=TaskState.SHUTDOWN)
    (d,) = c.schedule()
    assert (d.new.state, d.new.err) == (TaskState.SHUTDOWN, "")


def test_old_revision_task_still_wanted_is_dropped_from_the_queue():
    c = Cluster(node("a", availability=Availability.DRAIN), versions={"s1": 2})
    (t,) = c.pending("s1", version=1)
    (d,) = c.schedule()
    assert (d.new.state, d.new.err) == (TaskState.PENDING, "")
    assert t.id not in c.scheduler.unassigned


def test_task_of_a_deleted_service_is_dropped():
    c = Cluster(node("a", availability=Availability.DRAIN))
    c.scheduler.service_version = lambda sid: None
    c.pending("s1")
    assert c.schedule() == []
    assert not c.scheduler.unassigned
