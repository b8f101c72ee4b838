"""Creating tasks for a service, as orchestrator.NewTask does."""
from __future__ import annotations

from ..model import Service, Task, TaskState
from .env import SimEnv


def new_task(sim: SimEnv, service: Service, slot: int, node: str | None = None,
             desired: TaskState = TaskState.RUNNING) -> Task:
    """A NEW task carrying the service's current spec; global tasks come with their node. A job's task
    carries the job's iteration and runs to completion (jobs orchestrators: DesiredState = Completed)."""
    if service.is_job and desired is TaskState.RUNNING:
        desired = TaskState.COMPLETE
    return Task(job_iteration=service.job_iteration if service.is_job else None, id=sim.new_id(), service=service.name, service_id=service.id, slot=slot, node=node, gen=0,
                spec=service.spec.task, spec_version=service.version, endpoint=service.spec.endpoint,
                desired=desired, preassigned=node is not None, created_at=sim.now, status_at=sim.now)
