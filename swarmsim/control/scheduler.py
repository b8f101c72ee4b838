"""The swarm scheduler: assigns PENDING tasks to nodes (manager/scheduler/scheduler.go).

It keeps swarmkit's bookkeeping (a NodeInfo per node, the unassigned and
preassigned queues) and is fed the store's task and node events; `schedule()` is
one debounced pass and returns the decisions for the caller to commit.

Swarmkit breaks ties by Go map order, which is random. Here the randomness is an
explicit `rng` (a seeded random.Random) that shuffles the node set, the task
groups and the tasks of a group each pass, so any tie order Docker could pick can
occur, reproducibly. `rng=None` uses name order, for readable tests.
"""
from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass
from random import Random
from typing import Callable

from ..model import Node, Task
from ..model.task import ASSIGNED, FAILED, PENDING, REJECTED, RUNNING, SHUTDOWN
from .constraint import label_value
from .filters import Pipeline
from .nodeindex import NodeIndex
from .nodeinfo import MAX_FAILURES, NodeInfo


_ARRIVALS = itertools.count()  # ties between equal nodes go to the earlier one offered

ASSIGNED_MSG = "scheduler assigned task to node"
PREASSIGNED_MSG = "scheduler confirmed task can run on preassigned node"


@dataclass(frozen=True, slots=True)
class Decision:
    old: Task
    new: Task


def _shuffled(items: list, rng: Random | None) -> list:
    if rng is not None:
        rng.shuffle(items)
    return items


class _Tree:
    """One level of the placement-preference tree (decision_tree.go)."""

    __slots__ = ("tasks", "next", "heap", "nodes")

    def __init__(self) -> None:
        self.tasks = 0
        self.next: dict[str, _Tree] | None = None
        self.heap: list = []  # (negated rank, -arrival, NodeInfo): a bounded max-heap, the worst kept node on top
        self.nodes: list[NodeInfo] | None = None  # the leaf's nodes once sorted, updated in place by the fill

    def offer(self, info: NodeInfo, key: tuple, n: int, passes: Callable[[NodeInfo], bool]) -> None:
        """Keep the `n` best nodes that pass the pipeline (nodeset.go tree)."""
        failures, of_service, active = key
        entry = ((-failures, -of_service, -active), -next(_ARRIVALS), info)
        if len(self.heap) < n:
            if passes(info):
                heapq.heappush(self.heap, entry)
        elif entry[0] > self.heap[0][0] and passes(info):
            heapq.heapreplace(self.heap, entry)


class Scheduler:
    def __init__(self, service_version: Callable[[str], int | None]):
        """`service_version(service_id)` is the service's current spec version (None once deleted)."""
        self.service_version = service_version
        self.nodes: dict[str, NodeInfo] = {}
        self.index = NodeIndex(self.nodes)
        self.failed_on: dict[str, None] = {}  # nodes with task failures on record (ranked last when heavy)
        self.all_tasks: dict[str, Task] = {}
        self.unassigned: dict[str, Task] = {}
        self.preassigned: dict[str, None] = {}
        self.pending_preassigned: dict[str, Task] = {}
        self.pipeline = Pipeline()
        self.tick_required = False

    # -- store events ---------------------------------------------------------------------------------
    def node_updated(self, node: Node) -> None:
        info = self.nodes.get(node.name)
        if info is None:
            info = self.nodes[node.name] = NodeInfo(node)
            self.index.changed(info)
            info.index = self.index
        else:
            info.set_node(node)
        self.tick_required = True

    def node_removed(self, name: str) -> None:
        info = self.nodes.pop(name, None)
        if info is not None:
            self.index.changed(info)
            info.index = None

    def task_created(self, t: Task) -> None:
        if t.state < PENDING or t.state > RUNNING:
            return
        self.all_tasks[t.id] = t
        if t.node is None:
            self.unassigned[t.id] = t
            self.tick_required = True
        elif t.state == PENDING:
            self.preassigned[t.id] = None
            self.pending_preassigned[t.id] = t
        elif (info := self.nodes.get(t.node)) is not None:
            info.add_task(t)

    def task_updated(self, t: Task, now: float) -> None:
        if t.state < PENDING:
            return
        old = self.all_tasks.get(t.id)
        if t.state > RUNNING:
            if old is None:
                return
            if t.state != old.state and t.state in (FAILED, REJECTED) \
                    and t.id not in self.preassigned and (info := self.nodes.get(t.node)) is not None:
                info.task_failed(t, now)
                self.failed_on[t.node] = None
            self._forget(old)
            self.tick_required = True
            return
        if t.node is None:
            if old is not None:
                self._forget(old)
            self.all_tasks[t.id] = t
            self.unassigned[t.id] = t
            self.tick_required = True
            return
        if t.state == PENDING:
            if old is not None:
                self._forget(old)
            self.preassigned[t.id] = None
            self.all_tasks[t.id] = t
            self.pending_preassigned[t.id] = t
            return
        self.all_tasks[t.id] = t
        if (info := self.nodes.get(t.node)) is not None:
            info.add_task(t)

    def task_deleted(self, t: Task) -> None:
        self.unassigned.pop(t.id, None)
        if self._forget(t):
            self.tick_required = True

    def _forget(self, t: Task) -> bool:
        self.all_tasks.pop(t.id, None)
        self.preassigned.pop(t.id, None)
        self.pending_preassigned.pop(t.id, None)
        info = self.nodes.get(t.node) if t.node else None
        return info is not None and info.remove_task(t)

    # -- a scheduling pass ----------------------------------------------------------------------------
    def schedule(self, now: float, rng: Random | None = None) -> list[Decision]:
        """One pass after the commit debounce: preassigned tasks, then a tick if one is required."""
        decisions: list[Decision] = []
        if self.pending_preassigned:
            decisions += self._process_preassigned(now)
        if self.tick_required:
            self.tick_required = False
            decisions += self._tick(now, rng)
        return decisions

    def _process_preassigned(self, now: float) -> list[Decision]:
        out = []
        for t in list(self.pending_preassigned.values()):
            info = self.nodes.get(t.node)
            if info is None:
                continue
            self.pipeline.set_task(t)
            if not self.pipeline.process(info):
                new = t.copy(err=self.pipeline.explain(), status_at=now)
            else:
                new = t.copy(state=ASSIGNED, msg=PREASSIGNED_MSG, err="", status_at=now)
                info.add_task(new)
                del self.pending_preassigned[t.id]
            self.all_tasks[t.id] = new
            out.append(Decision(t, new))
        return out

    def _tick(self, now: float, rng: Random | None) -> list[Decision]:
        groups: dict[tuple[str, int], dict[str, Task]] = {}
        for task_id, t in self.unassigned.items():
            if t.node is None:
                groups.setdefault((t.service_id, t.spec_version), {})[task_id] = t
        self.unassigned = {}
        for service_id in [s for s in self.index.services if self.service_version(s) is None]:
            self.index.forget(service_id)
        decisions: dict[str, Decision] = {}
        for key in _shuffled(list(groups), rng):
            self._schedule_group(groups[key], decisions, now, rng)
        return list(decisions.values())

    def _rank(self, t: Task, now: float) -> Callable[[NodeInfo], tuple[int, int, int]]:
        """nodeLess as a sort key: heavy recent failures, then tasks of this service, then all tasks."""
        sid, version = t.service_id, t.spec_version

        def rank(n: NodeInfo) -> tuple[int, int, int]:
            failures = n.recent_failures(sid, version, now) if n.failures else 0
            return (failures if failures >= MAX_FAILURES else 0, n.by_service.get(sid, 0), n.active)
        return rank

    def _schedule_group(self, group: dict[str, Task], decisions: dict[str, Decision], now: float,
                        rng: Random | None) -> None:
        tasks = _shuffled(list(group.values()), rng)
        t = tasks[0]
        self.pipeline.set_task(t)
        rank = self._rank(t, now)
        pending = list(reversed(tasks))  # pop() from the end takes them in group order
        nodes = self._best(t, len(tasks), rank, rng) if rng is not None and not t.spec.placement.preferences else None
        if nodes is not None:
            self._on_nodes(len(tasks), pending, nodes, decisions, rank, now)
        else:
            self.pipeline.set_task(t)  # the counters of the explanation start again, over every node
            self._on_subtree(len(tasks), pending, self._tree(t, len(tasks), rank, rng), decisions, rank, now)
        if pending:
            self._no_suitable_node(pending, decisions, now)

    def _best(self, t: Task, n: int, rank, rng: Random) -> list[NodeInfo] | None:
        """Without placement preferences: the `n` best nodes that pass, from the index (O(n) draws, not
        O(N)); the same outcomes, equally likely, as the tree over a shuffled node set. None when fewer
        than `n` pass: then the tree visits every node, and its explanation counts them all as Docker's."""
        def heavy(info: NodeInfo) -> bool:
            return rank(info)[0] > 0
        nodes = self.index.best(t.service_id, n, self.pipeline.process, rng, heavy)
        if len(nodes) < n:
            last = _shuffled([self.nodes[name] for name in self.failed_on if name in self.nodes
                              and heavy(self.nodes[name])], rng)
            for info in sorted(last, key=rank):
                if self.pipeline.process(info):
                    nodes.append(info)
                    if len(nodes) == n:
                        break
        return nodes if len(nodes) == n else None

    def _tree(self, t: Task, n: int, rank, rng: Random | None) -> _Tree:
        root = _Tree()
        prefs = t.spec.placement.preferences
        order = _shuffled(list(self.nodes), rng)
        nodes, service_id, passes = self.nodes, t.service_id, self.pipeline.process
        for name in order:
            info = nodes[name]
            count = info.by_service.get(service_id, 0)
            tree = root
            for descriptor in prefs:
                value = label_value(info.node, descriptor)  # None: unsupported, ignored as Docker does
                if value is None:
                    continue
                tree.tasks += count  # every level counts, the root included
                if tree.next is None:
                    tree.next = {}
                tree = tree.next.setdefault(value, _Tree())
            tree.tasks += count
            tree.offer(info, rank(info), n, passes)
        return root

    def _ordered(self, leaf: _Tree, rank) -> list[NodeInfo]:
        """orderedNodes: best first; on a second visit re-check the pipeline and re-sort."""
        if leaf.nodes is None:
            leaf.nodes = [e[2] for e in sorted(leaf.heap, key=lambda e: (tuple(-k for k in e[0]), -e[1]))]
        else:
            leaf.nodes = sorted((info for info in leaf.nodes if self.pipeline.process(info)), key=rank)
        return leaf.nodes

    def _on_subtree(self, n: int, pending: list[Task], tree: _Tree, decisions, rank, now: float) -> int:
        """scheduleNTasksOnSubtree: even out the branches, then fill each leaf."""
        if tree.next is None:
            nodes = self._ordered(tree, rank)
            return self._on_nodes(n, pending, nodes, decisions, rank, now) if nodes else 0
        scheduled, usable = 0, tree.tasks
        no_room: dict[int, None] = {}
        branches = list(tree.next.values())
        converging = True
        while scheduled != n and len(no_room) != len(branches) and converging:
            live = len(branches) - len(no_room)
            desired, remainder = divmod(usable + n - scheduled, live)
            converging = False
            for i, sub in enumerate(branches):
                if i in no_room:
                    continue
                if sub.tasks < desired or (sub.tasks == desired and remainder > 0):
                    converging = True
                    ask = desired - sub.tasks + (1 if remainder > 0 else 0)
                    got = self._on_subtree(ask, pending, sub, decisions, rank, now)
                    if got < ask:
                        no_room[i] = None
                        usable -= sub.tasks
                    elif remainder > 0:
                        remainder -= 1
                    scheduled += got
        return scheduled

    def _on_nodes(self, n: int, pending: list[Task], nodes: list[NodeInfo], decisions, rank, now: float) -> int:
        """scheduleNTasksOnNodes: the first pass fills a node until the next is strictly better."""
        scheduled, i, count = 0, 0, len(nodes)
        failed: set[int] = set()
        while pending:
            t = pending.pop()
            info = nodes[i % count]
            new = t.copy(node=info.node.name, state=ASSIGNED, msg=ASSIGNED_MSG, err="", status_at=now)
            self.all_tasks[t.id] = new
            info.add_task(new)
            decisions[t.id] = Decision(t, new)
            scheduled += 1
            if scheduled == n:
                return scheduled
            if i + 1 < count:
                if rank(nodes[i + 1]) < rank(info):
                    i += 1
            else:
                i += 1
            start = i
            while (i % count) in failed or not self.pipeline.process(nodes[i % count]):
                failed.add(i % count)
                i += 1
                if i - start == count:
                    return scheduled
        return scheduled

    def _no_suitable_node(self, pending: list[Task], decisions: dict[str, Decision], now: float) -> None:
        explanation = self.pipeline.explain()
        err = f"no suitable node ({explanation})" if explanation else "no suitable node"
        for t in pending:
            version = self.service_version(t.service_id)
            if version is None:
                continue
            if version > t.spec_version:
                # An old revision's task: dropped from the queue; shut down if nobody wants it (swarmkit#2998).
                if t.state == PENDING and t.desired >= SHUTDOWN:
                    new = t.copy(state=SHUTDOWN, err="", status_at=now)
                else:
                    new = t.copy(status_at=now)
            else:
                new = t.copy(err=err, status_at=now)
                self.unassigned[t.id] = new
            self.all_tasks[t.id] = new
            decisions[t.id] = Decision(t, new)
