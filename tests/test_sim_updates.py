"""Whole simulated runs: rolling updates, failure actions and rollbacks (reference §5; measurements (d)-(f))."""
from __future__ import annotations

import re

import pytest

from swarmsim.analysis import metrics
from swarmsim.analysis.metrics import min_running
from swarmsim.model.scenario import Timing
from swarmsim.testing.builders import final_tasks, first, run_yaml, running_tasks, scenario

IMAGES = "{bad: {exit_after: 1s, exit_code: 1}}"
CREATE = "run: docker service create --name web --replicas 4 {flags} good:1"
PAUSED = re.compile(r"^update paused due to failure or early termination of task [a-z0-9]{25}$")
ROLLED_BACK = re.compile(r"^update rolled back due to failure or early termination of task [a-z0-9]{25}$")

CLI = Timing().cli_start  # what each run: step costs before its request acts


def run(*steps: str, flags: str = ""):
    return run_yaml(scenario(CREATE.format(flags=flags), *steps, images=IMAGES))


def images(trace) -> dict[int, str]:
    return {e["slot"]: e["image"] for e in running_tasks(trace, "web")}


def update_states(trace) -> list[tuple[str, str]]:
    return [(e["update_state"], e["msg"]) for e in trace.of_kind("service") if e["update_state"]]


def test_rolling_update_replaces_every_slot_with_the_new_image():
    trace = run("run: docker service update --image good:2 web")
    assert images(trace) == {1: "good:2", 2: "good:2", 3: "good:2", 4: "good:2"}
    assert update_states(trace) == [("updating", "update in progress"), ("completed", "update completed")]
    old = [e for e in final_tasks(trace, "web") if e["image"] == "good:1"]
    assert len(old) == 4 and {(e["state"], e["desired"]) for e in old} == {("shutdown", "shutdown")}


def test_stop_first_with_parallelism_1_takes_one_slot_down_at_a_time():
    trace = run("run: docker service update --image good:2 web")
    started = first(trace, image="good:2")["t"]
    assert min_running(trace, "web", started, trace.events[-1]["t"]) == 3
    for slot in range(1, 5):
        stopped = first(trace, task=f"web.{slot}", gen=1, state="shutdown")["t"]
        assert first(trace, task=f"web.{slot}", gen=2, desired="running")["t"] >= stopped


def test_start_first_keeps_the_old_task_running_until_the_new_one_runs():
    trace = run("run: docker service update --image good:2 web", flags="--update-order start-first")
    assert images(trace) == {1: "good:2", 2: "good:2", 3: "good:2", 4: "good:2"}
    for slot in range(1, 5):
        new_running = first(trace, task=f"web.{slot}", gen=2, state="running")["t"]
        old_told_to_stop = first(trace, task=f"web.{slot}", gen=1, desired="shutdown")["t"]
        assert old_told_to_stop >= new_running
    started = first(trace, image="good:2")["t"]
    assert min_running(trace, "web", started, trace.events[-1]["t"]) == 4


def test_failure_action_pause_pauses_with_dockers_message():
    trace = run("run: docker service update -d --image bad web", "wait: 30s")
    states = update_states(trace)
    assert states[0] == ("updating", "update in progress")
    assert states[-1][0] == "paused" and PAUSED.match(states[-1][1])
    assert list(images(trace).values()).count("good:1") >= 2  # slots not reached keep the old image


def test_attached_update_that_pauses_fails_like_the_cli():
    trace = run("run: docker service update --image bad web")
    step = trace.steps()[-1]
    # The CLI prints what it showed, then ServiceProgress's error as cmd/docker main prints any error: no prefix.
    assert not step["ok"]
    assert re.search(r"\nservice update paused: update paused due to failure or early termination of task \w+$",
                     step["output"])
    assert "\noverall progress: 1 out of 4 tasks\n" in step["output"]


def test_failure_action_rollback_restores_the_previous_image_everywhere():
    trace = run("run: docker service update -d --update-failure-action rollback --image bad web", "wait: 60s")
    states = [s for s, _ in update_states(trace)]
    assert states == ["updating", "rollback_started", "rollback_completed"]
    assert ROLLED_BACK.match(update_states(trace)[1][1])
    assert images(trace) == {1: "good:1", 2: "good:1", 3: "good:1", 4: "good:1"}


def test_manual_rollback_restores_the_previous_image_on_every_slot():
    trace = run("run: docker service update --image good:2 web", "run: docker service rollback web")
    assert images(trace) == {1: "good:1", 2: "good:1", 3: "good:1", 4: "good:1"}
    assert update_states(trace)[-2:] == [("rollback_started", "manually requested rollback"),
                                         ("rollback_completed", "rollback completed")]


def test_an_update_without_task_changes_replaces_nothing():
    trace = run("run: docker service update --label-add a=b web", "wait: 5s")
    assert not [e for e in trace.tasks() if e["gen"] > 1]


def test_rolling_update_of_a_spread_service_completes():
    """Each replacement is a group of one; the spread tree must still count the tasks already placed."""
    zones = "{nodes: [{name: node1, role: manager}, {name: node2, labels: {zone: a}}, " \
            "{name: node3, labels: {zone: b}}, {name: node4, labels: {zone: b}}]}"
    trace = run_yaml(scenario("run: docker service create --name web --replicas 7 "
                              "--placement-pref spread=node.labels.zone good:1",
                              "run: docker service update -d --image good:2 web", "wait: 60s", cluster=zones))
    assert sorted(images(trace).values()) == ["good:2"] * 7
    assert update_states(trace)[-1] == ("completed", "update completed")


def test_an_update_in_progress_at_the_end_says_its_state_and_for_how_long(capsys):
    from swarmsim.cli import print_summary
    trace = run_yaml(scenario("run: docker service create -d --name web --replicas 4 --update-delay 10s busybox",
                              "wait: 5s", "run: docker service update -d --image busybox:2 web", "wait: 8s"))
    window = metrics.updates(trace)[-1]
    assert (window.outcome, window.ended) == ("updating", None)
    print_summary(trace)
    line = next(l for l in capsys.readouterr().out.splitlines() if "started" in l)
    assert f"started {5 + 2 * CLI:.2f}s, still updating at the end, for 8.00s; fewest running 3," in line


def test_a_rollback_in_progress_at_the_end_is_rollback_started_since_the_rollback_began():
    trace = run_yaml(scenario("run: docker service create -d --name web --replicas 2 --update-failure-action rollback "
                              "--update-monitor 3s busybox", "wait: 5s", "run: docker service update -d --image bad web",
                              "wait: 7s", images="{bad: {exit_after: 1s, exit_code: 1}}"))
    window = metrics.updates(trace)[-1]
    rollback = next(e["t"] for e in trace.of_kind("service") if e.get("update_state") == "rollback_started")
    assert (window.started, window.ended, window.outcome, window.since) == (pytest.approx(5 + 2 * CLI), None, "rollback_started", rollback)
    assert metrics.summary(trace)["updates"][-1]["min_running"] < 2  # counted up to the end, not over no time


@pytest.mark.parametrize("seed", range(6))
def test_a_slot_the_orchestrator_replaced_during_a_stop_first_update_gets_no_second_new_task(seed):
    """The updater judges a slot by the tasks reconcile read when the update began: when a node's failure had
    the orchestrator replace a slot's task (already with the new spec) before the updater got there,
    removeOldTasks fails on the task it read, and the batch that would create another new task is aborted
    (swarmkit's updater: `update failed`, logged). The slot keeps one task of the new spec."""
    trace = run_yaml(scenario(
        "run: docker service create --name web --replicas 6 --update-delay 5s "
        "--update-failure-action continue good:1",
        "wait: converged",
        "run: docker service update --detach --image good:2 web",
        "wait: 2s",
        "fail: {node: node2, kind: crash}",
        "wait: 30s",
        "fail: {node: node2, kind: recover}",
        "wait: 60s",
        cluster="{managers: 1, workers: 3}", images=IMAGES, seed=seed))
    desired: dict[tuple[int, int], str] = {}
    for e in trace.tasks():
        if e["service"] == "web" and e["image"] == "good:2":
            desired[e["slot"], e["gen"]] = e["desired"]
            live = [gen for (slot, gen), d in desired.items() if slot == e["slot"] and d in ("ready", "running")]
            assert len(live) <= 1, (e["t"], e["slot"], live)
    assert images(trace) == {slot: "good:2" for slot in range(1, 7)}
