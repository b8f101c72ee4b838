"""Overlay address pools (swarmkit manager/allocator, libnetwork's default IPAM).

Each overlay network gets a subnet of the swarm's default address pools (a /24 of 10.0.0.0/8 unless
`docker swarm init --default-addr-pool` said otherwise) unless created with `--subnet`; ingress comes
first (10.0.0.0/24). A network's addresses go to the VIP of each
service attached in vip mode, to every live task attached to it and to each node's
load balancer on it; the network, broadcast and gateway addresses are not usable.
When a pool is empty, new tasks stay NEW until an address is freed (moby/moby#30820).
"""
from __future__ import annotations

import bisect
import ipaddress

RESERVED = 3  # network, broadcast, gateway
FIRST = 2     # the first address an owner gets: the network's .1 is its gateway


class SubnetPools:
    """The default address pools cut into subnets of one size, given to networks as libnetwork's default IPAM
    does (ipam.getPredefinedPool): from one past the last subnet it gave, wrapping round, the first that
    overlaps no allocated subnet (a `--subnet` network's included, which does not move the cursor), so a
    removed network's subnet comes back only after the wrap. IPv4 only, as the overlay driver asks."""

    def __init__(self, pools: tuple[str, ...] = ("10.0.0.0/8",), size: int = 24):
        self.pools = [n for n in map(ipaddress.ip_network, pools) if n.version == 4]
        self.size = size
        self._counts = [2 ** (size - pool.prefixlen) for pool in self.pools]
        self._total = sum(self._counts)
        self.subnets: dict[str, ipaddress.IPv4Network] = {}  # network name -> its subnet
        self._spans: dict[int, list[tuple[int, int]]] = {4: [], 6: []}  # per IP version, the allocated
        # subnets' [first, last] addresses, sorted (they never overlap)
        self._start = 0  # predefinedStartIndices: where the next search begins

    def _nth(self, index: int) -> ipaddress.IPv4Network:
        for pool, count in zip(self.pools, self._counts):
            if index < count:
                return ipaddress.ip_network((int(pool.network_address) + (index << (32 - self.size)), self.size))
            index -= count
        raise IndexError(index)

    def _overlap(self, net: ipaddress.IPv4Network) -> tuple[int, int] | None:
        """An allocated span overlapping `net`, if any."""
        first, last, spans = int(net.network_address), int(net.broadcast_address), self._spans[net.version]
        i = bisect.bisect_right(spans, (last, 2 ** 128))
        return spans[i - 1] if i and spans[i - 1][1] >= first else None

    def take(self, name: str, subnet: str | None = None) -> str | None:
        """The network's subnet: `subnet` as given, else the next free default one; None if there is none
        left or `subnet` overlaps one taken ("Pool overlaps with other one on this address space")."""
        if subnet is None:
            subnet = self._next()
            if subnet is None:
                return None
        net = ipaddress.ip_network(subnet, strict=False)
        if self._overlap(net) is not None:
            return None
        self.subnets[name] = net
        bisect.insort(self._spans[net.version], (int(net.network_address), int(net.broadcast_address)))
        return str(net)

    def _next(self) -> str | None:
        step, tried = 0, 0
        while tried < self._total:
            index = (self._start + step) % self._total
            net = self._nth(index)
            span = self._overlap(net)
            if span is None:
                self._start = index + 1
                return str(net)
            # skip every default subnet that span covers (the ones after it up to its last address)
            skip = max(1, (span[1] + 1 - int(net.network_address)) >> (32 - self.size))
            skip = min(skip, self._pool_left(index))
            step, tried = step + skip, tried + skip
        return None

    def _pool_left(self, index: int) -> int:
        """How many default subnets from `index` to the end of its pool."""
        for count in self._counts:
            if index < count:
                return count - index
            index -= count
        return 1

    def release(self, name: str) -> None:
        net = self.subnets.pop(name, None)
        if net is not None:
            self._spans[net.version].remove((int(net.network_address), int(net.broadcast_address)))


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
