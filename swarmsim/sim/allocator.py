"""The allocator: NEW tasks get their network resources and become PENDING.

Swarmkit's network allocator (manager/allocator/network.go, 20.10) in the order it works:
- a service gets its published ports (net/ports.py: one picked from 30000-32767 for an ingress port
  given none) and a VIP on each overlay network it attaches to (ingress too, when it has an
  ingress-mode port) when it is created, or updated so that what it holds no longer answers its spec;
  if one cannot be had it holds none (AllocateService frees what it took) and waits among the
  unallocated services;
- a NEW task gets an address on each of its overlay networks one raft commit after its creation,
  unless its service holds no VIP yet ("pending allocations") or a network is out of addresses:
  then it stays NEW, with nothing in `docker service ps` to say why, among the unallocated tasks;
- a node holds a load-balancer address on ingress from its join and one on every other overlay
  network from when a task of that network is allocated and has the node until the node's last
  such task stops (allocateNode, reallocated at every event of a task with a node); one that
  cannot be had is tried again at the node's next task event, not otherwise;
- an overlay network gets its subnet when it is created (net/ipam.SubnetPools: `--subnet` as
  given, else the next of the default address pools); one that cannot have it (the pools used up,
  or a `--subnet` overlapping another network's) is created all the same, with no IPAM, and waits
  among the unallocated networks: its services and tasks cannot be allocated until it is;
- whatever is freed (a task stopped or deleted, a service removed, a node's last task of a
  network gone, a network removed) makes the next commit retry the unallocated networks, then
  the services, then the tasks, each in Go map order: freed addresses go to waiting VIPs before
  waiting tasks.
The five-minute retry that also runs without anything freed is not modelled: without a freed
address it allocates nothing. Like doTaskAlloc it looks at the observed state only: a task told to
shut down before it was allocated still becomes PENDING, is scheduled, and its agent reports it
SHUTDOWN; only a task whose service is gone stays NEW.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..control.gomap import range_order
from ..model import Node, PortConfig, Service, Task
from ..model.service import on_ingress
from ..model.task import NEW, PENDING, RUNNING
from ..net import ports
from ..net.ipam import AddressPool, SubnetPools, take_all

if TYPE_CHECKING:
    from .manager import Manager

PENDING_MSG = "pending task scheduling"
VXLAN_START = 4096  # the overlay driver's first VXLAN ID: ingress's
INGRESS = "ingress"


class Allocator:
    def __init__(self, manager: "Manager"):
        self.manager = manager
        self.pools: dict[str, AddressPool] = {}  # overlay network name -> its addresses
        self.subnets = SubnetPools()
        self.requested: dict[str, str | None] = {}  # overlay network -> the --subnet it was created with
        self.vxlans: dict[str, int] = {}  # allocated overlay network -> its VXLAN ID
        self._vxlan = VXLAN_START - 1     # the last ID given
        self.ports = ports.PortAllocator()
        self.endpoints: dict[str, tuple[PortConfig, ...]] = {}  # service id -> the ports it holds (Endpoint.Ports)
        self.with_endpoint: dict[str, None] = {}  # services given an Endpoint: kept, with the spec's, once made
        self.new: dict[str, None] = {}
        self.waiting: dict[str, None] = {}                # unallocatedTasks: left NEW
        self.unallocated_services: dict[str, None] = {}  # unallocatedServices: no VIP for want of an address
        self.node_networks: dict[str, dict[str, int]] = {}  # node -> overlay network -> its allocated live tasks
        self.counted: dict[str, tuple[str, list[str]]] = {}  # task id -> (node, networks) it counts for
        self.short: dict[str, int] = {}  # nodes missing a load-balancer address -> `freed` when they last tried
        self.freed = 0  # addresses given back so far: a node that found none free tries again only after one
        self._retrying = False
        self._map_order = manager.sim.rng.stream("allocator.retry")
        manager.store.task_watchers.append(self._on_task)
        manager.store.service_watchers.append(self._on_service)
        manager.store.node_watchers.append(self._on_node)

    # -- networks --------------------------------------------------------------------------------------
    def allocate_network(self, name: str, subnet: str | None) -> bool:
        """allocateNetwork: its subnet and its address pool, or it waits among the unallocated networks."""
        self.requested[name] = subnet
        got = self.subnets.take(name, subnet)
        if got is None:
            return False
        self.pools[name] = AddressPool(got)
        # then the overlay driver's NetworkAllocate: a VXLAN ID from its serial idm (none for a network
        # without a subnet)
        self._vxlan = self.vxlans[name] = self._vxlan + 1
        return True

    def unallocated_networks(self) -> list[str]:
        """The overlay networks waiting for a subnet, in the order they were created."""
        return [n for n in self.requested if n not in self.pools]

    def deallocate_network(self, name: str) -> None:
        self.requested.pop(name, None)
        self.vxlans.pop(name, None)
        if self.pools.pop(name, None) is not None:
            self.subnets.release(name)
            self._deallocated()

    def use_pools(self, pools: tuple[str, ...], size: int) -> None:
        """`docker swarm init --default-addr-pool`: the networks made before it (ingress) from the new pools."""
        requested = dict(self.requested)
        self.pools, self.subnets = {}, SubnetPools(pools, size)
        self.vxlans, self._vxlan = {}, VXLAN_START - 1
        for name, subnet in requested.items():
            self.allocate_network(name, subnet)

    def _names(self, spec_networks, endpoint) -> list[str]:
        if not spec_networks and not endpoint.ports:
            return []
        names = list(spec_networks) + ([INGRESS] if on_ingress(endpoint.ports) else [])
        return [n for n in dict.fromkeys(names) if n in self.requested]

    def _networks(self, spec_networks, endpoint) -> list[AddressPool] | None:
        """The pools of the overlay networks named, None if one of them has no subnet yet."""
        names = self._names(spec_networks, endpoint)
        if any(n not in self.pools for n in names):
            return None
        return [self.pools[n] for n in names]

    def vips(self, service: Service) -> list[tuple[str, str]]:
        """(network, "address/prefix") of each VIP the service holds, the ingress one first as swarmkit
        appends it before the service's own networks (allocator/network.go allocateService)."""
        names = [INGRESS] if INGRESS in self.pools and self.pools[INGRESS].address(f"vip:{service.id}") else []
        names += [n for n in service.spec.task.networks if n in self.pools and n != INGRESS]
        return [(n, self.pools[n].address(f"vip:{service.id}")) for n in names
                if self.pools[n].address(f"vip:{service.id}")]

    # -- services --------------------------------------------------------------------------------------
    def _on_service(self, old: Service | None, new: Service | None) -> None:
        if new is not None:
            self._allocate_service(new)
            return
        self.unallocated_services.pop(old.id, None)
        self.with_endpoint.pop(old.id, None)
        self.ports.free(self.endpoints.pop(old.id, ()))
        if any([pool.release(f"vip:{old.id}") for pool in self.pools.values()]):
            self._deallocated()

    def published(self, service_id: str) -> tuple[PortConfig, ...]:
        """The ports the service holds, as its Endpoint shows them: a picked port filled in."""
        return self.endpoints.get(service_id, ())

    def _allocate_service(self, service: Service) -> bool:
        """allocateService: its ports (kept while they answer the spec, a host-mode change carried over),
        then a VIP on each of its overlay networks (none in dnsrr mode), those on networks it left freed;
        all or none."""
        owner = f"vip:{service.id}"
        wanted = self._networks(service.spec.task.networks, service.spec.endpoint) \
            if service.spec.endpoint.mode == "vip" else []
        if wanted is None:  # a network of it has no subnet: nothing allocated (allocateService's IsAllocated)
            if any([pool.release(owner) for pool in self.pools.values()]):
                self.freed += 1
            self.unallocated_services[service.id] = None
            return False
        if any([pool.release(owner) for pool in self.pools.values() if pool not in wanted]):
            self._deallocated()
        spec, held = service.spec.endpoint.ports, self.endpoints.get(service.id)
        if ports.is_allocated(spec, held):
            got = ports.with_host_ports(spec, held) if ports.host_ports_changed(spec, held) else held or ()
        else:
            todo = ports.reconcile(spec, held)
            self.ports.free(held or ())
            got = self.ports.allocate(todo)
        if got is not None and take_all(wanted, owner):
            if got:
                self.endpoints[service.id] = got
            else:
                self.endpoints.pop(service.id, None)
            if spec or service.spec.task.networks:  # else nothing to allocate: no Endpoint is made (isServiceAllocated)
                self.with_endpoint[service.id] = None
            self.unallocated_services.pop(service.id, None)
            return True
        self.ports.free(got or ())
        self.endpoints.pop(service.id, None)
        if any([pool.release(owner) for pool in wanted]):  # a VIP it held before: free for the others
            self.freed += 1
        self.unallocated_services[service.id] = None
        return False

    # -- nodes -----------------------------------------------------------------------------------------
    def _on_node(self, old: Node | None, new: Node | None) -> None:
        if new is not None:
            self._reallocate_node(new.name)
            return
        nets = self.node_networks.pop(old.name, {})
        self.short.pop(old.name, None)
        if any([self.pools[n].release(f"lb:{old.name}") for n in [INGRESS, *nets] if n in self.pools]):
            self._deallocated()

    def _reallocate_node(self, node: str) -> None:
        """allocateNode: a load-balancer address on ingress and on each network a live task of the node
        is allocated on; those no longer needed freed."""
        if node not in self.manager.store.nodes:
            return
        owner, nets = f"lb:{node}", self.node_networks.get(node, {})
        short = False
        for name in [n for n in nets if n != INGRESS] + [INGRESS]:
            pool = self.pools.get(name)
            if pool is None:
                continue
            if name == INGRESS or nets[name]:
                short = not pool.take(owner) or short
            elif pool.release(owner):
                self._deallocated()
        for name in [n for n, count in nets.items() if not count]:
            del nets[name]
        if short:
            self.short[node] = self.freed
        else:
            self.short.pop(node, None)

    def _count(self, old: Task | None, new: Task | None) -> bool:
        """Keep each node's live allocated tasks per network; whether the counts changed."""
        live = new is not None and new.node is not None and PENDING <= new.state <= RUNNING
        task = new or old
        if live == (task.id in self.counted):
            return False
        if live:
            names = self._names(new.spec.networks, new.endpoint)
            if not names:  # on no overlay network: it counts for none, and its node needs nothing new
                return False
            self.counted[task.id] = (new.node, names)
            nets = self.node_networks.setdefault(new.node, {})
            for name in names:
                nets[name] = nets.get(name, 0) + 1
        else:
            node, names = self.counted.pop(task.id)
            nets = self.node_networks.get(node, {})
            for name in names:
                if name in nets:
                    nets[name] -= 1
        return True

    # -- tasks -----------------------------------------------------------------------------------------
    def _on_task(self, old: Task | None, new: Task | None) -> None:
        task = new or old
        if self._count(old, new) or self.short.get(task.node, self.freed) != self.freed:
            self._reallocate_node(task.node)
        if new is not None and old is None and new.state == NEW:
            if not self.new:
                self.manager.sim.call_at(self.manager.sim.now + self.manager.timing.raft_commit, self._allocate)
            self.new[new.id] = None
        elif new is None or (new.state > RUNNING and (old is None or old.state <= RUNNING)):
            if any([pool.release(task.id) for pool in self.pools.values()]):
                self._deallocated()

    def _deallocated(self) -> None:
        """somethingWasDeallocated: the next commit retries what waits."""
        self.freed += 1
        if not self._retrying and (self.waiting or self.unallocated_services or self.unallocated_networks()):
            self._retrying = True
            self.manager.sim.soon(self._retry)

    def resume(self) -> None:
        """A leader that can write again (elected, or its quorum back in time): the tasks left NEW meanwhile are
        allocated (allocator.go Run allocates every NEW task of the store when it starts; a stalled leader's
        allocation batch commits with its log)."""
        for t in self.manager.store.tasks.values():
            if t.state == NEW:
                self.waiting[t.id] = None
        if self.waiting and not self._retrying:
            self._retrying = True
            self.manager.sim.soon(self._retry)

    def _retry(self) -> None:
        self._retrying = False
        if not self.manager.active:
            return
        for name in range_order(self.unallocated_networks(), self._map_order):
            self.allocate_network(name, self.requested[name])
        for service_id in range_order(list(self.unallocated_services), self._map_order):
            service = self.manager.store.services.get(service_id)
            if service is None:
                del self.unallocated_services[service_id]
            else:
                self._allocate_service(service)
        batch, self.waiting = self.waiting, {}
        self._allocate_tasks(range_order(list(batch), self._map_order))

    def _allocate(self) -> None:
        batch, self.new = self.new, {}
        if not self.manager.active:
            self.waiting.update(batch)
            return
        self._allocate_tasks(batch)

    def _allocate_tasks(self, batch) -> None:
        store = self.manager.store
        for task_id in batch:
            t = store.tasks.get(task_id)
            if t is None or t.state != NEW or t.service_id not in store.services:
                continue
            pools = self._networks(t.spec.networks, t.endpoint)
            if t.service_id in self.unallocated_services or pools is None or not take_all(pools, t.id):
                self.waiting[t.id] = None
                continue
            store.update_task(t.copy(state=PENDING, msg=PENDING_MSG, status_at=self.manager.sim.now))
