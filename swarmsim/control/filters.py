"""The scheduler's filter pipeline (swarmkit manager/scheduler/{filter,pipeline}.go).

Filters run in swarmkit's order and stop at the first failure; only that
filter's counter grows. Any node passing the whole pipeline resets all counters,
so the explanation counts only the failures since the last success, as Docker's.
The plugin filter looks at log drivers only: every simulated node has every network and volume
driver, and the log drivers a dockerd 20.10.24 node reports. Not modelled: CSI volumes.
"""
from __future__ import annotations

from ..model import Availability, NodeStatus, Task
from . import constraint
from .nodeinfo import NodeInfo, host_ports


def _plural(n: int, singular: str, plural: str) -> str:
    return singular if n == 1 else plural.format(n=n)


class Filter:
    def set_task(self, t: Task) -> bool:
        """Bind to a task; False when the filter does not apply to it."""
        self.t = t
        return True

    def check(self, n: NodeInfo) -> bool:
        raise NotImplementedError

    def explain(self, nodes: int) -> str:
        raise NotImplementedError


class ReadyFilter(Filter):
    def check(self, n: NodeInfo) -> bool:
        return n.node.status is NodeStatus.READY and n.node.availability is Availability.ACTIVE

    def explain(self, nodes: int) -> str:
        return _plural(nodes, "1 node not available for new tasks", "{n} nodes not available for new tasks")


class ResourceFilter(Filter):
    def set_task(self, t: Task) -> bool:
        self.t = t
        return bool(t.spec.reservations)

    def check(self, n: NodeInfo) -> bool:
        r = self.t.spec.reservations
        return (r.nano_cpus <= n.cpus and r.memory_bytes <= n.memory
                and all(n.has_generic(kind, count) for kind, count in r.generic))

    def explain(self, nodes: int) -> str:
        return _plural(nodes, "insufficient resources on 1 node", "insufficient resources on {n} nodes")


#: the log drivers in a dockerd 20.10.24 node's Description.Engine.Plugins (seen on the local swarm)
LOG_DRIVERS = frozenset(("awslogs", "fluentd", "gcplogs", "gelf", "journald", "json-file", "local", "logentries",
                         "splunk", "syslog"))


class PluginFilter(Filter):
    """A task's log driver must be one the node has ("none" and a nameless driver need none)."""

    def set_task(self, t: Task) -> bool:
        self.t = t
        return t.spec.log_driver is not None

    def check(self, n: NodeInfo) -> bool:
        name = self.t.spec.log_driver[0]
        return name in ("", "none") or name in LOG_DRIVERS

    def explain(self, nodes: int) -> str:
        return _plural(nodes, "missing plugin on 1 node", "missing plugin on {n} nodes")


class ConstraintFilter(Filter):
    def set_task(self, t: Task) -> bool:
        self.t = t
        self.constraints = constraint.parse_all(t.spec.placement.constraints)
        return bool(self.constraints)

    def check(self, n: NodeInfo) -> bool:
        return constraint.node_matches(self.constraints, n.node)

    def explain(self, nodes: int) -> str:
        return _plural(nodes, "scheduling constraints not satisfied on 1 node",
                       "scheduling constraints not satisfied on {n} nodes")


_ARCH_ALIASES = {"x86_64": "amd64", "aarch64": "arm64"}  # filter.go platformEqual


class PlatformFilter(Filter):
    """Only nodes whose OS and architecture one of the image's platforms names (an empty field matches all)."""

    def set_task(self, t: Task) -> bool:
        self.t = t
        return bool(t.spec.placement.platforms)

    def check(self, n: NodeInfo) -> bool:
        arch = _ARCH_ALIASES.get(n.node.arch, n.node.arch)
        return any((not want_arch or _ARCH_ALIASES.get(want_arch, want_arch) == arch) and (not want_os or want_os == n.node.os)
                   for want_os, want_arch in self.t.spec.placement.platforms)

    def explain(self, nodes: int) -> str:
        return _plural(nodes, "unsupported platform on 1 node", "unsupported platform on {n} nodes")


class HostPortFilter(Filter):
    def set_task(self, t: Task) -> bool:
        self.t = t
        self.ports = host_ports(t)
        return bool(self.ports)

    def check(self, n: NodeInfo) -> bool:
        return not any(port in n.host_ports for port in self.ports)

    def explain(self, nodes: int) -> str:
        return _plural(nodes, "host-mode port already in use on 1 node", "host-mode port already in use on {n} nodes")


class MaxReplicasFilter(Filter):
    def set_task(self, t: Task) -> bool:
        self.t = t
        return t.spec.placement.max_replicas > 0

    def check(self, n: NodeInfo) -> bool:
        return n.by_service.get(self.t.service_id, 0) < self.t.spec.placement.max_replicas

    def explain(self, nodes: int) -> str:
        return "max replicas per node limit exceed"


class Pipeline:
    """Runs the filters in order, counting failures per filter for the explanation."""

    def __init__(self) -> None:
        self.filters: list[Filter] = [ReadyFilter(), ResourceFilter(), PluginFilter(), ConstraintFilter(), PlatformFilter(),
                                      HostPortFilter(), MaxReplicasFilter()]
        self.enabled = [False] * len(self.filters)
        self.failures = [0] * len(self.filters)

    def set_task(self, t: Task) -> None:
        self.enabled = [f.set_task(t) for f in self.filters]
        self.failures = [0] * len(self.filters)

    def process(self, n: NodeInfo) -> bool:
        for i, f in enumerate(self.filters):
            if self.enabled[i] and not f.check(n):
                self.failures[i] += 1
                return False
        self.failures = [0] * len(self.filters)
        return True

    def explain(self) -> str:
        ranked = sorted(range(len(self.filters)), key=lambda i: -self.failures[i])
        return "; ".join(self.filters[i].explain(self.failures[i]) for i in ranked if self.failures[i])
