"""Docker's surprises, each shown by an example scenario (docs/surprises.md lists them)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from swarmsim.analysis.metrics import (duplicates, placement, placement_after_step, running_over_time, step_time,
                                       task_states_at)
from swarmsim.backend import SimBackend, run_scenario
from swarmsim.scenario import load_scenario, loads_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def trace_of(name: str, seed: int | None = None):
    scenario = load_scenario(EXAMPLES / f"{name}.yaml")
    if seed is not None:
        scenario = replace(scenario, seed=seed)
    return run_scenario(scenario, SimBackend())


def test_a_joining_node_stays_empty_until_a_forced_update_spreads_the_service():
    for seed in range(1, 6):
        trace = trace_of("no-rebalance", seed)
        after_join = placement_after_step(trace, 5)["web"]
        assert "worker3" not in after_join and sum(after_join.values()) == 6  # nothing moved to it
        final = placement(trace)["web"]
        assert final.get("worker3", 0) >= 1 and sum(final.values()) == 6
        assert max(final.values()) - min(final.get(n, 0) for n in ("manager1", "worker1", "worker2",
                                                                  "worker3")) <= 1


def test_a_node_missing_the_spread_label_is_a_group_of_its_own():
    for seed in range(1, 6):
        final = placement(trace_of("missing-label-group", seed))["web"]
        assert final["node3"] == 3  # as many as the two nodes of zone a together
        assert final.get("node1", 0) + final.get("node2", 0) == 3


def assignments(trace, service: str) -> list[tuple[float, str]]:
    """(time, node) of every task of the service the scheduler assigned, in order."""
    return [(e["t"], e["node"]) for e in trace.tasks() if e["service"] == service and e["state"] == "assigned"]


def test_a_joining_node_is_mugged_with_the_new_services_and_the_scale_up():
    for seed in range(1, 6):
        trace = trace_of("new-node-mugged", seed)
        final = placement(trace)
        for service in ("api", "auth", "cache"):
            assert final[service] == {"worker3": 1}  # the empty node is the least loaded for each
        assert final["web"] == {"manager1": 3, "worker1": 3, "worker2": 3, "worker3": 3}  # all 3 new ones on it


def test_the_first_pass_overshoots_instead_of_balancing():
    for seed in range(1, 6):
        final = placement(trace_of("first-pass-overshoot", seed))["web"]
        assert final["worker3"] == 3  # from 2: one task of the five came to the loaded node
        assert sorted((final.get("worker1", 0), final.get("worker2", 0))) == [1, 3]  # not 2 and 2


def test_a_flapping_task_drifts_back_to_the_faulty_node_after_five_minutes():
    for seed in range(1, 4):
        trace = trace_of("flapping-drift", seed)
        placed = assignments(trace, "app")
        nodes = [node for _, node in placed]
        assert nodes[:6] == ["worker2"] * 5 + ["worker1"]  # five rejections, then underweighted
        runs_on_worker1 = placed[5][0]
        back = placed[6]
        assert back[1] == "worker2" and back[0] - placed[4][0] >= 300  # the rejections have aged out
        assert back[0] - runs_on_worker1 >= 360  # after the flapping task failed on worker1
        assert nodes[6:11] == ["worker2"] * 5 and nodes[11] == "worker1"  # the cycle repeats


def test_one_transient_failure_pauses_the_whole_update():
    for seed in range(1, 6):
        trace = trace_of("transient-failure-pause", seed)
        states = [(e["t"], e["update_state"]) for e in trace.of_kind("service") if e["service"] == "app"]
        assert states[-1][1] == "paused"
        running = [e for e in task_states_at(trace).values() if e["state"] == "running" and e["desired"] == "running"]
        assert len(running) == 6  # the failed slot was restarted on a node with the image: the service is whole
        images = {e["image"] for e in running}
        assert images == {"app:1", "app:2"}  # but the update stopped part way
        rejected = [e for e in trace.tasks() if e["service"] == "app" and e["state"] == "rejected"]
        assert {e["node"] for e in rejected} == {"worker3"}
        assert 0 <= states[-1][0] - rejected[0]["t"] < 1  # paused by the first rejection


def test_draining_the_node_of_a_one_replica_service_leaves_it_with_no_task():
    for seed in range(1, 6):
        trace = trace_of("drain-downtime", seed)
        drained = step_time(trace, 3)
        after = [(t, n) for t, n in running_over_time(trace, "app") if t >= drained]
        down = next(t for t, n in after if n == 0)
        up = next(t for t, n in after if t > down and n == 1)
        assert up - down > 1.0  # the replacement was released only once the old task had stopped
        failed = [e for e in trace.of_kind("request") if not e["ok"] and down <= e["t"] <= up]
        assert failed  # and the routing mesh had no backend meanwhile


def test_a_scale_down_removes_from_the_nodes_with_the_most_replicas():
    for seed in range(1, 6):
        trace = trace_of("scale-down-balance", seed)
        before = placement_after_step(trace, 3)["web"]
        assert before == {"worker1": 5, "worker2": 1, "worker3": 1}
        assert placement(trace)["web"] == {"worker1": 1, "worker2": 1, "worker3": 1}  # not slots 1-3, all on worker1


def test_a_scale_down_removes_a_task_that_is_not_running_first():
    scenario = loads_scenario("""
version: 1
cluster:
  nodes:
    - {name: manager1, role: manager, availability: drain}
    - {name: worker1, memory: 1GiB}
    - {name: worker2, memory: 1GiB}
steps:
  - run: docker service create -d --name db --replicas 3 --reserve-memory 600MiB nginx:1.25
  - wait: 10s
  - run: docker service scale -d db=2
  - wait: 10s
""")
    pending_slots = set()
    for seed in range(1, 7):
        trace = run_scenario(replace(scenario, seed=seed), SimBackend())
        pending = [e for e in task_states_at(trace, step_time(trace, 1)).values() if e["state"] == "pending"]
        assert len(pending) == 1  # one replica found no memory left
        pending_slots.add(pending[0]["slot"])
        left = task_states_at(trace).get((pending[0]["task"], pending[0]["gen"]))
        assert left is None or left["desired"] == "remove"  # whatever its slot number
        assert placement(trace)["db"] == {"worker1": 1, "worker2": 1}  # both running tasks were kept
    assert len(pending_slots) > 1  # not simply the highest slot


def test_tasks_of_a_partitioned_worker_run_on_after_the_heal():
    for seed in range(1, 6):
        trace = trace_of("partition-duplicates", seed)
        healed = step_time(trace, 4)
        extra = duplicates(trace, "web")
        during = [n for t, n in extra if t <= healed]
        assert during and during[-1] >= 1  # replacements run while node4's tasks still run
        ended = next(t for t, n in extra if t > healed and n == 0)
        assert 0.5 < ended - healed < 10  # and for a while after the heal, until node4's agent is told


def test_a_pending_task_of_an_older_revision_is_not_retried_when_its_node_qualifies():
    for seed in range(1, 6):
        trace = trace_of("pending-after-fix", seed)
        forced = step_time(trace, 8)
        at_fix = [e for e in task_states_at(trace, forced - 0.01).values() if e["service"] == "db"]
        assert [e["state"] for e in at_fix] == ["pending"] and at_fix[0]["desired"] == "running"
        assert not [e for e in trace.tasks() if e["service"] == "db" and e["state"] == "assigned" and e["t"] < forced]
        assert placement(trace)["db"] == {"worker1": 1}  # the forced update's replacement runs
    scenario = load_scenario(EXAMPLES / "pending-after-fix.yaml")
    steps = scenario.steps[:2] + scenario.steps[3:]  # without the service label update
    trace = run_scenario(replace(scenario, steps=steps), SimBackend())
    fixed = step_time(trace, 4)
    assigned = [e["t"] for e in trace.tasks() if e["service"] == "db" and e["state"] == "assigned"]
    assert fixed < assigned[0] < fixed + 1  # the node event retries the task at the next pass
