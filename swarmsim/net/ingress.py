"""Who answers a connection to a published port (pure; libnetwork service_linux.go, IPVS).

Ingress mode: the port is open on every node; each node's ingress sandbox picks a
backend among the service's tasks on the ingress network with IPVS round robin,
wherever that task runs. A task joins the balancer when its container starts and
is given weight 0 (no new connections) as soon as its shutdown begins.
Host mode: only a node running a task of the service answers, with that task, until the task's
process ends: the node's port mapping goes with the container, not with the service binding, so a
task that has left the balancer still answers there (seen on a real swarm: tr1_stop_first_traffic
in docs/validation.md, refused 1.5-2 s after DNS stopped answering).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from ..model import PortConfig, Service


@dataclass(frozen=True, slots=True)
class Backend:
    """A task as the balancer sees it."""

    task: str          # logical task name (service.slot)
    task_id: str
    node: str
    listening: bool    # its process accepts connections
    node_up: bool      # its node's daemon is alive
    draining: bool     # weight 0: shutting down


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    backend: Backend | None
    error: str = ""


def publishers(services: Sequence[Service], held: Callable[[str], Sequence[PortConfig]]) -> \
        dict[tuple[int, str], tuple[Service, str]]:
    """(published port, protocol) -> the service publishing it and its publish mode, the first service in
    order winning, from the ports each service holds (`held(service_id)`: its Endpoint.Ports, a picked
    port filled in); built once per change of the services, not scanned per request (a range of 65,535
    published ports made every request of a 10,000 request/s client visit each)."""
    found: dict[tuple[int, str], tuple[Service, str]] = {}
    for service in services:
        for p in held(service.id):
            found.setdefault((p.published, p.protocol), (service, p.mode))
    return found


class RoundRobin:
    """IPVS `rr`: one pointer per (node, service), over the backends in weight > 0."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, str], int] = {}

    def pick(self, via: str, service_id: str, backends: Sequence[Backend]) -> Backend | None:
        live = [b for b in backends if not b.draining]
        if not live:
            return None
        key = (via, service_id)
        i = self._next.get(key, 0) % len(live)
        self._next[key] = i + 1
        return live[i]


def route(mode: str, via: str, via_up: bool, backends: Sequence[Backend], balancer: RoundRobin,
          service_id: str) -> Outcome:
    """The fate of one connection to `via`'s published port."""
    if not via_up:
        return Outcome(False, None, "timeout: node unreachable")
    if mode == "host":
        local = sorted((b for b in backends if b.node == via), key=lambda b: b.draining)
        if not local:
            return Outcome(False, None, "connection refused")
        chosen = local[0]
    else:
        chosen = balancer.pick(via, service_id, backends)
        if chosen is None:
            return Outcome(False, None, "connection refused: no backend")
    if not chosen.node_up:
        return Outcome(False, chosen, "timeout: backend node unreachable")
    if not chosen.listening:
        return Outcome(False, chosen, "connection refused: not listening yet")
    return Outcome(True, chosen)
