"""What the scheduler knows about one node (swarmkit manager/scheduler/nodeinfo.go).

A task occupies a node from ASSIGNED until it passes RUNNING: it holds its
reservations and host ports all that time, but stops counting toward the
spread counts as soon as its desired state passes COMPLETE (section 1.2).
"""
from __future__ import annotations

from ..model import Node, Task
from ..model.task import COMPLETE

MONITOR_FAILURES = 300.0  # s; scheduler.go monitorFailures
MAX_FAILURES = 5          # scheduler.go maxFailures


def _counts(t: Task) -> bool:
    return t.desired <= COMPLETE


def host_ports(t: Task) -> list[tuple[str, int]]:
    """(protocol, port) of each port the task publishes in host mode: the node's own ports it takes."""
    return [(p.protocol, p.published) for p in t.endpoint.ports if p.mode == "host" and p.published]


def offered(node: Node) -> dict[str, int]:
    """What a node advertises of each generic resource: its discrete count, or its number of named items."""
    return {kind: value if isinstance(value, int) else len(value) for kind, value in node.generic_resources.items()}


class NodeInfo:
    """Mutable working copy kept by the scheduler; one per node."""

    __slots__ = ("node", "tasks", "active", "by_service", "cpus", "memory", "generic", "claims", "host_ports",
                 "failures", "index")

    def __init__(self, node: Node):
        self.node = node
        self.tasks: dict[str, Task] = {}
        self.active = 0
        self.by_service: dict[str, int] = {}
        self.cpus = node.nano_cpus
        self.memory = node.memory_bytes
        self.generic = offered(node)  # kind: how many are free; a kind used up is no longer listed
        self.claims: dict[str, tuple[tuple[str, int], ...]] = {}  # task ID: what it took of each kind
        self.host_ports: dict[tuple[str, int], int] = {}
        self.failures: dict[tuple[str, int], list[float]] = {}
        self.index = None  # the scheduler's NodeIndex, told when the counts it ranks by change

    def set_node(self, node: Node) -> None:
        """A node update: capacity is recomputed from what the node reports."""
        self.node = node
        self.cpus = node.nano_cpus - sum(t.spec.reservations.nano_cpus for t in self.tasks.values())
        self.memory = node.memory_bytes - sum(t.spec.reservations.memory_bytes for t in self.tasks.values())
        self.generic, self.claims = offered(node), {}
        for t in self.tasks.values():
            self._claim(t)

    def _count(self, t: Task, delta: int) -> None:
        self.active += delta
        self.by_service[t.service_id] = self.by_service.get(t.service_id, 0) + delta
        if self.index is not None:
            self.index.changed(self)

    def add_task(self, t: Task) -> bool:
        """Add or update a task; True when anything the scheduler ranks by changed."""
        old = self.tasks.get(t.id)
        if old is not None:
            self.tasks[t.id] = t
            if _counts(t) != _counts(old):
                self._count(t, 1 if _counts(t) else -1)
                return True
            return False
        self.tasks[t.id] = t
        self.cpus -= t.spec.reservations.nano_cpus
        self.memory -= t.spec.reservations.memory_bytes
        self._claim(t)
        for port in host_ports(t):
            self.host_ports[port] = self.host_ports.get(port, 0) + 1
        if _counts(t):
            self._count(t, 1)
        return True

    def remove_task(self, t: Task) -> bool:
        old = self.tasks.pop(t.id, None)
        if old is None:
            return False
        if _counts(old):
            self._count(old, -1)
        self.cpus += old.spec.reservations.nano_cpus
        self.memory += old.spec.reservations.memory_bytes
        for kind, n in self.claims.pop(t.id, ()):
            if kind in self.node.generic_resources:  # sanitize: only what the node still offers comes back
                self.generic[kind] = self.generic.get(kind, 0) + n
        for port in host_ports(old):
            self.host_ports[port] -= 1
            if not self.host_ports[port]:
                del self.host_ports[port]
        return True

    def _claim(self, t: Task) -> None:
        """genericresource.Claim: a discrete count is taken (the kind is unlisted at 0 or below); named items
        one by one, up to the count asked, and all of them for a count of 0 (selectNodeResources)."""
        taken = []
        for kind, n in t.spec.reservations.generic:
            free = self.generic.get(kind)
            if free is None:
                continue
            named = isinstance(self.node.generic_resources.get(kind), tuple)
            take = (free if n == 0 else min(n, free)) if named else n
            if not take:
                continue
            taken.append((kind, take))
            if free - take <= 0:
                del self.generic[kind]
            else:
                self.generic[kind] = free - take
        if taken:
            self.claims[t.id] = tuple(taken)

    def has_generic(self, kind: str, n: int) -> bool:
        """genericresource.HasEnough: the kind must still be listed, with at least `n` free."""
        return kind in self.generic and n <= self.generic[kind]

    def task_failed(self, t: Task, now: float) -> None:
        key = (t.service_id, t.spec_version)
        recent = [ts for ts in self.failures.get(key, ()) if now - ts < MONITOR_FAILURES]
        recent.append(now)
        self.failures[key] = recent

    def recent_failures(self, service_id: str, version: int, now: float) -> int:
        return sum(1 for ts in self.failures.get((service_id, version), ()) if now - ts <= MONITOR_FAILURES)
