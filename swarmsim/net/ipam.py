"""Overlay address pools (swarmkit manager/allocator, controlapi cluster.go default pool).

Each overlay network gets a /24 from 10.0.0.0/8 unless created with `--subnet`;
ingress comes first (10.0.0.0/24). A network's addresses go to the VIP of each
service attached in vip mode, to every live task attached to it and to each node's
load balancer on it; the network, broadcast and gateway addresses are not usable.
When a pool is empty, new tasks stay NEW until an address is freed (moby/moby#30820).
"""
from __future__ import annotations

import bisect
import ipaddress

RESERVED = 3  # network, broadcast, gateway
FIRST = 2     # the first address an owner gets: the network's .1 is its gateway


def default_subnet(index: int) -> str:
    """The index-th /24 of the default pool 10.0.0.0/8."""
    return str(ipaddress.ip_network("10.0.0.0/8").network_address + 256 * index) + "/24"


class AddressPool:
    """Addresses handed out serially, as swarmkit asks libnetwork's IPAM (setIPAMSerialAlloc, bitseq
    getAvailableFromCurrent): the first free one after the last one given, wrapping round to the
    lowest free one past the end, so a freed address comes back only after the wrap."""

    def __init__(self, subnet: str):
        self.subnet = ipaddress.ip_network(subnet, strict=False)
        self.capacity = self.subnet.num_addresses - RESERVED
        self.owners: dict[str, int] = {}  # owner -> its address's offset in the subnet
        self._freed: list[int] = []       # offsets given back below _fresh, sorted
        self._fresh = FIRST               # the lowest offset never handed out
        self._cursor = FIRST              # one past the last offset handed out

    @property
    def free(self) -> int:
        return self.capacity - len(self.owners)

    def take(self, owner: str) -> bool:
        if owner in self.owners:
            return True
        if self.free <= 0:
            return False
        i = bisect.bisect_left(self._freed, self._cursor)
        if i < len(self._freed):
            offset = self._freed.pop(i)
        elif self._fresh < FIRST + self.capacity:
            offset, self._fresh = self._fresh, self._fresh + 1
        else:
            offset = self._freed.pop(0)
        self.owners[owner], self._cursor = offset, offset + 1
        return True

    def release(self, owner: str) -> bool:
        offset = self.owners.pop(owner, None)
        if offset is None:
            return False
        bisect.insort(self._freed, offset)
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
