"""The attached CLI's progress display (docker/cli service/progress/progress.go, v20.10.24), poll by poll."""
from __future__ import annotations

from dataclasses import replace
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from swarmsim.control.progress import ServiceProgress
from swarmsim.model import Service, ServiceMode, ServiceSpec, TaskState, UpdateState, UpdateStatus
from swarmsim.testing.builders import node, run_yaml, scenario, task, task_spec

NODES = {n: replace(node(n), id=f"{n}idxxxxxxxxxxxxxxxxxxxxxx") for n in ("node1", "node2", "node3")}
R, P = TaskState.RUNNING, TaskState.PENDING
FULL = "running   [==================================================>]"
EMPTY = "running   [>                                                  ]"


def service(replicas: int = 2, mode: ServiceMode = ServiceMode.REPLICATED, status: UpdateStatus | None = None):
    return Service(id="s1", spec=ServiceSpec(name="s1", task=task_spec(), mode=mode, replicas=replicas), version=1,
                   update_status=status)


def at(slot: int, on: str | None = "node1", state=R, desired=R, err: str = ""):
    return task("s1", slot=slot, node=on, state=state, desired=desired, err=err)


def test_each_slot_has_a_bar_for_its_state_and_the_unplaceable_one_the_schedulers_error():
    progress = ServiceProgress(["s1"])
    err = "no suitable node (insufficient resources on 3 nodes)"
    tasks = [at(1), at(2, state=TaskState.PREPARING), at(3, None, P, err=err)]
    assert progress.poll(service(3), tasks, NODES, 0.0) is None
    assert progress.output() == [
        "s1", "overall progress: 1 out of 3 tasks", f"1/3: {FULL}",
        "2/3: preparing [=================================>                 ]", f"3/3: {err}"]


def test_a_long_error_is_cut_at_75_characters():
    progress = ServiceProgress()
    err = "x" * 80
    progress.poll(service(1), [at(1, None, P, err=err)], NODES, 0.0)
    assert progress.output()[-1] == "1/1: " + "x" * 74 + "…"


def test_bars_are_empty_during_a_rollback():
    rolling = UpdateStatus(UpdateState.ROLLBACK_STARTED, "manually requested rollback")
    progress = ServiceProgress()
    progress.poll(service(2, status=rolling), [at(1), at(2, state=TaskState.STARTING)], NODES, 0.0)
    assert progress.output() == ["rollback: manually requested rollback",
                                 "overall progress: rolling back update: 1 out of 2 tasks", f"1/2: {EMPTY}",
                                 "2/2: starting  [=====>                                             ]"]


def test_a_global_service_has_one_line_per_node_named_by_its_truncated_id():
    progress = ServiceProgress()
    tasks = [task("s1", slot=0, node=n, state=R if n != "node3" else P) for n in NODES]
    progress.poll(service(mode=ServiceMode.GLOBAL), tasks, NODES, 0.0)
    assert progress.output() == ["overall progress: 2 out of 3 tasks", f"node1idxxxxx: {FULL}",
                                 f"node2idxxxxx: {FULL}", "node3idxxxxx: pending   [================>" + " " * 34 + "]"]


def test_a_global_service_without_tasks_yet_waits_for_them():
    progress = ServiceProgress()
    progress.poll(service(mode=ServiceMode.GLOBAL), [], NODES, 0.0)
    assert progress.output() == ["overall progress: waiting for new tasks"]


def test_no_bars_above_20_replicas():
    progress = ServiceProgress()
    progress.poll(service(21), [at(i) for i in range(1, 22)], NODES, 0.0)
    assert progress.output() == ["overall progress: 21 out of 21 tasks", "verify: Waiting 5 seconds to verify that "
                                 "tasks are stable..."]
    progress = ServiceProgress()
    progress.poll(service(20), [at(i) for i in range(1, 21)], NODES, 0.0)
    assert len(progress.output()) == 22


def test_verify_counts_down_the_monitor_then_says_converged():
    progress, tasks, seen = ServiceProgress(), [at(1), at(2)], []
    now = 0.0
    while (returned := progress.poll(service(), tasks, NODES, now)) is None:
        seen.append(progress.output()[-1])
        now = round(now + 0.2, 6)
    assert seen[0] == "verify: Waiting 5 seconds to verify that tasks are stable..."
    assert [s.split()[2] for s in seen] == ["5"] * 5 + ["4"] * 5 + ["3"] * 5 + ["2"] * 5 + ["1"] * 5
    assert returned == (True, ["overall progress: 2 out of 2 tasks", f"1/2: {FULL}", f"2/2: {FULL}",
                               "verify: Service converged"])
    assert now == 5.0


def test_a_task_that_stops_during_verify_is_a_detected_failure():
    progress = ServiceProgress()
    progress.poll(service(), [at(1), at(2)], NODES, 0.0)
    failed = at(2).copy(state=TaskState.FAILED, err="task: non-zero exit (1)")
    assert progress.poll(service(), [at(1), failed], NODES, 1.0) is None
    assert progress.output()[-1] == "verify: Detected task failure"
    assert progress.output()[-2] == "2/2: task: non-zero exit (1)"


def test_a_paused_update_ends_the_wait_with_its_message():
    paused = UpdateStatus(UpdateState.PAUSED, "update paused due to failure or early termination of task t9")
    assert ServiceProgress(["web"]).poll(service(status=paused), [], NODES, 0.0) == (
        False, ["web", "service update paused: update paused due to failure or early termination of task t9"])


def test_the_simulated_cli_shows_the_pending_tasks_error():
    trace = run_yaml(scenario("run: docker service create --name big --replicas 4 --reserve-memory 1500MiB nginx",
                              cluster="{managers: 1, workers: 2, memory: 2GiB}"))
    output = trace.steps()[0]["output"].splitlines()
    assert output[1:3] == ["overall progress: 3 out of 4 tasks",
                           "1/4: no suitable node (insufficient resources on 3 nodes)"]


STATES = [TaskState.NEW, TaskState.PENDING, TaskState.ASSIGNED, TaskState.PREPARING, TaskState.RUNNING,
          TaskState.SHUTDOWN, TaskState.FAILED, TaskState.REMOVE]


@settings(max_examples=150, deadline=None)
@given(replicas=st.sampled_from([3, 20, 21, 40]), seed=st.integers(0, 2**32 - 1), polls=st.integers(1, 25))
def test_a_poll_told_only_the_changed_slots_shows_what_a_poll_of_every_task_shows(replicas, seed, polls):
    """The incremental view (`changed`: the tasks of the slots written since the last poll) and the full one
    print the same lines and return at the same poll, whatever the tasks do: new slots, several tasks in a
    slot, tasks leaving, a slot emptied."""
    rng = Random(seed)
    tasks: dict[str, object] = {}
    full, incremental = ServiceProgress(["s1"]), ServiceProgress(["s1"])
    svc = service(replicas)
    for i in range(polls):
        written: set[int] = set()
        for _ in range(rng.randrange(0, 2 * replicas)):
            slot = rng.randrange(1, replicas + 6)
            mine = [k for k, t in tasks.items() if t.slot == slot]
            if mine and rng.random() < 0.15:
                del tasks[rng.choice(mine)]
            elif mine and rng.random() < 0.6:
                k = rng.choice(mine)
                tasks[k] = tasks[k].copy(state=rng.choice(STATES), desired=rng.choice([R, R, TaskState.SHUTDOWN]))
            else:
                t = at(slot, rng.choice(["node1", "node2", None]), rng.choice(STATES))
                tasks[t.id] = t
            written.add(slot)
        everything = list(tasks.values())
        changed = {s: [t for t in everything if t.slot == s] for s in written}
        a = full.poll(svc, everything, NODES, i * 0.2)
        b = incremental.poll(svc, everything, NODES, i * 0.2, changed)
        assert a == b and full.output() == incremental.output()
        if a is not None:
            break
