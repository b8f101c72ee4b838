"""Whole simulated runs: restart policies (reference §3.3; docs/measurements.md (i))."""
from __future__ import annotations

import pytest

from swarmsim.testing.builders import first, run_yaml, scenario

FAILING = "{bad: {exit_after: 1s, exit_code: 1}, done: {exit_after: 1s, exit_code: 0}}"


def run_service(flags: str, image: str = "bad", wait: str = "40s", seed: int = 1):
    return run_yaml(scenario(f"run: docker service create -d --name web {flags} {image}", f"wait: {wait}",
                             images=FAILING, seed=seed))


def generations(trace) -> int:
    return max(e["gen"] for e in trace.tasks() if e["task"] == "web.1")


def test_on_failure_with_max_attempts_3_makes_4_tasks_as_measured():
    trace = run_service("--restart-condition on-failure --restart-delay 2s --restart-max-attempts 3")
    assert generations(trace) == 4
    failed = [e for e in trace.tasks() if e["state"] == "failed" and e["desired"] == "shutdown"]
    assert len(failed) == 4
    assert {e["err"] for e in failed} == {"task: non-zero exit (1)"}


def test_replacements_wait_the_restart_delay_in_ready():
    trace = run_service("--restart-condition on-failure --restart-delay 2s --restart-max-attempts 3")
    for gen in (2, 3, 4):
        failed = first(trace, task="web.1", gen=gen - 1, state="failed")["t"]
        held = first(trace, task="web.1", gen=gen, state="ready")
        assert (held["desired"], held["msg"]) == ("ready", "prepared")
        released = first(trace, task="web.1", gen=gen, desired="running")["t"]
        assert 2.0 <= released - failed < 2.2


def test_each_restart_is_scheduled_afresh():
    """A failed task stops counting on its node, so its replacement ties with every node of the three:
    over seeds it lands back on the same node about one time in three (never, if the failure counted)."""
    same = total = 0
    for seed in range(20):
        trace = run_service("--restart-condition on-failure --restart-delay 2s --restart-max-attempts 3", seed=seed)
        nodes = [first(trace, task="web.1", gen=g, state="assigned")["node"] for g in range(1, 5)]
        same, total = same + sum(a == b for a, b in zip(nodes, nodes[1:])), total + 3
    assert 0.15 < same / total < 0.55


@pytest.mark.parametrize("condition, image, restarts", [
    ("none", "bad", False), ("on-failure", "done", False), ("on-failure", "bad", True), ("any", "done", True),
])
def test_restart_conditions(condition, image, restarts):
    trace = run_service(f"--restart-condition {condition} --restart-delay 1s", image=image, wait="5s")
    assert (generations(trace) > 1) is restarts


def test_unlimited_attempts_by_default():
    trace = run_service("--restart-delay 1s", wait="30s")
    assert generations(trace) > 6


def test_restart_window_as_swarmkit_tests_it():
    # swarmkit restart_test.go TestOrchestratorRestartWindow: with max attempts 1, a task that fails
    # again inside the window of its last restart is not restarted; one that fails after it is, again
    # and again. Both services share one node, so each one's assignments wake the other's runs.
    policy = "--restart-condition any --restart-delay 100ms --restart-max-attempts 1 --restart-window 3s"
    trace = run_yaml(scenario(f"run: docker service create -d --name quick {policy} quick",
                              f"run: docker service create -d --name slow --replicas 2 {policy} slow",
                              "wait: 30s", cluster="{managers: 1, workers: 0}",
                              images="{quick: {exit_after: 200ms, exit_code: 1}, slow: {exit_after: 5s, exit_code: 1}}"))
    gens = {name: max(e["gen"] for e in trace.tasks() if e["task"] == name) for name in ("quick.1", "slow.1", "slow.2")}
    assert gens["quick.1"] == 2
    assert gens["slow.1"] >= 5 and gens["slow.2"] >= 5
    for e in trace.tasks():
        if e["service"] == "slow" and e["state"] == "failed" and e["desired"] == "running":
            started = first(trace, task=e["task"], gen=e["gen"], state="running")["t"]
            assert 5.0 <= e["t"] - started < 5.2  # each ran its full 5 s
