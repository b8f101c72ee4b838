"""Overlay address pools (swarmkit manager/allocator, controlapi cluster.go default pool).

Each overlay network gets a /24 from 10.0.0.0/8 unless created with `--subnet`;
ingress comes first (10.0.0.0/24). A network's addresses go to the VIP of each
service attached in vip mode and to every live task attached to it; the network,
broadcast and gateway addresses are not usable. When a pool is empty, new tasks
stay NEW until an address is freed (moby/moby#30820).
"""
from __future__ import annotations

import heapq
import ipaddress

RESERVED = 3  # network, broadcast, gateway
FIRST = 2     # the first address an owner gets: the network's .1 is its gateway


def default_subnet(index: int) -> str:
    """The index-th /24 of the default pool 10.0.0.0/8."""
    return str(ipaddress.ip_network("10.0.0.0/8").network_address + 256 * index) + "/24"


class AddressPool:
    """Each owner holds the lowest address free when it took one (per-node load-balancer addresses,
    which the real allocator also takes, are not counted)."""

    def __init__(self, subnet: str):
        self.subnet = ipaddress.ip_network(subnet, strict=False)
        self.capacity = self.subnet.num_addresses - RESERVED
        self.owners: dict[str, int] = {}  # owner -> its address's offset in the subnet
        self._freed: list[int] = []       # offsets given back, lowest first out
        self._next = FIRST

    @property
    def free(self) -> int:
        return self.capacity - len(self.owners)

    def take(self, owner: str) -> bool:
        if owner in self.owners:
            return True
        if self.free <= 0:
            return False
        if self._freed:
            self.owners[owner] = heapq.heappop(self._freed)
        else:
            self.owners[owner], self._next = self._next, self._next + 1
        return True

    def release(self, owner: str) -> bool:
        offset = self.owners.pop(owner, None)
        if offset is None:
            return False
        heapq.heappush(self._freed, offset)
        return True

    def address(self, owner: str) -> str | None:
        """The owner's address with the prefix length ("10.0.1.2/24"), None if it holds none."""
        offset = self.owners.get(owner)
        return None if offset is None else f"{self.subnet.network_address + offset}/{self.subnet.prefixlen}"


def take_all(pools: list[AddressPool], owner: str) -> bool:
    """One address in every pool, or none at all."""
    taken = []
    for pool in pools:
        if not pool.take(owner):
            for done in taken:
                done.release(owner)
            return False
        taken.append(pool)
    return True
