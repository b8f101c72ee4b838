"""`docker network inspect` as one node's dockerd answers it (moby daemon/network.go, libnetwork).

A node sees its own networks (bridge, docker_gwbridge, host, none) and the swarm's overlay networks it
holds a copy of: ingress from its join, another overlay while a task of it is on the node (the copy goes
with the node's last such task, as the agent models). Those it holds show their endpoints there (each
attached container, the load balancer's `lb-NAME`, ingress's `ingress-sbox`) and the peers holding the
network; a manager also sees the overlays it holds no copy of, as the swarm stores them (no containers,
`Labels` null when empty); a worker does not see them at all. Addresses are the allocator's; container,
endpoint and peer IDs are made from the names (docker's are random), so they hold across runs. `Created` is
the simulated time (dockercli/render.py prints it as the API does).
"""
from __future__ import annotations

import hashlib
import ipaddress
from typing import TYPE_CHECKING

from ..model import Role, Task
from ..model.service import on_ingress

if TYPE_CHECKING:
    from .swarm import Network, SimSwarm

INGRESS = "ingress"
_VXLAN = "com.docker.network.driver.overlay.vxlanid_list"
BRIDGE = {"Subnet": "172.17.0.0/16"}                            # docker0 as dockerd makes it (no gateway shown)
GWBRIDGE = {"Subnet": "172.18.0.0/16", "Gateway": "172.18.0.1"}  # docker_gwbridge, the next free /16
_LOCAL_OPTIONS = {
    "bridge": {"com.docker.network.bridge.default_bridge": "true", "com.docker.network.bridge.enable_icc": "true",
               "com.docker.network.bridge.enable_ip_masquerade": "true",
               "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0", "com.docker.network.bridge.name": "docker0",
               "com.docker.network.driver.mtu": "1500"},
    "docker_gwbridge": {"com.docker.network.bridge.enable_icc": "false",
                        "com.docker.network.bridge.enable_ip_masquerade": "true",
                        "com.docker.network.bridge.name": "docker_gwbridge"},
}


def _hex(*parts: str, length: int = 64) -> str:
    return hashlib.blake2b(":".join(parts).encode(), digest_size=32).hexdigest()[:length]


def _mac(address: str) -> str:
    """A container's MAC on a Docker network: 02:42 and its IPv4 address (libnetwork genMAC)."""
    ip = ipaddress.ip_interface(address).ip.packed
    return "02:42:" + ":".join(f"{b:02x}" for b in ip)


def _endpoint(name: str, endpoint_id: str, address: str) -> dict:
    return {"Name": name, "EndpointID": endpoint_id, "MacAddress": _mac(address), "IPv4Address": address,
            "IPv6Address": ""}


def container_id(t: Task) -> str:
    return _hex("container", t.id)


def container_name(swarm: "SimSwarm", t: Task) -> str:
    """The task's container: SERVICE.SLOT.TASKID, or SERVICE.NODEID.TASKID for a global service's."""
    node = swarm.store.nodes.get(t.node or "")
    return f"{t.service}.{t.slot if t.slot else (node.id if node else t.node)}.{t.id}"


def _attached(swarm: "SimSwarm", on: str) -> list[Task]:
    """The containers with endpoints on the node now, in the order they started."""
    agent = swarm.agents.get(on)
    runs = [r for r in agent.runs.values() if r.attached and not r.ended] if agent else []
    return [r.task for r in sorted(runs, key=lambda r: (r.container_at is None, r.container_at or 0.0))]


def _on_network(t: Task, name: str) -> bool:
    return name in t.spec.networks or (name == INGRESS and on_ingress(t.endpoint.ports))


def holds(swarm: "SimSwarm", on: str, name: str) -> bool:
    """Whether the node has its own copy of overlay network `name`."""
    agent = swarm.agents.get(on)
    if agent is None or not agent.alive:
        return False
    return name == INGRESS or name in agent.networks


def _overlay(swarm: "SimSwarm", net: "Network", on: str) -> dict:
    pool = swarm.manager.allocator.pools.get(net.name)  # None: the network waits for a subnet
    local = holds(swarm, on, net.name)
    ipam = {"Driver": "", "Options": None, "Config": None} if pool is None else \
        {"Driver": "default", "Options": None,
         "Config": [{"Subnet": str(pool.subnet), "Gateway": str(pool.subnet.network_address + 1)}]}
    vxlan = swarm.manager.allocator.vxlans.get(net.name)
    doc = {"Name": net.name, "Id": net.id, "Created": net.created_at, "Scope": "swarm",
           "Driver": "" if pool is None else "overlay", "EnableIPv6": False, "IPAM": ipam,
           "Internal": net.internal, "Attachable": net.attachable, "Ingress": net.name == INGRESS,
           "ConfigFrom": {"Network": ""}, "ConfigOnly": False, "Containers": None,
           "Options": None if vxlan is None else dict(sorted({**net.options, _VXLAN: str(vxlan)}.items())),
           "Labels": dict(net.labels) or None}
    if not local:
        return doc
    containers = {}
    for t in _attached(swarm, on):
        address = pool.address(t.id)
        if _on_network(t, net.name) and address:
            containers[container_id(t)] = _endpoint(container_name(swarm, t), _hex("endpoint", t.id, net.name),
                                                    address)
    lb = pool.address(f"lb:{on}")
    if lb:
        key, name = ("ingress-sbox", "ingress-endpoint") if net.name == INGRESS else (f"lb-{net.name}",
                                                                                    f"{net.name}-endpoint")
        containers[key] = _endpoint(name, _hex("endpoint", on, net.name), lb)
    doc["Containers"] = dict(sorted(containers.items()))
    doc["Labels"] = dict(net.labels)
    doc["Peers"] = [{"Name": _hex("peer", n.name, length=12), "IP": n.addr} for n in swarm.store.nodes.values()
                    if holds(swarm, n.name, net.name)]
    return doc


def _local(swarm: "SimSwarm", net: "Network", on: str) -> dict:
    containers, config = {}, []
    if net.name in ("bridge", "docker_gwbridge"):
        config = [dict(BRIDGE if net.name == "bridge" else GWBRIDGE)]
    if net.name == "docker_gwbridge":  # every container on an overlay has a gateway endpoint, the ingress sandbox first
        first = ipaddress.ip_network(GWBRIDGE["Subnet"]).network_address + 2
        attached = [t for t in _attached(swarm, on) if t.spec.networks or _on_network(t, INGRESS)]
        for i, (key, name) in enumerate([("ingress-sbox", "gateway_ingress-sbox")] +
                                        [(container_id(t), f"gateway_{_hex('sandbox', t.id, length=12)}")
                                         for t in attached]):
            containers[key] = _endpoint(name, _hex("endpoint", key, net.name), f"{first + i}/16")
    return {"Name": net.name, "Id": net.id, "Created": net.created_at, "Scope": "local",
            "Driver": net.driver, "EnableIPv6": False, "IPAM": {"Driver": "default", "Options": None, "Config": config},
            "Internal": net.internal, "Attachable": False, "Ingress": False, "ConfigFrom": {"Network": ""},
            "ConfigOnly": False, "Containers": dict(sorted(containers.items())),
            "Options": {**_LOCAL_OPTIONS.get(net.name, {}), **net.options}, "Labels": dict(net.labels)}


def network_document(swarm: "SimSwarm", name: str, on: str) -> dict | None:
    """What `on`'s dockerd answers for network `name` (a name or an ID), None if it has no such network."""
    net = swarm.networks.get(name) or next((n for n in swarm.networks.values() if n.id == name), None)
    if net is None:
        return None
    if net.scope == "local":
        return _local(swarm, net, on)
    node = swarm.store.nodes.get(on)
    if not holds(swarm, on, net.name) and (node is None or node.role is not Role.MANAGER):
        return None
    return _overlay(swarm, net, on)
