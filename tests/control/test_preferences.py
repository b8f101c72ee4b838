"""Placement preferences: the spread tree (swarmkit scheduler nodeset.go tree, scheduleNTasksOnSubtree;
reference §2.7-2.8)."""
from __future__ import annotations

import pytest

from swarmsim.model import Availability
from swarmsim.testing.builders import Cluster, assigned, node, task_spec

SEEDS = range(8)


def spread(c: Cluster, count: int, *prefs: str, seed: int = 0) -> dict[str, int]:
    c.pending("s1", count, spec=task_spec(preferences=prefs))
    return dict(assigned(c.schedule(seed)))


def az(name: str, value: str | None, **fields):
    return node(name, labels={} if value is None else {"az": value}, **fields)


@pytest.mark.parametrize("seed", SEEDS)
def test_spread_is_over_label_values_not_nodes(seed):
    c = Cluster(az("a1", "az1"), *(az(f"b{i}", "az2") for i in range(4)))
    assert spread(c, 8, "node.labels.az", seed=seed) == {"a1": 4, "b0": 1, "b1": 1, "b2": 1, "b3": 1}


@pytest.mark.parametrize("seed", SEEDS)
def test_nodes_without_the_label_form_their_own_group(seed):
    c = Cluster(az("a", "az1"), az("b1", "az2"), az("b2", "az2"), az("none", None))
    assert spread(c, 6, "node.labels.az", seed=seed) == {"a": 2, "b1": 1, "b2": 1, "none": 2}


@pytest.mark.parametrize("descriptor", ["node.id", "node.hostname", "node.labels", "labels.az"])
def test_unsupported_descriptors_are_ignored(descriptor):
    c = Cluster(az("a1", "az1"), *(az(f"b{i}", "az2") for i in range(3)))
    assert sorted(spread(c, 8, descriptor).values()) == [2, 2, 2, 2]


def test_engine_labels_spread_too():
    c = Cluster(node("x", engine_labels={"disk": "ssd"}), node("y1"), node("y2"))
    assert spread(c, 4, "engine.labels.disk") == {"x": 2, "y1": 1, "y2": 1}


@pytest.mark.parametrize("seed", SEEDS)
def test_nested_preferences_split_level_by_level(seed):
    def dc_rack(name, dc, rack):
        return node(name, labels={"dc": dc, "rack": rack})
    c = Cluster(dc_rack("n1", "1", "a"), dc_rack("n2", "1", "b"), dc_rack("n3", "1", "b"), dc_rack("n4", "2", "c"))
    assert spread(c, 8, "node.labels.dc", "node.labels.rack", seed=seed) == {"n1": 2, "n2": 1, "n3": 1, "n4": 4}


@pytest.mark.parametrize("seed", SEEDS)
def test_tasks_on_ineligible_nodes_count_toward_their_branch(seed):
    c = Cluster(az("paused", "az1", availability=Availability.PAUSE), az("a", "az1"), az("b", "az2"))
    c.running("s1", "paused", 2, spec=task_spec(preferences=("node.labels.az",)))
    assert spread(c, 2, "node.labels.az", seed=seed) == {"b": 2}


@pytest.mark.parametrize("seed", SEEDS)
def test_a_branch_without_room_leaves_its_share_to_the_others(seed):
    c = Cluster(az("a", "az1", availability=Availability.DRAIN), az("b1", "az2"), az("b2", "az2"))
    assert spread(c, 4, "node.labels.az", seed=seed) == {"b1": 2, "b2": 2}


def test_label_values_compare_as_given():
    c = Cluster(az("up", "A"), az("low", "a"))
    assert spread(c, 4, "node.labels.az") == {"up": 2, "low": 2}


@pytest.mark.parametrize("seed", SEEDS)
def test_measured_spread_with_a_drained_unlabelled_manager(seed):
    """docs/measurements.md (g)(viii): az=a on node2, az=b on node3 and node4, node1 drained; 6 replicas."""
    c = Cluster(az("node1", None, availability=Availability.DRAIN), az("node2", "a"), az("node3", "b"),
                az("node4", "b"))
    placed = spread(c, 6, "node.labels.az", seed=seed)
    assert placed["node2"] == 3 and sorted((placed["node3"], placed["node4"])) == [1, 2]


@pytest.mark.parametrize("seed", SEEDS)
def test_existing_tasks_count_at_the_root_too(seed):
    """nodeset.go tree adds a node's tasks at every level, the root included: a replacement for a
    spread service whose branches all hold more than n/k tasks still finds a branch below its share."""
    c = Cluster(az("none", None), az("a", "az1"), az("b1", "az2"), az("b2", "az2"))
    for name, count in (("none", 1), ("a", 2), ("b1", 2), ("b2", 1)):
        c.running("s1", name, count, spec=task_spec(preferences=("node.labels.az",)))
    placed = spread(c, 1, "node.labels.az", seed=seed)
    assert sum(placed.values()) == 1 and set(placed) <= {"none", "a"}
