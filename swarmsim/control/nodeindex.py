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


class NodeIndex:
    """Per service (built on first use, kept up to date after): (tasks of it, all tasks) -> bucket."""

    def __init__(self, nodes: dict[str, NodeInfo]):
        self.nodes = nodes
        self.services: dict[str, dict[tuple[int, int], _Bucket]] = {}

    def _service(self, service_id: str) -> dict[tuple[int, int], _Bucket]:
        buckets = self.services.get(service_id)
        if buckets is None:
            buckets = self.services[service_id] = {}
            for info in self.nodes.values():
                self._put(buckets, (info.by_service.get(service_id, 0), info.active), info)
        return buckets

    @staticmethod
    def _put(buckets: dict, key: tuple[int, int], info: NodeInfo) -> None:
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = _Bucket()
        bucket.add(info)

    @staticmethod
    def _take(buckets: dict, key: tuple[int, int], info: NodeInfo) -> None:
        bucket = buckets[key]
        bucket.remove(info)
        if not bucket.items:
            del buckets[key]

    def added(self, info: NodeInfo) -> None:
        for service_id, buckets in self.services.items():
            self._put(buckets, (info.by_service.get(service_id, 0), info.active), info)

    def removed(self, info: NodeInfo) -> None:
        for service_id, buckets in self.services.items():
            self._take(buckets, (info.by_service.get(service_id, 0), info.active), info)

    def counted(self, info: NodeInfo, service_id: str, delta: int) -> None:
        """`info` has `delta` more tasks of `service_id` (and in all) than it had."""
        for sid, buckets in self.services.items():
            count = info.by_service.get(sid, 0)
            self._take(buckets, (count - delta if sid == service_id else count, info.active - delta), info)
            self._put(buckets, (count, info.active), info)

    def forget(self, service_id: str) -> None:
        self.services.pop(service_id, None)

    def best(self, service_id: str, n: int, passes: Callable[[NodeInfo], bool], rng: Random,
             last: Callable[[NodeInfo], bool]) -> list[NodeInfo]:
        """Up to `n` nodes that pass, best first, ties in random order; nodes `last` says are ranked
        behind every bucket (heavy recent failures) are left for the caller."""
        chosen: list[NodeInfo] = []
        buckets = self._service(service_id)
        for key in sorted(buckets):
            for info in buckets[key].draw(rng):
                if not last(info) and passes(info):
                    chosen.append(info)
                    if len(chosen) == n:
                        return chosen
        return chosen
