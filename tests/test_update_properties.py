"""Properties of rolling updates over random configurations (swarmkit updater.go).

Each example simulates a service, then updates its image with random
parallelism, delay and order, and checks the trace.
"""
from __future__ import annotations

import math

from hypothesis import given, settings, strategies as st

from swarmsim.analysis import metrics
from swarmsim.backend import SimBackend, run_scenario
from swarmsim.scenario import loads_scenario


def _scenario(nodes: int, replicas: int, parallelism: int, delay: float, order: str, seed: int,
              extra_steps: str = "", images: str = "") -> str:
    return f"""
version: 1
name: update-property
seed: {seed}
cluster: {{managers: 1, workers: {nodes - 1}}}
{images}
services:
  app:
    image: app:1
    deploy:
      replicas: {replicas}
      update_config: {{parallelism: {parallelism}, delay: {delay}s, order: {order}}}
steps:
  - wait: converged
  - run: docker service update --image app:2 app
  - wait: converged
{extra_steps}
"""


def _run(text: str):
    return run_scenario(loads_scenario(text), SimBackend())


def _slot_running_series(trace, service: str):
    """(t, slots with a running task, running tasks still desired running) after every task event."""
    state: dict[tuple[str, int], tuple[str, str]] = {}
    out = []
    for e in trace.tasks():
        if e["service"] != service:
            continue
        state[(e["task"], e["gen"])] = (e["state"], e["desired"])
        running = [(task, desired) for (task, _), (s, desired) in state.items() if s == "running"]
        wanted = sum(1 for _, desired in running if desired == "running")
        out.append((e["t"], len({task for task, _ in running}), wanted))
    return out


configs = st.tuples(st.integers(1, 4), st.integers(1, 7), st.integers(0, 3), st.sampled_from([0, 0.5, 2]),
                    st.integers(0, 10_000))


@settings(max_examples=25, deadline=None)
@given(configs)
def test_stop_first_takes_at_most_parallelism_slots_down(config):
    nodes, replicas, parallelism, delay, seed = config
    trace = _run(_scenario(nodes, replicas, parallelism, delay, "stop-first", seed))
    [window] = metrics.updates(trace)
    allowed = parallelism or replicas
    for t, slots_up, _ in _slot_running_series(trace, "app"):
        if window.started <= t <= window.ended:
            assert replicas - slots_up <= allowed, (t, slots_up)


@settings(max_examples=25, deadline=None)
@given(configs)
def test_start_first_never_runs_more_than_replicas_plus_parallelism(config):
    nodes, replicas, parallelism, delay, seed = config
    trace = _run(_scenario(nodes, replicas, parallelism, delay, "start-first", seed))
    limit = replicas + (parallelism or replicas)
    assert max(running for _, _, running in _slot_running_series(trace, "app")) <= limit


@settings(max_examples=25, deadline=None)
@given(configs, st.sampled_from(["stop-first", "start-first"]))
def test_duration_is_at_least_batches_times_delay(config, order):
    nodes, replicas, parallelism, delay, seed = config
    trace = _run(_scenario(nodes, replicas, parallelism, delay, order, seed))
    [window] = metrics.updates(trace)
    batches = math.ceil(replicas / (parallelism or replicas))
    assert window.outcome == "completed"
    assert window.duration >= batches * delay
    images = {e["image"] for e in metrics.task_states_at(trace).values() if e["state"] == "running"}
    assert images == {"app:2"}


@settings(max_examples=15, deadline=None)
@given(configs)
def test_rollback_restores_the_previous_image_on_every_slot(config):
    nodes, replicas, parallelism, delay, seed = config
    steps = "  - run: docker service rollback app\n  - wait: converged\n"
    trace = _run(_scenario(nodes, replicas, parallelism, delay, "stop-first", seed, steps))
    running = [e for e in metrics.task_states_at(trace).values() if e["state"] == "running"]
    assert len(running) == replicas
    assert {e["image"] for e in running} == {"app:1"}
    assert metrics.updates(trace)[-1].outcome == "rollback_completed"


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 4), st.integers(2, 6), st.integers(1, 2), st.integers(0, 10_000))
def test_a_paused_update_stays_paused(nodes, replicas, parallelism, seed):
    images = "images:\n  app:2: {exit_after: 1s, exit_code: 1}"
    text = _scenario(nodes, replicas, parallelism, 0, "stop-first", seed, images=images)
    text = text.replace("  - run: docker service update --image app:2 app\n  - wait: converged\n",
                        "  - run: docker service update -d --image app:2 app\n  - wait: 60s\n")
    trace = _run(text)
    states = [e["update_state"] for e in trace.of_kind("service") if e.get("update_state")]
    assert "paused" in states
    assert states[states.index("paused"):] == ["paused"]


def test_replica_seconds_lost_is_the_area_under_the_missing_replicas():
    trace = _run(_scenario(2, 4, 2, 1, "stop-first", 3))
    [window] = metrics.updates(trace)
    series = metrics.running_over_time(trace, "app")
    lost = metrics.replica_seconds_lost(trace, "app", window.started, window.ended)
    points = [(window.started, [c for t, c in series if t <= window.started][-1])]
    points += [(t, c) for t, c in series if window.started < t <= window.ended] + [(window.ended, None)]
    area = sum(max(0, 4 - c) * (t2 - t1) for (t1, c), (t2, _) in zip(points, points[1:]))
    assert lost == area > 0


def test_slot_replacements_pair_each_old_stop_with_the_new_task_of_the_same_slot():
    text = _scenario(2, 3, 1, 0, "stop-first", 5) + "  - run: docker service update --image app:3 app\n  - wait: converged\n"
    trace = _run(text)
    second = metrics.updates(trace)[1]
    rows = metrics.slot_replacements(trace, "app", second.started, second.ended)
    assert sorted(r["task"] for r in rows) == ["app.1", "app.2", "app.3"]
    assert all(r["old_stopped"] is not None and r["old_stopped"] < r["new_running"] for r in rows)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 8), st.integers(0, 10_000))
def test_slots_are_replaced_in_task_id_order_rotated(nodes, replicas, seed):
    """Reconcile fills a Go map from the store's task listing (by task ID) and ranges over it, and the
    updater replaces slots in that order: task-ID order, rotated (so in the 26 real updates of
    docs/measurements.md (m), e.g. IDs in slot order 5 2 4 1 3, replaced 1 3 5 2 4)."""
    backend = SimBackend()
    run_scenario(loads_scenario(_scenario(nodes, replicas, 1, 0, "stop-first", seed)), backend)
    tasks = backend.swarm.store.tasks.values()
    by_id = [t.slot for t in sorted((t for t in tasks if t.image == "app:1"), key=lambda t: t.id)]
    replaced = [t.slot for t in sorted((t for t in tasks if t.image == "app:2"), key=lambda t: t.created_at)]
    assert replaced in [by_id[i:] + by_id[:i] for i in range(replicas)]
