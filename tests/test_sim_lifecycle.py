"""Whole simulated runs: one task's lifecycle, scaling, pause, no rebalancing (reference §1, §3.1, §4, §11.1)."""
from __future__ import annotations

import pytest

from swarmsim.analysis.metrics import first_times, placement, placement_after_step
from swarmsim.model.scenario import Timing
from swarmsim.testing.builders import events_of, final_tasks, run_yaml, scenario

LIFECYCLE = ["new", "pending", "assigned", "accepted", "preparing", "ready", "starting", "running"]

CLI = Timing().cli_start  # what each run: step costs before its request acts


def test_a_task_goes_through_every_state_in_order():
    trace = run_yaml(scenario("run: docker service create --name web busybox", "wait: 5s"))
    seen = [e["state"] for e in events_of(trace, "web.1", 1)]
    assert [s for s in seen if s in LIFECYCLE] == [s for s in LIFECYCLE if s in seen]
    assert {"new", "pending", "assigned", "running"} <= set(seen)
    messages = {e["state"]: e["msg"] for e in events_of(trace, "web.1", 1)}
    assert messages["pending"] == "pending task scheduling"
    assert messages["assigned"] == "scheduler assigned task to node"
    assert messages["running"] == "started"


def test_milestone_latencies_match_the_timing_model():
    trace = run_yaml(scenario("run: docker service create --name web busybox", "wait: 5s"))
    times = {}
    for e in events_of(trace, "web.1", 1):
        times.setdefault(e["state"], e["t"])
    assert times["pending"] - times["new"] < 0.01
    assert 0.04 <= times["assigned"] - times["pending"] <= 0.06  # the scheduler's 50 ms debounce
    assert times["assigned"] < times["preparing"] < times["running"]


def test_a_scale_changes_no_running_task():
    trace = run_yaml(scenario("run: docker service create --name web --replicas 3 busybox",
                              "run: docker service scale web=6", "run: docker service scale web=4", "wait: 5s"))
    originals = [e for e in final_tasks(trace, "web") if e["gen"] == 1 and e["task"] in ("web.1", "web.2", "web.3")]
    assert all(e["state"] == "running" and e["desired"] == "running" for e in originals)
    assert sum(placement(trace)["web"].values()) == 4
    assert not [e for e in trace.tasks() if e["gen"] > 1]


def test_pause_keeps_tasks_but_takes_no_new_ones():
    trace = run_yaml(scenario("run: docker service create --name web --replicas 3 busybox",
                              "run: docker node update --availability pause node3",
                              "run: docker service scale web=6", "wait: 5s"))
    before, after = placement_after_step(trace, 0)["web"], placement(trace)["web"]
    assert after["node3"] == before["node3"] == 1
    assert sum(after.values()) == 6
    assert not [e for e in trace.tasks() if e["desired"] != "running" and e["node"] == "node3"]


def test_no_rebalancing_when_a_node_returns():
    trace = run_yaml(scenario("run: docker service create --name web --replicas 6 busybox",
                              "run: docker node update --availability drain node3", "wait: converged",
                              "run: docker node update --availability active node3", "wait: 30s"))
    assert placement_after_step(trace, 2)["web"] == placement(trace)["web"]
    assert "node3" not in placement(trace)["web"]
    returned_at = [e for e in trace.steps() if e["index"] == 3][0]["t"]
    assert not [e for e in trace.tasks() if e["t"] > returned_at]


def test_new_tasks_go_to_the_returned_node():
    trace = run_yaml(scenario("run: docker service create --name web --replicas 6 busybox",
                              "run: docker node update --availability drain node3", "wait: converged",
                              "run: docker node update --availability active node3",
                              "run: docker service scale web=9", "wait: 5s"))
    assert placement(trace)["web"] == {"node1": 3, "node2": 3, "node3": 3}


def test_a_task_on_an_overlay_network_starts_network_attach_later_and_stops_after_the_gossip_delay():
    """Joining a network other than the default bridge is start work (real: 0.88-0.94 s starts on an
    overlay against 0.25-0.3 s), and leaving it costs moby's 2 s gossip delay before the SIGTERM and the
    endpoint's removal after the exit."""
    from swarmsim.backend import SimBackend, run_scenario
    from swarmsim.scenario import loads_scenario
    text = """
version: 1
name: nets
cluster: {managers: 1, workers: 1}
timing: {ingress_setup: 0s}
steps:
  - run: docker network create -d overlay appnet
  - run: docker service create -d --name plain --replicas 1 app:1
  - wait: 5s
  - run: docker service create -d --name attached --replicas 1 --network appnet app:1
  - wait: 5s
  - run: docker service scale plain=0 attached=0
  - wait: 5s
"""
    trace = run_scenario(loads_scenario(text), SimBackend())
    first = {}
    for e in trace.tasks():
        first.setdefault((e["service"], e["state"], e["desired"] == "running"), e["t"])
    services = ("plain", "attached")
    run_time = {s: first[(s, "running", True)] - first[(s, "starting", True)] for s in services}
    assert abs(run_time["attached"] - run_time["plain"] - 0.65) < 0.01
    stop_time = {s: first[(s, "shutdown", False)] - first[(s, "running", False)] for s in services}
    assert abs(stop_time["attached"] - stop_time["plain"] - 2.0 - 0.23) < 0.01


def test_host_mode_ports_are_published_one_at_a_time_per_host():
    """Two replacements publishing a host-mode port start together; their port rules go through the
    host's one iptables lock, so the second runs port_publish after the first."""
    from swarmsim.analysis import metrics
    from swarmsim.backend import SimBackend, run_scenario
    from swarmsim.scenario import loads_scenario
    text = """
version: 1
name: ports
cluster: {managers: 1, workers: 1}
timing: {ingress_setup: 0s, port_publish: 0.5s, contention_slots: 0, contention_scope: host}
steps:
  - run: docker service create -d --name web --replicas 2 --publish mode=host,target=80,published=8080 app:1
  - run: docker service create -d --name db --replicas 2 app:1
  - wait: 10s
"""
    trace = run_scenario(loads_scenario(text), SimBackend())
    running = {s: sorted(metrics.first_times(trace, s, "running").values()) for s in ("web", "db")}
    assert len(running["web"]) == 2  # one per node: the port is taken on each
    assert abs((running["web"][1] - running["web"][0]) - 0.5) < 0.05
    assert abs(running["db"][1] - running["db"][0]) < 0.05


def test_operations_started_together_finish_one_after_another_oldest_first():
    """contention_slots: of four starts at once only the two oldest are served, the others wait, so the
    first two run after 2 x base x share and the last two that long again (pure sharing: all together)."""
    from swarmsim.analysis import metrics
    from swarmsim.backend import SimBackend, run_scenario
    from swarmsim.scenario import loads_scenario
    text = """
version: 1
name: slots
cluster: {{managers: 1, workers: 3}}
timing: {{ingress_setup: 0s, container_create: 0s, container_start: 1s, start_contention: 0.5, contention_slots: {slots},
         contention_scope: host}}
steps:
  - run: docker service create -d --name web --replicas 4 app:1
  - wait: 10s
"""
    def finishes(slots):
        trace = run_scenario(loads_scenario(text.format(slots=slots)), SimBackend())
        return sorted(metrics.first_times(trace, "web", "running").values())
    staggered, together = finishes(2), finishes(0)
    assert staggered[1] - staggered[0] < 0.01 and abs(staggered[2] - staggered[1] - 1.0) < 0.05
    assert together[3] - together[0] < 0.01
    assert abs(staggered[3] - together[3]) < 0.05  # the same work, done in the same time


def test_a_workload_runs_its_exit_after_whatever_else_lands_on_its_node():
    # A new assignment on the node wakes every run there; a 20 s workload must still run 20 s
    # (it died at 5.26 s when the agent took its exit Timeout's `triggered` for "fired").
    trace = run_yaml(scenario("run: docker service create -d --name job --constraint node.hostname==node2 slow",
                              "wait: 5s",
                              "run: docker service create -d --name other --constraint node.hostname==node2 idle",
                              "wait: 30s", cluster="{managers: 1, workers: 1}",
                              images="{slow: {exit_after: 20s, exit_code: 0}}"))
    job = {e["state"]: e["t"] for e in events_of(trace, "job.1", 1)}
    assert job["running"] + 20 <= job["complete"] < job["running"] + 20.2
    assert job["complete"] > 20.5  # not 5.26 s, when the other service landed


def _stopped_after(grace: str) -> float | None:
    """Seconds from a scale to 0 to the SIGTERM-ignoring task's shutdown, or None if it never comes."""
    text = ("version: 1\ncluster: {managers: 1}\nimages:\n  app:1: {ignore_sigterm: true}\nsteps:\n"
            f"  - run: docker service create -d --name app --stop-grace-period={grace} app:1\n  - wait: 10s\n"
            "  - run: docker service scale -d app=0\n  - wait: 60s\n")
    trace = run_yaml(text)
    scaled = next(s["t"] for s in trace.steps() if "scale" in s["step"])
    done = first_times(trace, "app", "shutdown")
    return min(done.values()) - scaled if done else None


def test_the_grace_period_reaches_dockerd_in_whole_seconds_and_a_negative_one_waits_for_ever():
    """moby's executor passes int(StopGracePeriod.Seconds): 1.9 s waits as 1 s, 0.5 s as none; dockerd's
    ContainerStop waits for a graceful exit without end when it is negative (docker accepts -1s)."""
    assert _stopped_after("1.9s") == pytest.approx(_stopped_after("1s"))
    assert _stopped_after("0.5s") == pytest.approx(_stopped_after("0s"))
    assert _stopped_after("1s") - _stopped_after("0s") == pytest.approx(1.0)
    assert _stopped_after("-1s") is None
