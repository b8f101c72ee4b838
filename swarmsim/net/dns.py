"""What Docker's embedded DNS server answers a task (pure; libnetwork resolver.go, sandbox_dns, service_common.go).

A container asks 127.0.0.11; the sandbox tries the networks of its endpoints in order and
the first network holding the name answers (scope: only services attached to a network the
client shares). On each network a service has two names: SERVICE, which is its VIP in vip
mode and its tasks' addresses in dnsrr mode, and tasks.SERVICE, always the tasks' addresses.
A task's records are added with its service binding (when it runs, or is healthy when it
has a healthcheck) and removed when the binding is deactivated at the start of its shutdown,
the same membership as the load balancer's. An answer with more than one address is
shuffled per query (resolver.go shuffleAddr). A name no network holds is forwarded outside
the swarm and, here, not found.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

from ..model import Service
from .ingress import Backend

TASKS_PREFIX = "tasks."


@dataclass(frozen=True, slots=True)
class Answer:
    """A resolved name: the service, the network that answered, and either its VIP or task addresses."""

    service: Service
    network: str
    vip: bool
    tasks: tuple[Backend, ...] = ()   # dnsrr or tasks.NAME: the members, in the order of this answer


def resolve(name: str, networks: Sequence[str], services: Sequence[Service], members: Sequence[Backend],
            rng: random.Random) -> Answer | None:
    """The answer to `name` for a client attached to `networks`; `members` are the target's tasks in the balancer
    (weight > 0), sorted; None when no shared network holds the name."""
    tasks_query = name.startswith(TASKS_PREFIX)
    wanted = name[len(TASKS_PREFIX):] if tasks_query else name
    service = next((s for s in services if s.spec.name == wanted), None)
    if service is None:
        return None
    network = next((n for n in networks if n in service.spec.task.networks), None)
    if network is None:
        return None
    if not tasks_query and service.spec.endpoint.mode == "vip":
        return Answer(service, network, vip=True)
    live = [b for b in members if not b.draining]
    if len(live) > 1:
        rng.shuffle(live)
    return Answer(service, network, vip=False, tasks=tuple(live))
