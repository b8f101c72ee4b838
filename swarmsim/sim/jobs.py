"""The jobs orchestrator (swarmkit manager/orchestrator/jobs/orchestrator.go): one loop for both job modes.

It watches the store and, at the instant of a change, reconciles the job services it concerns with the
decisions of control/jobs.py. The updater never touches a job: a new spec version is a new iteration.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..control.jobs import global_job, replicated_job
from ..model import Node, Service, ServiceMode, Task, TaskState
from .orchestrator import _Loop, set_desired
from .tasks import new_task

if TYPE_CHECKING:
    from .manager import Manager


class JobsOrchestrator(_Loop):
    def __init__(self, manager: "Manager"):
        super().__init__(manager)
        self.reconcile: dict[str, None] = {}
        store = manager.store
        store.service_watchers.append(self._on_service)
        store.task_watchers.append(self._on_task)
        store.node_watchers.append(self._on_node)

    def has_work(self) -> bool:
        return bool(self.reconcile)

    def _job(self, service_id: str) -> Service | None:
        service = self.manager.store.services.get(service_id)
        return service if service is not None and service.is_job else None

    def _on_service(self, old: Service | None, new: Service | None) -> None:
        if new is None:
            if old.is_job:  # SetServiceTasksRemove
                set_desired(self.manager, self.manager.store.service_tasks(old.id), TaskState.REMOVE)
        elif new.is_job:
            self.reconcile[new.id] = None

    def _on_task(self, old: Task | None, new: Task | None) -> None:
        t = new or old
        if t.job_iteration is not None and (new is None or old is None or new.state != old.state):
            self.reconcile[t.service_id] = None

    def _on_node(self, old: Node | None, new: Node | None) -> None:
        for service in self.manager.store.services.values():
            if service.spec.mode is ServiceMode.GLOBAL_JOB:
                self.reconcile[service.id] = None

    def tick(self) -> None:
        services, self.reconcile = self.reconcile, {}
        for service_id in services:
            service = self._job(service_id)
            if service is not None:
                self._reconcile(service)

    def _reconcile(self, service: Service) -> None:
        m = self.manager
        tasks = m.store.service_tasks(service.id)
        if service.spec.mode is ServiceMode.REPLICATED_JOB:
            plan = replicated_job(service, tasks)
            for slot in plan.create:
                m.store.create_task(new_task(m.sim, service, slot))
        else:
            plan = global_job(service, tasks, list(m.store.nodes.values()))
            for node in plan.create:
                m.store.create_task(new_task(m.sim, service, 0, node))
        for task_id in plan.restart:
            t = m.store.tasks.get(task_id)
            if t is not None and t.desired <= TaskState.COMPLETE:
                m.restarts.restart(service, t)
        set_desired(m, [m.store.tasks[i] for i in plan.remove], TaskState.REMOVE)
        set_desired(m, [m.store.tasks[i] for i in plan.shutdown], TaskState.SHUTDOWN)
