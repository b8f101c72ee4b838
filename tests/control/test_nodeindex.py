"""The scheduler's index of nodes by rank (control/nodeindex.py), behind every group without placement
preferences: the same outcomes as swarmkit's visit of a randomly ordered node set (Go map order), each
as likely, though it draws its random numbers differently. Seeds are fixed, so nothing here is flaky."""
from __future__ import annotations

from collections import Counter
from random import Random

from hypothesis import example, given, settings, strategies as st

from swarmsim.control.nodeindex import NodeIndex
from swarmsim.control.nodeinfo import NodeInfo
from swarmsim.model import TaskState
from swarmsim.testing.builders import Cluster, assigned, node, task, task_spec

RUNS = 1500


def chi2_critical(df: int, z: float = 3.09) -> float:
    """The chi-square value a 0.1 % tail starts at (Wilson-Hilferty)."""
    return df * (1 - 2 / (9 * df) + z * (2 / (9 * df)) ** 0.5) ** 3


def homogeneous(a: Counter, b: Counter) -> bool:
    """Chi-square test that two samples of outcomes come from one distribution."""
    keys = set(a) | set(b)
    na, nb = sum(a.values()), sum(b.values())
    stat = 0.0
    for k in keys:
        total = a[k] + b[k]
        for observed, n in ((a[k], na), (b[k], nb)):
            expected = total * n / (na + nb)
            stat += (observed - expected) ** 2 / expected
    return len(keys) == 1 or stat < chi2_critical(len(keys) - 1)


def cluster(loads: dict[str, tuple[int, int]]) -> Cluster:
    """Nodes with (tasks of s1, tasks of another service) running."""
    c = Cluster(*(node(name, labels={"zone": "z"}) for name in loads))
    for name, (mine, other) in loads.items():
        if mine:
            c.running("s1", name, mine)
        if other:
            c.running("other", name, other)
    return c


def placements(loads: dict[str, tuple[int, int]], n: int, preferences=()) -> Counter:
    """Over many seeds: how often each placement of `n` new s1 tasks (tasks per node) came out."""
    out: Counter = Counter()
    for seed in range(RUNS):
        c = cluster(loads)
        c.pending("s1", n, spec=task_spec(preferences=preferences))
        out[tuple(sorted(assigned(c.schedule(seed=seed)).items()))] += 1
    return out


LOADS = {"a": (0, 0), "b": (0, 0), "c": (0, 1), "d": (0, 1), "e": (1, 0), "f": (0, 0)}


def test_every_tied_node_is_equally_likely():
    counts = placements({name: (0, 0) for name in "abcde"}, 1)
    assert len(counts) == 5
    expected = RUNS / 5
    assert sum((k - expected) ** 2 / expected for k in counts.values()) < chi2_critical(4)


def test_the_index_gives_the_outcomes_of_the_full_visit_equally_often():
    """A preference every node shares takes swarmkit's tree over all nodes; none takes the index."""
    spread = ("node.labels.zone",)
    for n in (1, 4, 7):
        fast, tree = placements(LOADS, n), placements(LOADS, n, spread)
        assert set(fast) == set(tree), n
        assert homogeneous(fast, tree), (n, fast, tree)


def test_the_least_loaded_are_taken_first():
    counts = placements(LOADS, 3)
    assert set(counts) == {(("a", 1), ("b", 1), ("f", 1))}


@settings(max_examples=60, deadline=None)
@given(loads=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=12),
       n=st.integers(1, 14), seed=st.integers(0, 2**32))
def test_best_is_the_top_n_by_rank_best_first(loads, n, seed):
    nodes: dict[str, NodeInfo] = {}
    index = NodeIndex(nodes)
    index.best("s1", 1, lambda _info: True, Random(0), lambda _info: False)  # built before the tasks arrive
    for i, (mine, other) in enumerate(loads):
        info = nodes[f"n{i}"] = NodeInfo(node(f"n{i}"))
        index.changed(info)
        info.index = index
        for service, count in (("s1", mine), ("other", other)):
            for _ in range(count):
                info.add_task(task(service, node=info.node.name, state=TaskState.RUNNING))
    key = lambda info: (info.by_service.get("s1", 0), info.active)  # noqa: E731
    best = index.best("s1", n, lambda _info: True, Random(seed), lambda _info: False)
    assert [key(i) for i in best] == sorted(key(i) for i in nodes.values())[:n]
    assert len({i.node.name for i in best}) == len(best)


_op = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 7), st.sampled_from(["s1", "s2", "s3"])),
    st.tuples(st.just("remove"), st.integers(0, 7), st.sampled_from(["s1", "s2", "s3"])),
    st.tuples(st.just("node-out"), st.integers(0, 7), st.just("")),
    st.tuples(st.just("node-in"), st.integers(0, 7), st.just("")),
    st.tuples(st.just("best"), st.integers(1, 9), st.sampled_from(["s1", "s2", "s3"])))


@settings(max_examples=150, deadline=None)
@given(ops=st.lists(_op, max_size=80), seed=st.integers(0, 2**32))
@example(ops=[("best", 4, "s1"), ("node-out", 0, ""), ("node-in", 0, ""), ("best", 4, "s1")], seed=0)
def test_the_lazy_rankings_follow_every_change(ops, seed):
    """Task counts change, nodes leave and come back (a new NodeInfo), services are asked in any order:
    every answer is the current top n by rank, of nodes that are in the cluster now (the log stays short
    too: it is replayed into every ranking once it outgrows the cluster)."""
    nodes: dict[str, NodeInfo] = {}
    index = NodeIndex(nodes)
    placed: dict[str, list] = {}
    rng = Random(seed)

    def join(i: int) -> None:
        info = nodes[f"n{i}"] = NodeInfo(node(f"n{i}"))
        index.changed(info)
        info.index = index
        placed[f"n{i}"] = []
    for i in range(4):
        join(i)
    for op, i, service in ops:
        name = f"n{i}"
        if op == "node-in" and name not in nodes:
            join(i)
        elif op == "node-out" and name in nodes:
            info = nodes.pop(name)
            index.changed(info)
            info.index = None
        elif op == "add" and name in nodes:
            t = task(service, node=name, state=TaskState.RUNNING)
            nodes[name].add_task(t)
            placed[name].append(t)
        elif op == "remove" and name in nodes and placed[name]:
            nodes[name].remove_task(placed[name].pop(rng.randrange(len(placed[name]))))
        elif op == "best":
            key = lambda info: (info.by_service.get(service, 0), info.active)  # noqa: E731
            best = index.best(service, i, lambda _info: True, rng, lambda _info: False)
            assert [key(b) for b in best] == sorted(key(b) for b in nodes.values())[:i]
            assert all(nodes.get(b.node.name) is b for b in best)
            assert len({b.node.name for b in best}) == len(best)
        assert len(index._log) <= 4 * len(nodes) + 1024
