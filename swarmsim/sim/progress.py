"""The docker CLI's wait for a service to converge, in simulated time (progress.go ServiceProgress).

Polls every `cli_poll` (200 ms) and hands each poll to control/progress.py, which decides what the
CLI shows and when it returns. Returns (ok, lines printed).
"""
from __future__ import annotations

from ..control.progress import ServiceProgress
from ..model.limits import CLI_WAIT_LIMIT
from .swarm import SimSwarm


def service_progress(swarm: SimSwarm, service_id: str):
    """A SimPy process; its value is (ok, output lines).

    Between polls it notes which slots' tasks changed, so that a replicated service's view is picked again
    for those only, as long as the spec and the nodes are those of the last poll."""
    sim, store = swarm.sim, swarm.store
    progress = ServiceProgress()
    give_up = sim.now + CLI_WAIT_LIMIT
    changed: dict[int, None] = {}  # slots whose tasks were written since the last poll

    def heard(old, new) -> None:
        changed[(new or old).slot] = None
    store.watch_service_tasks(service_id, heard)
    basis = None  # what the last poll's view was derived from: the spec, its version, the node writes
    try:
        while True:
            service = store.services.get(service_id)
            if service is None:
                return False, progress.output(f"Error: No such service: {service_id}")
            if sim.now >= give_up:
                return False, progress.output(f"swarmsim: not converged after {CLI_WAIT_LIMIT:g}s; docker would "
                                              f"still be waiting here (use -d and a `wait: converged` with a timeout)")
            same = basis is not None and basis[0] is service.spec and basis[1:] == (service.version, store.node_writes)
            slots = {slot: store.slot_tasks(service_id, slot, None) for slot in changed} \
                if same and not service.per_node else None
            changed.clear()
            basis = (service.spec, service.version, store.node_writes)
            returned = progress.poll(service, store.service_tasks(service_id), store.nodes, sim.now, slots)
            if returned is not None:
                return returned
            yield sim.timeout(swarm.timing.cli_poll)
    finally:
        store.unwatch_service_tasks(service_id, heard)
