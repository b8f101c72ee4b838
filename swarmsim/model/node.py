"""Nodes as the manager's store holds them (swarmkit api.Node, flattened).

A node's name doubles as its hostname; the ID is what `docker node ls` shows.
Capacity is what the engine reports: all CPUs in nano CPUs, all memory in bytes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Role(str, Enum):
    MANAGER = "manager"
    WORKER = "worker"


class Availability(str, Enum):
    ACTIVE = "active"
    PAUSE = "pause"
    DRAIN = "drain"


class NodeStatus(str, Enum):
    UNKNOWN = "unknown"
    DOWN = "down"
    READY = "ready"
    DISCONNECTED = "disconnected"


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    id: str
    role: Role = Role.WORKER
    availability: Availability = Availability.ACTIVE
    status: NodeStatus = NodeStatus.READY
    nano_cpus: int = 2_000_000_000
    memory_bytes: int = 2 * 1024**3
    labels: dict[str, str] = field(default_factory=dict)
    engine_labels: dict[str, str] = field(default_factory=dict)
    addr: str = ""
    os: str = "linux"
    arch: str = "x86_64"
    generic_resources: dict[str, int | tuple[str, ...]] = field(default_factory=dict)  # kind: count or item names
    leader: bool = False
    reachable: bool = True  # raft: whether the leader reaches this manager
    status_msg: str = ""
    created_at: float = 0.0  # when it joined (the API's CreatedAt, `node inspect`'s "Joined at")

    @property
    def hostname(self) -> str:
        return self.name
