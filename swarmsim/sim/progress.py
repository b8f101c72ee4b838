"""The docker CLI's wait for a service to converge, in simulated time (progress.go ServiceProgress).

Polls every `cli_poll` (200 ms) and hands each poll to control/progress.py, which decides what the
CLI shows and when it returns. Returns (ok, lines printed).
"""
from __future__ import annotations

from ..control.progress import ServiceProgress
from ..model.limits import CLI_WAIT_LIMIT
from .swarm import SimSwarm


def service_progress(swarm: SimSwarm, service_id: str):
    """A SimPy process; its value is (ok, output lines)."""
    sim, store = swarm.sim, swarm.store
    progress = ServiceProgress()
    give_up = sim.now + CLI_WAIT_LIMIT
    while True:
        service = store.services.get(service_id)
        if service is None:
            return False, progress.output(f"Error: No such service: {service_id}")
        if sim.now >= give_up:
            return False, progress.output(f"swarmsim: not converged after {CLI_WAIT_LIMIT:g}s; docker would still "
                                          f"be waiting here (use -d and a `wait: converged` with a timeout)")
        returned = progress.poll(service, store.service_tasks(service_id), store.nodes, sim.now)
        if returned is not None:
            return returned
        yield sim.timeout(swarm.timing.cli_poll)
