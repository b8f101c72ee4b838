"""The allocator: NEW tasks get their network resources and become PENDING.

Swarmkit's allocator gives every service a VIP and every task an address on each
overlay network it attaches to (ingress too, when it publishes ingress ports);
a task whose network is out of addresses stays NEW until one is freed (a task
stopped or deleted, a service removed). Every node holds one more ingress address
for its load balancer from its join (allocateNode); per-node load-balancer addresses
on other overlay networks are not modelled. Like
doTaskAlloc (manager/allocator/network.go) it looks at the observed state only: a
task told to shut down before it was allocated still becomes PENDING, is scheduled,
and its agent reports it SHUTDOWN; only a task whose service is gone stays NEW.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Node, Service, Task
from ..model.task import NEW, PENDING, RUNNING
from ..net.ipam import AddressPool, take_all

if TYPE_CHECKING:
    from .manager import Manager

PENDING_MSG = "pending task scheduling"


class Allocator:
    def __init__(self, manager: "Manager"):
        self.manager = manager
        self.pools: dict[str, AddressPool] = {}  # overlay network name -> its addresses
        self.new: dict[str, None] = {}
        self.waiting: dict[str, None] = {}  # tasks left NEW for want of an address
        manager.store.task_watchers.append(self._on_task)
        manager.store.service_watchers.append(self._on_service)
        manager.store.node_watchers.append(self._on_node)

    def _networks(self, spec_networks, endpoint) -> list[AddressPool]:
        names = list(spec_networks) + (["ingress"] if any(p.mode == "ingress" and p.published
                                                           for p in endpoint.ports) else [])
        return [self.pools[n] for n in dict.fromkeys(names) if n in self.pools]

    def _on_node(self, old: Node | None, new: Node | None) -> None:
        ingress = self.pools.get("ingress")
        if ingress is None or (old is not None and new is not None):
            return
        if new is not None:
            ingress.take(f"lb:{new.name}")
        elif ingress.release(f"lb:{old.name}"):
            self._retry()

    def vips(self, service: Service) -> list[tuple[str, str]]:
        """(network, "address/prefix") of each VIP the service holds, the ingress one first as swarmkit
        appends it before the service's own networks (allocator/network.go allocateService)."""
        names = ["ingress"] if "ingress" in self.pools and self.pools["ingress"].address(f"vip:{service.id}") else []
        names += [n for n in service.spec.task.networks if n in self.pools and n != "ingress"]
        return [(n, self.pools[n].address(f"vip:{service.id}")) for n in names
                if self.pools[n].address(f"vip:{service.id}")]

    def _on_service(self, old: Service | None, new: Service | None) -> None:
        """VIPs: one per overlay network of a vip-mode service (allocateService)."""
        service = new or old
        for pool in self.pools.values():
            pool.release(f"vip:{service.id}")
        if new is not None and new.spec.endpoint.mode == "vip":
            for pool in self._networks(new.spec.task.networks, new.spec.endpoint):
                pool.take(f"vip:{new.id}")
        self._retry()

    def _on_task(self, old: Task | None, new: Task | None) -> None:
        if new is not None and old is None and new.state == NEW:
            if not self.new:
                self.manager.sim.call_at(self.manager.sim.now + self.manager.timing.raft_commit, self._allocate)
            self.new[new.id] = None
        elif new is None or (new.state > RUNNING and (old is None or old.state <= RUNNING)):
            task = new or old
            if any([pool.release(task.id) for pool in self.pools.values()]):
                self._retry()

    def _retry(self) -> None:
        if self.waiting:
            self.new.update(self.waiting)
            self.waiting = {}
            self.manager.sim.soon(self._allocate)

    def _allocate(self) -> None:
        batch, self.new = self.new, {}
        if not self.manager.active:
            self.waiting.update(batch)
            return
        for task_id in batch:
            t = self.manager.store.tasks.get(task_id)
            if t is None or t.state != NEW or t.service_id not in self.manager.store.services:
                continue
            if not take_all(self._networks(t.spec.networks, t.endpoint), t.id):
                self.waiting[t.id] = None
                continue
            self.manager.store.update_task(t.copy(state=PENDING, msg=PENDING_MSG,
                                                   status_at=self.manager.sim.now))
