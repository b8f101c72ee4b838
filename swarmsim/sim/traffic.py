"""Clients sending requests to published ports, through the routing mesh or host-mode ports.

Each client makes Poisson arrivals at its rate from its start time, picks the
node it connects to (`via`), and records what happened: one trace event per
request at low rates, per-second aggregates above PER_REQUEST_MAX_RATE.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.scenario import TrafficClient
from ..net.ingress import Backend, RoundRobin, publisher, route

if TYPE_CHECKING:
    from .swarm import SimSwarm

PER_REQUEST_MAX_RATE = 20.0
HOP_LATENCY = 0.0005     # s; a request answered on the node it entered (an estimate, not measured)
REMOTE_HOP = 0.0003      # s; extra for a VXLAN hop to another node (an estimate, not measured)


class Traffic:
    def __init__(self, swarm: "SimSwarm"):
        self.swarm = swarm
        self.balancer = RoundRobin()
        self._buckets: dict[tuple[int, int], list[int]] = {}  # (client, second) -> [count, failed]

    def start(self, clients: tuple[TrafficClient, ...]) -> None:
        for index, client in enumerate(clients):
            self.swarm.sim.process(self._client(index, client))

    def backends(self, service_id: str) -> list[Backend]:
        """Every started container of the service, as each node's IPVS sees it."""
        now = self.swarm.now
        out = []
        for name, agent in self.swarm.agents.items():
            for task, listening_at, draining in agent.backends():
                if task.service_id == service_id:
                    out.append(Backend(task.name, task.id, name, now >= listening_at, agent.alive, draining))
        return sorted(out, key=lambda b: b.task_id)

    def _client(self, index: int, client: TrafficClient):
        sim = self.swarm.sim
        rng = sim.rng.stream(f"traffic.{index}")
        if client.start > sim.now:
            yield sim.timeout(client.start - sim.now)
        while client.stop is None or sim.now < client.stop:
            yield sim.timeout(rng.expovariate(client.rate))
            self._request(index, client, rng)

    def _request(self, index: int, client: TrafficClient, rng) -> None:
        swarm = self.swarm
        nodes = sorted(swarm.agents)
        via = client.via if client.via != "any" else rng.choice(nodes)
        agent = swarm.agents.get(via)
        found = publisher(list(swarm.store.services.values()), client.port)
        if found is None:
            self._record(index, client, via, False, None, "connection refused: port not published")
            return
        service, mode = found
        outcome = route(mode, via, agent is not None and agent.alive and via not in swarm.raft.down,
                        self.backends(service.id), self.balancer, service.id)
        latency = None
        if outcome.ok:
            latency = HOP_LATENCY + (REMOTE_HOP if outcome.backend.node != via else 0.0)
            self._served(outcome.backend)
        elif outcome.error.startswith("timeout"):
            latency = client.timeout
        self._record(index, client, via, outcome.ok, outcome, outcome.error, latency)

    def _served(self, backend: Backend) -> None:
        """The container that answered prints its request line, if its workload has one."""
        agent = self.swarm.agents.get(backend.node)
        run = agent.runs.get(backend.task_id) if agent is not None else None
        if run is not None and run.workload.request_log:
            agent.log(backend.task_id, run.workload.request_log)

    def _record(self, index, client, via, ok, outcome, error, latency=None) -> None:
        now = self.swarm.now
        if client.rate <= PER_REQUEST_MAX_RATE:
            backend = outcome.backend if outcome else None
            self.swarm.trace.emit(now, "request", port=client.port, ok=ok, latency=latency, via=via,
                                  node=backend.node if backend else None, task=backend.task if backend else None,
                                  err=error)
            return
        bucket = self._buckets.setdefault((index, int(now)), [0, 0])
        bucket[0] += 1
        bucket[1] += 0 if ok else 1

    def flush(self) -> None:
        """Write the per-second aggregates (at the end of the run)."""
        for (index, second), (count, failed) in sorted(self._buckets.items()):
            client = self.swarm.scenario.traffic[index]
            self.swarm.trace.emit(float(second), "request", port=client.port, via=client.via, count=count,
                                  failed=failed, interval=1.0)
        self._buckets.clear()
