"""Whole simulated runs: drained and failed nodes (reference §3.3, §4, §7)."""
from __future__ import annotations

from swarmsim.analysis.metrics import placement, step_time
from swarmsim.testing.builders import final_tasks, first, run_yaml, scenario

DRAIN = scenario("run: docker service create --name web --replicas 6 busybox",
                 "run: docker node update --availability drain node3", "wait: converged")


def test_drained_nodes_tasks_are_replaced_elsewhere():
    trace = run_yaml(DRAIN)
    assert placement(trace)["web"] == {"node1": 3, "node2": 3}
    on_node3 = [e for e in final_tasks(trace, "web") if e["node"] == "node3"]
    assert len(on_node3) == 2 and all(e["state"] == "shutdown" and e["desired"] == "shutdown" for e in on_node3)


def test_drain_replacements_start_without_the_restart_delay():
    trace = run_yaml(DRAIN)
    drained_at = step_time(trace, 1)
    for old in [e for e in final_tasks(trace, "web") if e["node"] == "node3"]:
        stopped = first(trace, task=old["task"], gen=old["gen"], state="shutdown")["t"]
        released = first(trace, task=old["task"], gen=old["gen"] + 1, desired="running")["t"]
        assert stopped <= released < stopped + 0.1  # waits for the old task to stop, not 5 s
        assert released - drained_at < 5.0


def test_crashed_node_tasks_are_replaced_after_it_is_down_with_the_restart_delay():
    trace = run_yaml(scenario("run: docker service create --name web --replicas 6 busybox",
                              "fail: {node: node3, kind: crash}", "wait: 40s"))
    crashed = step_time(trace, 0)
    down = next(e["t"] for e in trace.of_kind("node") if e["node"] == "node3" and e["status"] == "down")
    assert 9.0 <= down - crashed <= 16.5  # 3 heartbeat periods (5 s +- 0.5 s) after the last beat
    replacement = first(trace, task=next(e["task"] for e in final_tasks(trace, "web") if e["node"] == "node3"),
                        gen=2, desired="running")
    assert 5.0 <= replacement["t"] - down < 5.2
    assert sum(placement(trace)["web"].values()) == 6 and "node3" not in placement(trace)["web"]


def test_old_tasks_on_a_down_node_keep_running_with_desired_shutdown():
    trace = run_yaml(scenario("run: docker service create --name web --replicas 6 busybox",
                              "fail: {node: node3, kind: crash}", "wait: 40s"))
    on_node3 = [e for e in final_tasks(trace, "web") if e["node"] == "node3"]
    assert on_node3 and all((e["state"], e["desired"]) == ("running", "shutdown") for e in on_node3)
