"""The scheduler's nodes grouped by how it ranks them, per service, so that a group of n tasks finds its
best nodes without visiting all N (swarmkit visits every node: nodeset.go `tree`, O(N) per group).

Swarmkit ranks a node for a service by its tasks of that service, then by all its tasks
(scheduler.go `nodeLess`) and breaks ties by Go map order, that is at random. Here the nodes of one
service sit in buckets keyed by (tasks of the service, all tasks); `best` takes the buckets in order
and draws from each at random without replacement (a partial Fisher-Yates shuffle), so every order of
tied nodes is as likely as under a full shuffle of the node set, for O(n + buckets) draws.
"""
from __future__ import annotations

from random import Random
from typing import Callable, Iterator

from .nodeinfo import NodeInfo


class _Bucket:
    """A set with random access: a list and each member's position in it."""

    __slots__ = ("items", "at")

    def __init__(self) -> None:
        self.items: list[NodeInfo] = []
        self.at: dict[str, int] = {}

    def add(self, info: NodeInfo) -> None:
        self.at[info.node.name] = len(self.items)
        self.items.append(info)

    def remove(self, info: NodeInfo) -> None:
        i, last = self.at.pop(info.node.name), self.items.pop()
        if last is not info:
            self.items[i] = last
            self.at[last.node.name] = i

    def draw(self, rng: Random) -> Iterator[NodeInfo]:
        """The members in a uniformly random order, drawn one at a time (swapping in place)."""
        items, at = self.items, self.at
        k = len(items)
        for i in range(k):
            j = rng.randrange(i, k)
            if j != i:
                items[i], items[j] = items[j], items[i]
                at[items[i].node.name], at[items[j].node.name] = i, j
            yield items[i]


class _Ranking:
    """One service's buckets, and the key each node sits under; `seen` is how far into the index's log of
    changed nodes it has caught up."""

    __slots__ = ("buckets", "placed", "seen")

    def __init__(self, seen: int) -> None:
        self.buckets: dict[tuple[int, int], _Bucket] = {}
        self.placed: dict[str, tuple[tuple[int, int], NodeInfo]] = {}
        self.seen = seen

    def put(self, info: NodeInfo, key: tuple[int, int]) -> None:
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = _Bucket()
        bucket.add(info)
        self.placed[info.node.name] = (key, info)

    def take(self, name: str) -> None:
        key, info = self.placed.pop(name)
        bucket = self.buckets[key]
        bucket.remove(info)
        if not bucket.items:
            del self.buckets[key]


class NodeIndex:
    """Per service (built on first use): (tasks of it, all tasks) -> bucket, brought up to date lazily.

    A node's count changes move it in every service's ranking (its total is in every key); doing that
    at once cost a move per service per task placed. Instead each change is logged once, and a service's
    ranking replays the log, each node once, when a group of that service asks for its best nodes. The
    buckets' inner order then differs from moving at once, which changes nothing but the order the random
    draws start from: every order of tied nodes stays equally likely."""

    def __init__(self, nodes: dict[str, NodeInfo]):
        self.nodes = nodes
        self.services: dict[str, _Ranking] = {}
        self._log: list[str] = []  # names of nodes whose key may have changed, oldest first
        self._base = 0  # the log position of _log[0]

    def _ranking(self, service_id: str) -> _Ranking:
        ranking = self.services.get(service_id)
        if ranking is None:
            ranking = self.services[service_id] = _Ranking(self._base + len(self._log))
            for info in self.nodes.values():
                ranking.put(info, (info.by_service.get(service_id, 0), info.active))
            return ranking
        start = ranking.seen - self._base
        if start < len(self._log):
            ranking.seen = self._base + len(self._log)
            nodes, placed = self.nodes, ranking.placed
            for name in dict.fromkeys(self._log[start:]):
                info, where = nodes.get(name), placed.get(name)
                key = None if info is None else (info.by_service.get(service_id, 0), info.active)
                if where is not None and (where[1] is not info or where[0] != key):
                    ranking.take(name)
                    where = None
                if where is None and info is not None:
                    ranking.put(info, key)
        return ranking

    def changed(self, info: NodeInfo) -> None:
        """`info` joined, left, or has other task counts than it had."""
        self._log.append(info.node.name)
        if len(self._log) > 4 * len(self.nodes) + 1024:  # bound the log: bring every ranking up to date
            for service_id in self.services:
                self._ranking(service_id)
            self._base += len(self._log)
            self._log.clear()

    def forget(self, service_id: str) -> None:
        self.services.pop(service_id, None)

    def best(self, service_id: str, n: int, passes: Callable[[NodeInfo], bool], rng: Random,
             last: Callable[[NodeInfo], bool]) -> list[NodeInfo]:
        """Up to `n` nodes that pass, best first, ties in random order; nodes `last` says are ranked
        behind every bucket (heavy recent failures) are left for the caller."""
        chosen: list[NodeInfo] = []
        buckets = self._ranking(service_id).buckets
        for key in sorted(buckets):
            for info in buckets[key].draw(rng):
                if not last(info) and passes(info):
                    chosen.append(info)
                    if len(chosen) == n:
                        return chosen
        return chosen
