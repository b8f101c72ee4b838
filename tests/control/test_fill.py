"""The first-pass fill over a sorted node list (swarmkit scheduler.go scheduleNTasksOnNodes;
reference §2.9 worked examples, scheduler_test.go testHA, docs/measurements.md (g))."""
from __future__ import annotations

import pytest

from swarmsim.model import Availability
from swarmsim.testing.builders import Cluster, assigned, node, task_spec

SEEDS = range(20)


def three_nodes(a: int = 0, b: int = 0, c: int = 0) -> Cluster:
    cluster = Cluster(node("a"), node("b"), node("c"))
    for name, count in zip("abc", (a, b, c)):
        cluster.running("s1", name, count)
    return cluster


def add(cluster: Cluster, count: int, seed: int, service: str = "s1") -> dict[str, int]:
    cluster.pending(service, count)
    cluster.schedule(seed)
    return cluster.counts(service)


@pytest.mark.parametrize("seed", SEEDS)
def test_empty_nodes_plus_five_give_2_2_1(seed):
    assert sorted(add(three_nodes(), 5, seed).values()) == [1, 2, 2]


@pytest.mark.parametrize("seed", SEEDS)
def test_0_0_2_plus_five_overshoots_to_1_3_3_never_3_2_2(seed):
    counts = add(three_nodes(c=2), 5, seed)
    assert counts["c"] == 3
    assert sorted((counts["a"], counts["b"])) == [1, 3]


@pytest.mark.parametrize("seed", SEEDS)
def test_0_0_2_plus_two_uses_only_the_two_best_nodes(seed):
    assert add(three_nodes(c=2), 2, seed) == {"a": 1, "b": 1, "c": 2}


@pytest.mark.parametrize("seed", SEEDS)
def test_a_new_node_gets_every_new_task_until_it_catches_up(seed):
    assert add(three_nodes(b=3, c=3), 3, seed) == {"a": 3, "b": 3, "c": 3}


@pytest.mark.parametrize("seed", SEEDS)
def test_other_services_load_only_breaks_ties(seed):
    """docs/measurements.md (g)(iv): X=2 on node2, then Y=3 unconstrained -> 1/1/1."""
    cluster = three_nodes()
    cluster.running("x", "a", 2)
    assert add(cluster, 3, seed, service="y") == {"a": 1, "b": 1, "c": 1}


@pytest.mark.parametrize("seed", SEEDS)
def test_ha_from_swarmkit(seed):
    """testHA: S1 at 4,4,4,3,3 with an S2 task on each "3" node; +3 S1 -> one node at 5, four at 4,
    and both S2 nodes took one; then one more S2 task avoids the node with 5 S1 tasks."""
    cluster = Cluster(*(node(f"n{i}") for i in range(1, 6)))
    for name, count in zip(("n1", "n2", "n3", "n4", "n5"), (4, 4, 4, 3, 3)):
        cluster.running("s1", name, count)
    cluster.running("s2", "n4")
    cluster.running("s2", "n5")
    counts = add(cluster, 3, seed)
    assert sorted(counts.values()) == [4, 4, 4, 4, 5]
    assert counts["n4"] == counts["n5"] == 4
    crowded = next(name for name, n in counts.items() if n == 5)
    cluster.pending("s2")
    (where,) = assigned(cluster.schedule(seed))
    assert where not in ("n4", "n5", crowded)


@pytest.mark.parametrize("seed", SEEDS)
def test_wrap_around_is_round_robin(seed):
    assert sorted(add(three_nodes(), 7, seed).values()) == [2, 2, 3]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_node_that_fills_up_is_skipped(seed):
    cluster = Cluster(node("a"), node("b", memory_bytes=1024**3))
    cluster.pending("s1", 4, spec=task_spec(memory=1024**3))
    cluster.schedule(seed)
    assert cluster.counts("s1") == {"a": 2, "b": 1}


@pytest.mark.parametrize("seed", SEEDS)
def test_only_eligible_nodes_take_tasks(seed):
    cluster = Cluster(node("m", availability=Availability.DRAIN), node("a"), node("b"))
    assert add(cluster, 4, seed) == {"a": 2, "b": 2, "m": 0}
