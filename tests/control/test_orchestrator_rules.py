"""Pure orchestrator rules: slot numbers, scale-down order, dirty tasks
(swarmkit orchestrator/{task.go,replicated/services.go,replicated/slot.go}; reference §3.1, §5.2)."""
from __future__ import annotations


import pytest

from swarmsim.control.orchestrator import (invalid_node, is_task_dirty, lowest_free_slots, scale_down_order,
                                           slot_is_dirty)
from swarmsim.model import (Availability, EndpointSpec, NodeStatus, PortConfig, Placement, Service, ServiceSpec,
                            TaskState)
from swarmsim.testing.builders import node, task, task_spec


@pytest.mark.parametrize("used, count, want", [
    (set(), 3, [1, 2, 3]),
    ({1, 2, 3}, 2, [4, 5]),
    ({2, 5}, 3, [1, 3, 4]),
])
def test_new_tasks_take_the_lowest_free_slots(used, count, want):
    assert lowest_free_slots(used, count) == want


def slots_on(layout: dict[str, list[int]], state: TaskState = TaskState.RUNNING) -> list[list]:
    return [[task("s1", slot=n, node=name, state=state)] for name, numbers in layout.items() for n in numbers]


def kept(slots, replicas: int) -> list[int]:
    return sorted(slot[0].slot for slot in scale_down_order(slots)[:replicas])


def test_scale_down_6_to_3_from_3_2_1_as_measured():
    """docs/measurements.md (g)(v): slots 1,2,3 on node2; 4,5 on node3; 6 on node4 -> kept 1, 4, 6."""
    assert kept(slots_on({"node2": [1, 2, 3], "node3": [4, 5], "node4": [6]}), 3) == [1, 4, 6]


def test_scale_down_removes_from_the_fullest_nodes_first():
    slots = slots_on({"a": [1, 2, 3, 4], "b": [5], "c": [6]})
    assert kept(slots, 4) == [1, 2, 5, 6]


def test_scale_down_removes_tasks_that_are_not_running_first():
    slots = slots_on({"a": [2], "b": [3]}) + slots_on({"a": [1]}, TaskState.PREPARING)
    assert kept(slots, 2) == [2, 3]


def test_scale_down_removes_unassigned_and_doubled_slots_first():
    pending = [task("s1", slot=1, state=TaskState.PENDING)]
    doubled = [task("s1", slot=2, node="a", state=TaskState.RUNNING),
               task("s1", slot=2, node="a", state=TaskState.READY, desired=TaskState.READY)]
    slots = [pending, doubled] + slots_on({"a": [3, 4], "b": [5]})
    assert kept(slots, 3) == [3, 4, 5]


def test_scale_down_ignores_preferences_and_age():
    slots = slots_on({"a": [1, 2], "b": [3]})
    assert kept(slots, 2) == [1, 3]


# -- invalid nodes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, want", [
    (None, True),
    (node("a", status=NodeStatus.DOWN), True),
    (node("a", availability=Availability.DRAIN), True),
    (node("a", availability=Availability.PAUSE), False),
    (node("a", status=NodeStatus.UNKNOWN), False),
    (node("a", status=NodeStatus.DISCONNECTED), False),
    (node("a"), False),
])
def test_invalid_node(n, want):
    assert invalid_node(n) is want


# -- dirty tasks ------------------------------------------------------------------------------------------

def service_with(version: int = 2, endpoint: EndpointSpec = EndpointSpec(), replicas: int = 1, **spec) -> Service:
    return Service(id="s1", spec=ServiceSpec(name="s1", task=task_spec(**spec), replicas=replicas,
                                             endpoint=endpoint), version=version)


RUNNING = task("s1", node="a", state=TaskState.RUNNING, spec=task_spec(constraints=["node.labels.zone==a"]))
ZONE_A = node("a", labels={"zone": "a"})


def test_same_spec_version_is_clean_whatever_the_spec():
    assert not is_task_dirty(service_with(version=1, image="other"), RUNNING, ZONE_A)


def test_image_change_is_dirty():
    assert is_task_dirty(service_with(image="other", constraints=["node.labels.zone==a"]), RUNNING, ZONE_A)


def test_replicas_only_change_is_clean():
    assert not is_task_dirty(service_with(replicas=5, constraints=["node.labels.zone==a"]), RUNNING, ZONE_A)


def test_placement_only_change_is_clean_while_the_node_still_fits():
    assert not is_task_dirty(service_with(constraints=["node.role==worker"]), RUNNING, ZONE_A)
    assert not is_task_dirty(service_with(), RUNNING, ZONE_A)


def test_placement_only_change_is_dirty_when_the_node_no_longer_fits():
    assert is_task_dirty(service_with(constraints=["node.labels.zone==b"]), RUNNING, ZONE_A)


def test_placement_only_change_is_dirty_for_a_task_without_a_node():
    pending = RUNNING.copy(node=None, state=TaskState.PENDING)
    assert is_task_dirty(service_with(constraints=["node.role==worker"]), pending, None)


def test_placement_plus_another_change_is_dirty():
    assert is_task_dirty(service_with(image="other"), RUNNING, ZONE_A)


def test_preference_and_max_replicas_changes_are_placement_only():
    placement = Placement(("node.labels.zone==a",), ("node.labels.zone",), 3)
    service = service_with(constraints=placement.constraints, preferences=placement.preferences,
                           max_replicas=placement.max_replicas)
    assert not is_task_dirty(service, RUNNING, ZONE_A)


def test_endpoint_change_is_dirty():
    ports = EndpointSpec(ports=(PortConfig(target=80, published=8080),))
    assert is_task_dirty(service_with(endpoint=ports, constraints=["node.labels.zone==a"]), RUNNING, ZONE_A)


def test_force_update_is_dirty():
    assert is_task_dirty(service_with(constraints=["node.labels.zone==a"], force_update=1), RUNNING, ZONE_A)


def test_slot_with_two_tasks_is_dirty_even_when_both_are_clean():
    service = service_with(version=1)
    one = task("s1", slot=1, node="a", state=TaskState.RUNNING)
    two = task("s1", slot=1, node="a", state=TaskState.READY, desired=TaskState.READY)
    assert slot_is_dirty(service, [one, two], {"a": node("a")})
    assert not slot_is_dirty(service, [one], {"a": node("a")})
