"""When the docker CLI calls a service converged (docker/cli service/progress/progress.go; reference §10)."""
from __future__ import annotations

from swarmsim.control.convergence import running_and_wanted, service_converged
from swarmsim.model import NodeStatus, Service, ServiceMode, ServiceSpec, TaskState
from swarmsim.testing.builders import node, task, task_spec

NODES = {"a": node("a"), "b": node("b"), "down": node("down", status=NodeStatus.DOWN)}
R, S = TaskState.RUNNING, TaskState.SHUTDOWN


def service(replicas: int = 2, mode: ServiceMode = ServiceMode.REPLICATED, version: int = 1) -> Service:
    return Service(id="s1", spec=ServiceSpec(name="s1", task=task_spec(), mode=mode, replicas=replicas),
                   version=version)


def at(slot: int, on: str | None = "a", state=R, desired=R, version: int = 1):
    return task("s1", slot=slot, node=on, state=state, desired=desired, version=version)


def test_every_slot_running_is_converged():
    assert service_converged(service(), [at(1), at(2, "b")], NODES)


def test_a_missing_slot_is_not():
    assert running_and_wanted(service(), [at(1)], NODES) == (1, 2)


def test_a_task_on_a_down_node_does_not_count():
    assert running_and_wanted(service(), [at(1), at(2, "down")], NODES) == (1, 2)


def test_outdated_tasks_do_not_count():
    tasks = [at(1, version=1), at(2, "b", version=1)]
    assert running_and_wanted(service(version=2), tasks, NODES) == (2, 2)  # a new version, the same task spec
    changed = Service(id="s1", spec=ServiceSpec(name="s1", task=task_spec(image="new"), replicas=2), version=2)
    assert running_and_wanted(changed, tasks, NODES) == (0, 2)


def test_the_lowest_desired_state_of_a_slot_counts():
    """A restart replacement held at desired ready hides the old task still running."""
    old = at(1, state=R, desired=S)
    held = at(1, "b", state=TaskState.READY, desired=TaskState.READY)
    assert running_and_wanted(service(1), [old, held], NODES) == (0, 1)
    assert running_and_wanted(service(1), [held, old], NODES) == (0, 1)


def test_start_first_overlap_prefers_the_lower_observed_state():
    old, new = at(1, state=R), at(1, "b", state=TaskState.STARTING)
    assert running_and_wanted(service(1), [old, new], NODES) == (0, 1)
    assert running_and_wanted(service(1), [new, old], NODES) == (0, 1)


def test_stopped_replacement_history_is_ignored_when_a_task_runs():
    dead = at(1, state=TaskState.FAILED, desired=S)
    assert running_and_wanted(service(1), [at(1), dead], NODES) == (1, 1)
    assert running_and_wanted(service(1), [dead, at(1)], NODES) == (1, 1)


def test_removed_tasks_are_invisible_to_the_cli():
    gone = at(1, state=R, desired=TaskState.REMOVE)
    assert running_and_wanted(service(1), [gone], NODES) == (0, 1)


def test_zero_replicas_is_converged():
    assert service_converged(service(0), [], NODES)


def test_global_counts_every_node_with_an_up_to_date_task():
    g = service(mode=ServiceMode.GLOBAL)
    tasks = [at(0, "a"), at(0, "b", state=TaskState.PREPARING)]
    assert running_and_wanted(g, tasks, NODES) == (1, 2)
    assert not service_converged(g, [], NODES)


def test_global_prefers_the_lowest_desired_state_per_node():
    """progress.go tasksByNode, like tasksBySlot: a stopped task of the node does not hide its running one."""
    g = service(mode=ServiceMode.GLOBAL)
    dead = at(0, "a", state=TaskState.FAILED, desired=S)
    assert running_and_wanted(g, [at(0, "a"), dead], NODES) == (1, 1)
    assert running_and_wanted(g, [dead, at(0, "a")], NODES) == (1, 1)
