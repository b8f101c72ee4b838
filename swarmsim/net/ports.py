"""Published ports as the swarm allocates them (swarmkit manager/allocator/cnmallocator/portallocator.go).

An ingress port given without a published port (`-p 80`, a stack's `ports: ["80"]`) gets one from the
dynamic range 30000-32767, handed out serially per protocol (idm GetID(serial)): the first free one after
the last one given, wrapping round, so a port freed by a removed service comes back only after the wrap.
Every ingress port, given or picked, is also taken in the protocol's whole space, so two services never
hold one port. A service keeps the ports it was given while its ports stay the same (sticky allocation,
reconcilePortConfigs); when they change, those given by the user come first, then the picked ones, each
keeping its old port where its (protocol, target) had one. Host-mode ports are not allocated: they are
carried as the spec says. Hand-written because these orders are what `service inspect` and `service ls`
show, and which service gets which port is what a client of the routing mesh reaches.
"""
from __future__ import annotations

from dataclasses import replace
from itertools import chain
from typing import Sequence

from ..model.service import PortConfig

DYNAMIC_START, DYNAMIC_END = 30000, 32767
INGRESS, HOST = "ingress", "host"


def serial_pick(low: int, high: int, cursor: int, taken) -> int | None:
    """The first port of [low, high] not in `taken` at or after `cursor`, then from `low` (a bitseq's serial
    search, as swarmkit's idm and libnetwork's portallocator both do); None when all are taken."""
    return next((port for port in chain(range(max(cursor, low), high + 1), range(low, min(cursor, high + 1)))
                 if port not in taken), None)


def _key(p: PortConfig) -> tuple[str, int]:
    """getPortConfigKey: a port within one endpoint is its protocol and target (the CLI sends no Name)."""
    return (p.protocol, p.target)


class _States:
    """allocatedPorts: the ingress ports a service holds, by key then published port, in Go's map order
    for a key held twice (the simulator takes the first: both are the service's own)."""

    def __init__(self, held: Sequence[PortConfig], mode: str = INGRESS) -> None:
        self.by_key: dict[tuple[str, int], dict[int, PortConfig]] = {}
        for p in held:
            if p.mode == mode:
                self.by_key.setdefault(_key(p), {})[p.published] = p

    def take(self, p: PortConfig) -> PortConfig | None:
        """delState: a given port matches its own published port; a port to pick, any picked one."""
        held = self.by_key.get(_key(p))
        if held is None:
            return None
        if p.published:
            return held.pop(p.published, None)
        for published in held:
            if published:
                return held.pop(published)
        return None


def reconcile(spec: Sequence[PortConfig], held: Sequence[PortConfig] | None) -> list[PortConfig]:
    """reconcilePortConfigs: what to allocate for `spec` given the ports the service holds (None: never
    allocated). Host-mode and given ingress ports first, in spec order, then the ports to pick, each
    keeping the port it held."""
    if held is None or len(held) != len(spec):
        return list(spec)
    states = _States(held)
    first = []
    for p in spec:
        if p.mode != INGRESS:
            first.append(p)
        elif p.published:
            states.take(p)
            first.append(p)
    return first + [states.take(p) or p for p in spec if p.mode == INGRESS and not p.published]


def is_allocated(spec: Sequence[PortConfig], held: Sequence[PortConfig] | None) -> bool:
    """isPortsAllocatedOnInit (not on init): whether the ports held still answer the spec."""
    if held is None:
        return not spec
    if len(held) != len(spec):
        return False
    states = _States(held)
    host_targets = {p.target for p in held if p.mode == HOST}
    for p in spec:
        if p.mode == INGRESS and p.published and states.take(p) is None:
            return False
    for p in spec:
        if p.mode == INGRESS and not p.published and states.take(p) is None:
            return False
        if p.mode == HOST and p.target not in host_targets:
            return False
    return True


def host_ports_changed(spec: Sequence[PortConfig], held: Sequence[PortConfig] | None) -> bool:
    """hostPublishPortsNeedUpdate: a given host-mode port the service does not hold yet."""
    states = _States(held or (), HOST)
    return any(p.mode == HOST and p.published and states.take(p) is None for p in spec)


def with_host_ports(spec: Sequence[PortConfig], held: Sequence[PortConfig]) -> tuple[PortConfig, ...]:
    """updatePortsInHostPublishMode: the held ports without host mode, then the spec's host-mode ports."""
    return tuple(p for p in held if p.mode != HOST) + tuple(p for p in spec if p.mode == HOST)


class _Space:
    """One protocol's ports: all taken ones (the master space) and the serial cursor of the dynamic range."""

    def __init__(self) -> None:
        self.taken: set[int] = set()
        self.cursor = DYNAMIC_START

    def take(self, port: int) -> bool:
        if port in self.taken:
            return False
        self.taken.add(port)
        return True

    def pick(self) -> int | None:
        """GetID(serial): the first free port at or after the cursor, then from the range's start."""
        port = serial_pick(DYNAMIC_START, DYNAMIC_END, self.cursor, self.taken)
        if port is not None:
            self.taken.add(port)
            self.cursor = port + 1 if port < DYNAMIC_END else DYNAMIC_START
        return port


class PortAllocator:
    """The swarm's published ports, per protocol (tcp, udp, sctp each a space of their own)."""

    def __init__(self) -> None:
        self._spaces: dict[str, _Space] = {}

    def _space(self, protocol: str) -> _Space:
        return self._spaces.setdefault(protocol, _Space())

    def allocate(self, ports: Sequence[PortConfig]) -> tuple[PortConfig, ...] | None:
        """serviceAllocatePorts over reconciled ports: each ingress port taken (picked when it has none);
        None, with nothing kept, when one cannot be had."""
        done: list[PortConfig] = []
        for p in ports:
            if p.mode == INGRESS:
                space = self._space(p.protocol)
                if p.published:
                    ok = space.take(p.published)
                else:
                    picked = space.pick()
                    ok, p = picked is not None, replace(p, published=picked or 0)
                if not ok:
                    self.free(done)
                    return None
            done.append(p)
        return tuple(done)

    def free(self, held: Sequence[PortConfig]) -> None:
        """serviceDeallocatePorts."""
        for p in held:
            if p.mode == INGRESS:
                self._space(p.protocol).taken.discard(p.published)
