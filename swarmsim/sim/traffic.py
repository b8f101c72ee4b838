"""Clients sending requests: from outside to published ports, or from a service's tasks to a service name.

Each client makes Poisson arrivals at its rate from its start time and records what happened: one
trace event per request at low rates (at the time it was sent), per-second aggregates above
PER_REQUEST_MAX_RATE. An outside client enters through node `via` (net/ingress.py picks the task);
an inside client (`from:`) is one of the source service's running tasks, whose name lookup the
embedded DNS answers (net/dns.py): a VIP is balanced by IPVS round robin per source node and
network, task addresses are tried first to last. A client without connection keys is answered at
once, as before; with them (`duration`, `keepalive`, `retries`, `refresh`, `from`) each request is
a process that holds its connection for the request's duration and ends in one of the outcomes of
docs/reference/trace.md: refused, timeout, reset (the backend's process died), or no such host.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model.scenario import TrafficClient
from ..net import mesh
from ..net.dns import resolve
from ..net.ingress import Backend, RoundRobin, publishers, route

if TYPE_CHECKING:
    from .swarm import SimSwarm

PER_REQUEST_MAX_RATE = 20.0
REFUSED_NOT_LISTENING = "connection refused: not listening"
RESET = "reset: connection reset by peer"
TIMEOUT_UNREACHABLE = "timeout: backend node unreachable"
TIMEOUT_GONE = "timeout: no task at that address"
TIMEOUT_SLOW = "timeout: no answer in time"


@dataclass
class _Client:
    """What one client keeps between requests."""

    index: int
    spec: TrafficClient
    rng: object
    conn: Backend | None = None          # keepalive: the backend its connection goes to
    cached: tuple[Backend, ...] = ()     # refresh: the addresses last resolved
    cached_until: float = -1.0
    turn: int = 0                        # round robin over the cached addresses


@dataclass
class _Attempt:
    err: str = ""
    backend: Backend | None = None
    entry: str | None = None
    hop: float | None = None             # seconds to reach the backend; None: no path


class Traffic:
    def __init__(self, swarm: "SimSwarm"):
        self.swarm = swarm
        self.balancer = RoundRobin()
        self._buckets: dict[tuple[int, int], list[int]] = {}  # (client, second) -> [count, failed]
        self._mesh = None
        self._mesh_key = None
        self._ports: tuple[tuple, dict] = ((), {})  # the services and the ports they held, publishers()

    def start(self, clients: tuple[TrafficClient, ...]) -> None:
        for index, client in enumerate(clients):
            self.swarm.sim.process(self._client(index, client))

    def backends(self, service_id: str, published: bool = False) -> list[Backend]:
        """Every started container of the service, as each node's IPVS sees it (`published`: as its host-mode
        ports do, from the container's start)."""
        now = self.swarm.now
        out = []
        for name, agent in self.swarm.agents.items():
            for task, listening_at, draining in agent.backends(published):
                if task.service_id == service_id:
                    out.append(Backend(task.name, task.id, name, now >= listening_at, agent.alive, draining))
        return sorted(out, key=lambda b: b.task_id)

    def graph(self):
        """The overlay mesh as it stands (net/mesh.py), rebuilt when nodes, partitions or daemons change."""
        swarm = self.swarm
        key = (id(swarm.raft.wiring), tuple(swarm.raft.down), tuple((n, a.alive) for n, a in swarm.agents.items()))
        if key != self._mesh_key:
            alive = {n for n, a in swarm.agents.items() if a.alive}
            self._mesh = mesh.mesh(sorted(swarm.agents), lambda a, b: a in alive and b in alive
                                   and swarm.raft.reachable(a, b), swarm.timing)
            self._mesh_key = key
        return self._mesh

    def _publishers(self) -> dict:
        """net.ingress.publishers of the current services and the ports they hold; a service changed is a new
        object (frozen), and so is what the allocator gives it."""
        held = self.swarm.manager.allocator.published
        seen = tuple(x for s in self.swarm.store.services.values() for x in (s, held(s.id)))
        if len(seen) != len(self._ports[0]) or not all(map(operator.is_, seen, self._ports[0])):
            self._ports = (seen, publishers(seen[0::2], held))
        return self._ports[1]

    def _client(self, index: int, client: TrafficClient):
        sim = self.swarm.sim
        rng = sim.rng.stream(f"traffic.{index}")
        state = _Client(index, client, rng)
        if client.start > sim.now:
            yield sim.timeout(client.start - sim.now)
        while client.stop is None or sim.now < client.stop:
            yield sim.timeout(rng.expovariate(client.rate))
            if client.plain:
                self._request(index, client, rng)
            else:
                sim.process(self._exchange(state))

    # -- a client without connection keys: answered at once -------------------------------------------
    def _request(self, index: int, client: TrafficClient, rng) -> None:
        swarm = self.swarm
        nodes = sorted(swarm.agents)
        via = client.via if client.via != "any" else rng.choice(nodes)
        attempt = self._outside(via, client, None)
        latency = None
        if not attempt.err:
            latency = attempt.hop
            self._served(attempt.backend)
        elif attempt.err.startswith("timeout"):
            latency = client.timeout
        self._record(index, client, via, not attempt.err, attempt.backend, attempt.err, latency)

    def _served(self, backend: Backend) -> None:
        """The container that answered prints its request line, if its workload has one."""
        agent = self.swarm.agents.get(backend.node)
        run = agent.runs.get(backend.task_id) if agent is not None else None
        if run is not None and run.workload.request_log:
            agent.log(backend.task_id, run.workload.request_log)

    def _outside(self, via: str, client: TrafficClient, conn: Backend | None) -> _Attempt:
        """A connection to `via`'s published port (or over the kept connection `conn`)."""
        swarm = self.swarm
        agent = swarm.agents.get(via)
        via_up = agent is not None and agent.alive and via not in swarm.raft.down
        found = self._publishers().get((client.port, "tcp"))
        if found is None:
            return _Attempt("connection refused: port not published", entry=via)
        service, mode = found
        first_hop = swarm.timing.hop_host if mode == "host" else swarm.timing.hop_ingress
        published = mode == "host"
        if conn is not None and via_up:
            return self._reach(self._current(conn, published), via, first_hop, kept=True)
        outcome = route(mode, via, via_up, self.backends(service.id, published), self.balancer, service.id)
        if not outcome.ok:
            return _Attempt(outcome.error, outcome.backend, via)
        return self._reach(outcome.backend, via, first_hop)

    def _reach(self, backend: Backend | None, entry: str, first_hop: float, kept: bool = False) -> _Attempt:
        """The connection from `entry` to `backend` (its state now): refused, reset, timed out, or open."""
        if backend is None:
            return _Attempt(RESET if kept else TIMEOUT_GONE, None, entry)
        hop = mesh.latency(self.graph(), entry, backend.node, first_hop)
        if hop is None or not backend.node_up:
            return _Attempt(TIMEOUT_UNREACHABLE, backend, entry)
        if not backend.listening:
            return _Attempt(RESET if kept else REFUSED_NOT_LISTENING, backend, entry)
        return _Attempt("", backend, entry, hop)

    def _current(self, backend: Backend, published: bool = False) -> Backend | None:
        """`backend` as it is now, or None when its container is gone."""
        task = self.swarm.store.tasks.get(backend.task_id)
        if task is None:
            return None
        return next((b for b in self.backends(task.service_id, published) if b.task_id == backend.task_id), None)

    # -- a client inside the swarm ---------------------------------------------------------------------
    def _service(self, name: str):
        return next((s for s in self.swarm.store.services.values() if s.spec.name == name), None)

    def _inside(self, state: _Client, source: Backend, networks: tuple[str, ...]) -> _Attempt:
        """A connection from task `source` to the client's target, resolved on `networks`."""
        client, swarm, now = state.spec, self.swarm, self.swarm.now
        name = client.target.partition(":")[0]
        first_hop = swarm.timing.hop_bridge
        if state.conn is not None:
            return self._reach(self._current(state.conn), source.node, first_hop, kept=True)
        if client.refresh and now < state.cached_until and state.cached:
            chosen = state.cached[state.turn % len(state.cached)]
            state.turn += 1
            return self._reach(self._current(chosen), source.node, first_hop)
        services = list(swarm.store.services.values())
        target = self._service(name.removeprefix("tasks."))
        members = self.backends(target.id) if target is not None else []
        answer = resolve(name, networks, services, members, state.rng)
        if answer is None or not (answer.vip or answer.tasks):
            return _Attempt(f"dns: no such host {name}", entry=source.node)
        if answer.vip:
            chosen = self.balancer.pick(f"{source.node}/{answer.network}", answer.service.id, members)
            if chosen is None:
                return _Attempt("connection refused: no backend", entry=source.node)
            return self._reach(chosen, source.node, first_hop)
        if client.refresh:
            state.cached, state.cached_until, state.turn = answer.tasks, now + client.refresh, 1
        return self._reach(answer.tasks[0], source.node, first_hop)

    def _source(self, state: _Client) -> tuple[Backend, tuple[str, ...]] | None:
        """One running task of the `from:` service, picked at random, and its networks."""
        service = self._service(state.spec.source)
        if service is None:
            return None
        running = [b for b in self.backends(service.id) if b.listening and b.node_up]
        if not running:
            return None
        return state.rng.choice(running), service.spec.task.networks

    # -- one request with its connection ----------------------------------------------------------------
    def _exchange(self, state: _Client):
        """One request: up to 1 + retries attempts, each a connection held for the request's duration."""
        sim, client = self.swarm.sim, state.spec
        sent = sim.now
        origin = None
        if client.source is None:
            origin = client.via if client.via != "any" else state.rng.choice(sorted(self.swarm.agents))
        attempts = 0
        while True:
            if client.source is None:
                attempt = self._outside(origin, client, state.conn if client.keepalive else None)
            else:
                picked = self._source(state)
                if picked is None:  # no task of the source service runs: nobody sends (or tries again)
                    break
                attempt = self._inside(state, *picked)
            attempts += 1
            if not attempt.err:
                yield from self._hold(state, attempt)
            elif attempt.err.startswith("timeout"):
                yield sim.timeout(client.timeout)
            if attempt.err or not client.keepalive:
                state.conn = None
            if not attempt.err or attempts > client.retries:
                break
        if not attempts:
            return
        entry = origin if origin is not None else attempt.entry
        self._record(state.index, client, entry, not attempt.err, attempt.backend, attempt.err, sim.now - sent,
                     sent=sent, attempts=attempts)

    def _hold(self, state: _Client, attempt: _Attempt):
        """The open connection for one request: answered after hop + duration unless the client's timeout
        comes first, the backend's process dies (reset) or its node is lost meanwhile (timeout)."""
        sim, client, backend = self.swarm.sim, state.spec, attempt.backend
        started = sim.now
        answer_in = attempt.hop + client.duration
        agent = self.swarm.agents[backend.node]
        died = agent.process_exit(backend.task_id)
        wait = sim.timeout(min(answer_in, client.timeout))
        yield wait | died if died is not None else wait
        if died is not None and died.triggered and not wait.processed:
            attempt.err = RESET if agent.alive else TIMEOUT_UNREACHABLE
        elif answer_in > client.timeout:
            attempt.err = TIMEOUT_SLOW
        elif not agent.alive or mesh.latency(self.graph(), attempt.entry, backend.node, 0.0) is None:
            attempt.err = TIMEOUT_UNREACHABLE
        if attempt.err.startswith("timeout"):
            yield sim.timeout(started + client.timeout - sim.now)
        elif not attempt.err:
            self._served(backend)
            if client.keepalive:
                state.conn = backend

    def _record(self, index, client, via, ok, backend, error, latency=None, sent=None, attempts=None) -> None:
        now = self.swarm.now if sent is None else sent
        if client.rate <= PER_REQUEST_MAX_RATE:
            extra = {} if client.plain else {"attempts": attempts, **({"source": client.source, "target": client.target}
                                                                      if client.source else {})}
            self.swarm.trace.emit(now, "request", port=client.port, ok=ok, latency=latency, via=via,
                                  node=backend.node if backend else None, task=backend.task if backend else None,
                                  err=error, **extra)
            return
        bucket = self._buckets.setdefault((index, int(now)), [0, 0])
        bucket[0] += 1
        bucket[1] += 0 if ok else 1

    def flush(self) -> None:
        """Write the per-second aggregates (at the end of the run)."""
        for (index, second), (count, failed) in sorted(self._buckets.items()):
            client = self.swarm.scenario.traffic[index]
            target = {"target": client.target} if client.source else {}
            self.swarm.trace.emit(float(second), "request", port=client.port, via=client.via, count=count,
                                  failed=failed, interval=1.0, **target)
        self._buckets.clear()

