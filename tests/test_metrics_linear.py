"""The single-pass metrics against their definitions, computed the slow way (every count summed
again at every event), on every example's and validation scenario's trace."""
from __future__ import annotations

from pathlib import Path

import pytest

from swarmsim.analysis import metrics
from swarmsim.backend import SimBackend, run_scenario
from swarmsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(p.relative_to(ROOT).as_posix()
                   for p in [*ROOT.glob("examples/*.yaml"), *ROOT.glob("validation/scenarios/*.yaml")])


def running_by_definition(trace, service):
    running, series = {}, []
    for e in trace.tasks():
        if e["service"] != service:
            continue
        running[(e["task"], e["gen"])] = e["state"] == "running"
        count = sum(running.values())
        if series and series[-1][0] == e["t"]:
            series[-1] = (e["t"], count)
        elif not series or series[-1][1] != count:
            series.append((e["t"], count))
    return series


def recovery_by_definition(trace):
    state, series = {}, []
    for e in trace.tasks():
        state[(e["task"], e["gen"])] = e
        counts = {}
        for task in state.values():
            if task["state"] == "running" and task["desired"] == "running":
                counts[task["service"]] = counts.get(task["service"], 0) + 1
        series.append((e["t"], counts))
    out = []
    for node, down in metrics.node_downs(trace):
        wanted = metrics.desired_replicas(trace, down)
        def ok(counts):
            return all(counts.get(s, 0) >= n for s, n in wanted.items())
        back = next((t for t, counts in series if t >= down and ok(counts)), None)
        if back is None and all(t < down for t, _ in series) and ok(series[-1][1] if series else {}):
            back = down  # nothing changed after the down, and all ran
        out.append({"node": node, "down": down, "recovered": back,
                    "time_to_recover": None if back is None else back - down})
    return out, series


@pytest.mark.parametrize("relative", SCENARIOS)
def test_metrics_match_their_definitions(relative):
    trace = run_scenario(load_scenario(ROOT / relative), SimBackend())
    services = sorted({e["service"] for e in trace.tasks()})
    for service in services:
        series = running_by_definition(trace, service)
        assert metrics.running_over_time(trace, service) == series
        assert metrics.duplicates(trace, service) == [
            (t, max(0, count - metrics.desired_replicas(trace, t).get(service, 0))) for t, count in series]
    recovered, wanted_series = recovery_by_definition(trace)
    assert metrics.recovery(trace) == recovered
    assert metrics.running_wanted_over_time(trace) == wanted_series
    for u in metrics.summary(trace)["updates"]:
        end = u["started"] + (u["duration"] or 0)
        assert u["min_running"] == metrics.min_running(trace, u["service"], u["started"], end)
        assert u["replica_seconds_lost"] == metrics.replica_seconds_lost(trace, u["service"], u["started"], end)


def test_some_scenario_has_a_fault_and_an_update():
    """The comparison above covers recovery and the update windows, not only empty lists."""
    traces = [run_scenario(load_scenario(ROOT / r), SimBackend()) for r in
              ("examples/node-failure.yaml", "examples/failed-update.yaml")]
    assert metrics.recovery(traces[0]) and metrics.updates(traces[1])
