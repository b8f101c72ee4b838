"""Overlay address pools (swarmkit manager/allocator, controlapi cluster.go default pool).

Each overlay network gets a /24 from 10.0.0.0/8 unless created with `--subnet`;
ingress comes first (10.0.0.0/24). A network's addresses go to the VIP of each
service attached in vip mode and to every live task attached to it; the network,
broadcast and gateway addresses are not usable. When a pool is empty, new tasks
stay NEW until an address is freed (moby/moby#30820).
"""
from __future__ import annotations

import ipaddress

RESERVED = 3  # network, broadcast, gateway


def default_subnet(index: int) -> str:
    """The index-th /24 of the default pool 10.0.0.0/8."""
    return str(ipaddress.ip_network("10.0.0.0/8").network_address + 256 * index) + "/24"


class AddressPool:
    def __init__(self, subnet: str):
        self.subnet = ipaddress.ip_network(subnet, strict=False)
        self.capacity = self.subnet.num_addresses - RESERVED
        self.owners: dict[str, None] = {}

    @property
    def free(self) -> int:
        return self.capacity - len(self.owners)

    def take(self, owner: str) -> bool:
        if owner in self.owners:
            return True
        if self.free <= 0:
            return False
        self.owners[owner] = None
        return True

    def release(self, owner: str) -> bool:
        return self.owners.pop(owner, "absent") is None


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
