"""The task reaper's history bound (taskreaper/task_reaper.go), and the shortcut that makes its ticks cheap."""
from __future__ import annotations

import pytest

from swarmsim.sim import reaper
from swarmsim.testing.builders import final_tasks, run_yaml, scenario

STORM = scenario(  # updates that cancel each other, a scale down and a removal: slots with several live tasks
    "run: docker service create -d --name web --replicas 12 --update-parallelism 0 --restart-delay 1s nginx",
    "run: docker service create -d --name api --replicas 6 --restart-max-attempts 2 nginx",
    "wait: converged",
    *[f"run: docker service update -d --env-add A={i} web" for i in range(6)],
    "run: docker service update -d --env-add B=1 --restart-max-attempts 3 api",
    "run: docker service scale -d web=5",
    "run: docker swarm update --task-history-limit 2",
    *[f"run: docker service update -d --env-add C={i} web" for i in range(3)],
    "run: docker service rm api",
    "wait: converged")


def _look_at_every_slot(monkeypatch) -> None:
    """swarmkit's own tick: every dirty slot looked at, whatever changed."""
    tick = reaper.TaskReaper.tick

    def full_tick(self):
        for key in list(self._looked):
            self._look_again(key)
        tick(self)
    monkeypatch.setattr(reaper.TaskReaper, "tick", full_tick)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("backlog", [1000, 4])  # 4: a tick at every task event, as past swarmkit's maxDirty
def test_looking_only_at_changed_slots_gives_the_trace_of_looking_at_every_slot(monkeypatch, seed, backlog):
    monkeypatch.setattr(reaper, "MAX_DIRTY", backlog)
    text = STORM.replace("seed: 1", f"seed: {seed}")
    short = run_yaml(text).dumps()
    _look_at_every_slot(monkeypatch)
    assert run_yaml(text).dumps() == short


def test_a_slot_keeps_at_most_the_history_limit_once_its_tasks_stopped():
    trace = run_yaml(STORM)
    per_slot: dict[tuple, int] = {}
    for e in final_tasks(trace, "web"):
        per_slot[e["slot"]] = per_slot.get(e["slot"], 0) + 1
    assert per_slot and max(per_slot.values()) <= 2
