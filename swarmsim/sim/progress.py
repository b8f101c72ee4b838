"""The docker CLI's wait for a service to converge, in simulated time (progress.go ServiceProgress).

Polls every 200 ms; once converged, waits the update monitor period (5 s by
default) and starts over if a task stops running; stops early with an error when
the update pauses. Returns (ok, lines printed).
"""
from __future__ import annotations

from ..control.convergence import running_and_wanted, service_converged
from ..model import UpdateState
from .swarm import SimSwarm

_BAR = "[==================================================>]"
CLI_WAIT_LIMIT = 600.0  # s of simulated time; docker's CLI would wait for ever, a simulation must end


def _summary(swarm: SimSwarm, service_id: str, rolling_back: bool) -> list[str]:
    service = swarm.store.services[service_id]
    running, wanted = running_and_wanted(service, swarm.store.service_tasks(service_id), swarm.store.nodes)
    what = "rolling back update: " if rolling_back else ""
    lines = [f"overall progress: {what}{running} out of {wanted} tasks"]
    if not service.is_global and wanted <= 10:
        lines += [f"{i}/{wanted}: running   {_BAR}" for i in range(1, wanted + 1)]
    return lines


def service_progress(swarm: SimSwarm, service_id: str):
    """A SimPy process; its value is (ok, output lines)."""
    sim, store = swarm.sim, swarm.store
    converged_at = None
    rolling_back = False
    out: list[str] = []
    give_up = sim.now + CLI_WAIT_LIMIT
    while True:
        if sim.now >= give_up:
            return False, out + _summary(swarm, service_id, rolling_back) + [
                f"swarmsim: not converged after {CLI_WAIT_LIMIT:g}s; docker would still be waiting here "
                f"(use -d and a `wait: converged` with a timeout)"]
        service = store.services.get(service_id)
        if service is None:
            return False, out + [f"Error: service {service_id} not found"]
        monitor = service.spec.update_config.monitor
        state = service.update_status.state if service.update_status else None
        if state is UpdateState.UPDATING:
            rolling_back = False
        elif state is UpdateState.COMPLETED and converged_at is None:
            return True, out + _summary(swarm, service_id, rolling_back)
        elif state is UpdateState.PAUSED:
            return False, out + [f"Error: service update paused: {service.update_status.message}"]
        elif state is UpdateState.ROLLBACK_STARTED:
            if not rolling_back and service.update_status.message:
                out.append(f"rollback: {service.update_status.message}")
            rolling_back = True
        elif state is UpdateState.ROLLBACK_PAUSED:
            return False, out + [f"Error: service rollback paused: {service.update_status.message}"]
        elif state is UpdateState.ROLLBACK_COMPLETED:
            rolling_back = True
        if converged_at is not None and sim.now - converged_at >= monitor:
            return True, out + _summary(swarm, service_id, rolling_back) + ["verify: Service converged"]
        if service_converged(service, store.service_tasks(service_id), store.nodes):
            converged_at = sim.now if converged_at is None else converged_at
        else:
            converged_at = None
        yield sim.timeout(swarm.timing.cli_poll)
