"""Whole simulated runs: global services (reference §3.2)."""
from __future__ import annotations

import pytest

from swarmsim.analysis.metrics import placement, placement_after_step, running_over_time
from swarmsim.model.scenario import Timing
from swarmsim.testing.builders import final_tasks, run_yaml, scenario

CLUSTER = """\
version: 1
seed: 1
cluster:
  nodes:
    - {name: node1, role: manager}
    - {name: node2, labels: {gpu: "yes"}}
    - {name: node3, labels: {gpu: "yes"}}
    - {name: node4, labels: {gpu: "yes"}, joined: false}
    - {name: node5, availability: drain, labels: {gpu: "yes"}}
steps:
  - run: docker service create --name mon --mode global busybox
  - run: docker service create --name gpu --mode global --constraint node.labels.gpu==yes busybox
"""
JOIN = """\
  - run: docker swarm join --token SWMTKN-1-worker node1:2377
    on: node4
  - wait: converged
"""
DRAIN = "  - run: docker node update --availability drain node2\n"

CLI = Timing().cli_start  # what each run: step costs before its request acts


def test_one_task_per_eligible_node_matching_the_constraints():
    trace = run_yaml(CLUSTER + "  - wait: 5s\n")
    assert placement(trace) == {"gpu": {"node2": 1, "node3": 1}, "mon": {"node1": 1, "node2": 1, "node3": 1}}
    assert all(e["slot"] == 0 and e["task"] == f"{e['service']}@{e['node']}" for e in final_tasks(trace))


def test_global_tasks_are_preassigned():
    trace = run_yaml(CLUSTER + "  - wait: 5s\n")
    assigned = [e for e in trace.tasks() if e["state"] == "assigned"]
    assert assigned and {e["msg"] for e in assigned} == {"scheduler confirmed task can run on preassigned node"}
    assert all(e["node"] is not None for e in trace.tasks())


def test_a_joining_node_gets_one_task_of_each_matching_service():
    trace = run_yaml(CLUSTER + JOIN)
    assert placement(trace) == {"gpu": {"node2": 1, "node3": 1, "node4": 1},
                                "mon": {"node1": 1, "node2": 1, "node3": 1, "node4": 1}}


def test_drain_shuts_the_global_tasks_down_without_replacing_them():
    trace = run_yaml(CLUSTER + JOIN + DRAIN + "  - wait: 10s\n")
    assert placement(trace) == {"gpu": {"node3": 1, "node4": 1}, "mon": {"node1": 1, "node3": 1, "node4": 1}}
    on_node2 = [e for e in final_tasks(trace) if e["node"] == "node2"]
    assert {(e["state"], e["desired"]) for e in on_node2} == {("shutdown", "shutdown")}
    assert max(e["gen"] for e in on_node2) == 1


def test_reactivated_node_gets_its_global_tasks_back():
    trace = run_yaml(CLUSTER + DRAIN + "  - wait: 5s\n  - run: docker node update --availability active node2\n"
                     "  - wait: 5s\n")
    assert placement_after_step(trace, 3) == {"gpu": {"node3": 1}, "mon": {"node1": 1, "node3": 1}}
    assert placement(trace) == {"gpu": {"node2": 1, "node3": 1}, "mon": {"node1": 1, "node2": 1, "node3": 1}}


def test_wait_converged_is_reached_after_draining_a_node_of_a_global_service():
    trace = run_yaml(CLUSTER + DRAIN + "  - wait: converged\n    timeout: 60s\n")
    assert trace.steps()[-1]["reached"]


def test_a_task_deleted_with_its_node_is_gone_from_the_trace_metrics_and_figures():
    from swarmsim.analysis import plots
    trace = run_yaml(scenario("run: docker service create -d --name agent --mode global busybox", "wait: 5s",
                              "run: docker node rm --force node3", "wait: 10s", cluster="{managers: 1, workers: 2}"))
    deleted = list(trace.of_kind("deleted"))
    assert [(e["t"], e["task"], e["gen"], e["state"]) for e in deleted] == [(pytest.approx(5 + 2 * CLI), "agent@node3", 1, "running")]
    assert placement(trace) == {"agent": {"node1": 1, "node2": 1}}
    assert running_over_time(trace, "agent")[-1] == (pytest.approx(5 + 2 * CLI), 2)
    fig = plots.task_gantt(trace, "agent")
    row = [p for p in fig.axes[0].patches if abs(p.get_y() + p.get_height() / 2 - 2) < 1e-9]  # agent@node3
    assert max(p.get_x() + p.get_width() for p in row) == pytest.approx(5 + 2 * CLI)


def test_a_written_trace_with_deletions_reads_back_under_the_contract(tmp_path):
    from swarmsim.trace import read_trace
    trace = run_yaml(scenario("run: docker service create -d --name agent --mode global busybox", "wait: 5s",
                              "run: docker node rm --force node3", "wait: 1s", cluster="{managers: 1, workers: 2}"))
    trace.write(tmp_path / "t.jsonl")
    again = read_trace(tmp_path / "t.jsonl")
    assert placement(again) == {"agent": {"node1": 1, "node2": 1}}
    broken = (tmp_path / "t.jsonl").read_text().replace('"kind":"deleted","task":"agent@node3"',
                                                         '"kind":"deleted","task":3')
    (tmp_path / "bad.jsonl").write_text(broken)
    with pytest.raises(ValueError, match="deleted field 'task' is 3"):
        read_trace(tmp_path / "bad.jsonl")
