"""The simulator's timelines against a real swarm's (docs/measurements.md, docs/validation.md).

Each experiment of validation/measure.py has a scenario in validation/scenarios/ that replays
it. Every quantity below is computed the same way from the simulated trace and from the raw
measurements in validation/measurements/*.json, and the prediction must lie within 10 % of the
measured median (0.3 s for sub-second quantities), so the calibration cannot silently regress.
`python tests/test_calibration.py` prints the predicted-vs-observed table.
"""
from __future__ import annotations

import json
import statistics
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import pytest

from swarmsim.analysis import metrics
from swarmsim.backend import SimBackend, run_scenario
from swarmsim.scenario import load_scenario
from swarmsim.trace import Trace

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "validation" / "scenarios"
MEASURED = ROOT / "validation" / "measurements"
SEEDS = (1, 2, 3)
# Where a random draw decides the outcome (kill -> down is a random phase; which slot an update or rollback
# replaces first, a Go map's order): compare the distributions' medians.
DRAW_SEEDS = tuple(range(1, 31))


# -- the simulated side ---------------------------------------------------------------------------------------------

@cache
def simulate(name: str, seed: int) -> Trace:
    from dataclasses import replace
    return run_scenario(replace(load_scenario(SCENARIOS / f"{name}.yaml"), seed=seed), SimBackend())


def lives(trace: Trace) -> dict[tuple[str, int], dict]:
    """Per (task, gen): service, slot, first time in each state, and when its desired state left running."""
    out: dict[tuple[str, int], dict] = {}
    for e in trace.tasks():
        life = out.setdefault((e["task"], e["gen"]), {"service": e["service"], "slot": e["slot"], "created": e["t"]})
        life.setdefault(e["state"], e["t"])
        if e["desired"] in ("shutdown", "remove") and e["state"] in ("ready", "starting", "running"):
            life.setdefault("desired_off", e["t"])
    return out


def stopped(life: dict) -> float | None:
    return min((life[s] for s in ("complete", "shutdown", "failed") if s in life), default=None)


def step_times(trace: Trace) -> list[float]:
    return [e["t"] for e in sorted(trace.steps(), key=lambda e: e["index"])]


def sim_updates(trace: Trace, name: str) -> list[dict]:
    """Per rolling update: its duration, when the CLI returned, and each replaced slot (relative to its start)."""
    life, steps = lives(trace), step_times(trace)
    cli = [e for e in trace.steps() if e["step"].startswith("run: docker service update")]
    out = []
    for window, step in zip([w for w in metrics.updates(trace) if w.service == name], cli):
        t0 = window.started
        slots = []
        for (task, gen), new in sorted(life.items(), key=lambda kv: kv[1]["created"]):
            if gen > 1 and t0 - 0.01 <= new["created"] <= window.ended:
                old = life[(task, gen - 1)]
                slots.append({"old_desired_shutdown": old["desired_off"] - t0, "old_stopped": stopped(old) - t0,
                              "new_created": new["created"] - t0, "new_running": new["running"] - t0})
        out.append({"duration": window.duration, "cli_returned": step["t"] - t0, "slots": slots})
    assert len(steps) >= len(out)
    return out


# -- the measured side ----------------------------------------------------------------------------------------------

def swarm_time(stamp: str) -> float:
    """RFC 3339 with nanoseconds, as the Engine API returns it -> epoch seconds."""
    whole, _, frac = stamp.rstrip("Z").partition(".")
    base = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    return base + (float("0." + frac) if frac else 0.0)


@cache
def measured(name: str) -> dict:
    return json.loads((MEASURED / f"{name}.json").read_text())


def measured_remove_stops() -> list[float]:
    """(a): desired remove -> shutdown of the single task on `service rm` (first observation of each)."""
    out = []
    for rec in measured("a_single_start")["raw"]["tasks"].values():
        off = next((swarm_time(o["updated"]) for o in rec["obs"] if o["desired"] == "remove"
                    and o["state"] == "running"), None)
        end = next((swarm_time(o["ts"]) for o in rec["obs"] if o["state"] == "shutdown"), None)
        if off and end:
            out.append(end - off)
    return out


# -- the quantities -----------------------------------------------------------------------------------------------

def med(values) -> float:
    return statistics.median(list(values))


def sim_med(name: str, per_trace, seeds=SEEDS) -> float:
    return med(v for seed in seeds for v in per_trace(simulate(name, seed)))


def a_quantities():
    obs = measured("a_single_start")["summary"]["stats"]
    for key in ("pending->assigned", "assigned->preparing", "preparing->starting", "starting->running",
                "created->running"):
        a, b = key.split("->")
        yield key, sim_med("a_single_start", lambda tr: [l[b] - l[a if a != "created" else "created"]
                                                         for l in lives(tr).values()]), \
            [r[key] for r in measured("a_single_start")["summary"]["runs"]]
        assert obs[key]["n"] == 5
    yield "rm: desired remove->shutdown", sim_med(
        "a_single_start", lambda tr: [stopped(l) - l["desired_off"] for l in lives(tr).values()]), \
        measured_remove_stops()


def b_quantities():
    summary = measured("b_concurrent_start")["summary"]
    for replicas in ("4", "8", "12"):
        def per_trace(tr, r=replicas):
            return [l["running"] - l["created"] for l in lives(tr).values() if l["service"].startswith(f"b{r}_")]

        def last(tr, r=replicas):
            groups: dict[str, list] = {}
            for l in lives(tr).values():
                if l["service"].startswith(f"b{r}_"):
                    groups.setdefault(l["service"], []).append(l)
            return [max(l["running"] for l in g) - min(l["created"] for l in g) for g in groups.values()]
        obs = summary[replicas]
        yield f"{replicas} at once: created->running", sim_med("b_concurrent_start", per_trace), \
            obs["created->running"]
        yield f"{replicas} at once: all running after", sim_med("b_concurrent_start", last), obs["all_running_after"]


def c_quantities():
    summary = measured("c_stop")["summary"]
    for label in ("trap", "sleep_grace2s"):
        def per_trace(tr, label=label):
            by_service: dict[str, list] = {}
            for l in lives(tr).values():
                if l["service"].startswith(f"c_{label}_") and "desired_off" in l:
                    by_service.setdefault(l["service"], []).append(l)
            out = []
            for tasks in by_service.values():
                first = min(l["desired_off"] for l in tasks)  # the scale-down, before the rm
                out += [stopped(l) - l["desired_off"] for l in tasks if l["desired_off"] == first]
            return out
        yield f"{label}: scale-down desired->shutdown", sim_med("c_stop", per_trace), summary[label]["raw"]


def rolling_quantities(name: str):
    observed = measured(name)["summary"]["updates"]
    predicted = [sim_updates(simulate(name, seed), "roll") for seed in SEEDS]
    for i, obs in enumerate(observed):
        yield f"update {i + 1}: StartedAt->CompletedAt", med(p[i]["duration"] for p in predicted), \
            [obs["StartedAt->CompletedAt"]]
        yield f"update {i + 1}: CLI returned after StartedAt", med(p[i]["cli_returned"] for p in predicted), \
            [obs["cli_returned_after_StartedAt"]]
        yield f"update {i + 1}: last new task running", \
            med(max(s["new_running"] for s in p[i]["slots"]) for p in predicted), [obs["last_new_running"]]

    def per_slot(fn):
        return med(fn(s) for p in predicted for u in p for s in u["slots"]), \
            [fn(s) for u in observed for s in u["slots"]]
    yield "old desired shutdown->shutdown", *per_slot(lambda s: s["old_stopped"] - s["old_desired_shutdown"])
    yield "new created->running", *per_slot(lambda s: s["new_running"] - s["new_created"])
    if "stop_first" in name:
        yield "slot: old desired shutdown->new running", *per_slot(
            lambda s: s["new_running"] - s["old_desired_shutdown"])
        yield "old shutdown->new running", *per_slot(lambda s: s["new_running"] - s["old_stopped"])
    else:
        yield "new running->old desired shutdown", *per_slot(lambda s: s["old_desired_shutdown"] - s["new_running"])

        def gaps(slots):
            return [b["new_created"] - a["new_running"] for a, b in zip(slots, slots[1:])]
        yield "new running->next slot created", med(g for p in predicted for u in p for g in gaps(u["slots"])), \
            [g for u in observed for g in gaps(u["slots"])]


def f_quantities():
    summary = measured("f_failing_update")["summary"]
    for action, service, final in (("pause", "f_pause", "paused"), ("rollback", "f_rollback", "rollback_started")):
        log = summary[action]["update_status_log"]

        def status_times(tr, service=service):
            call = next(e["t"] for e in tr.steps() if e["step"].startswith("run: docker service update")
                        and e["step"].endswith(service))
            return call, {e["update_state"]: e["t"] - call for e in tr.of_kind("service")
                          if e["service"] == service and e["t"] >= call and e["update_state"]}
        for state in ("updating", final) + (("rollback_completed",) if action == "rollback" else ()):
            yield f"{action}: update call->{state}", \
                sim_med("f_failing_update", lambda tr, s=state: [status_times(tr)[1][s]], DRAW_SEEDS), \
                [r["t"] for r in log if r["state"] == state][:1]
        new = [t for t in summary[action]["tasks"] if t["created"] > 0 and t["running"] is not None
               and t["final"][0] == "failed"]

        def failing(tr, service=service):
            return [l for l in lives(tr).values() if l["service"] == service and "failed" in l]
        yield f"{action}: failing task running->failed", \
            sim_med("f_failing_update", lambda tr: [l["failed"] - l["running"] for l in failing(tr)]), \
            [t["stopped"] - t["running"] for t in new]
    restarts = [t for t in summary["pause"]["tasks"] if t["created"] > 3 and t["running"] is not None]
    yield "pause: restart created->running (delay 5 s)", sim_med("f_failing_update", lambda tr: [
        l["running"] - l["created"] for l in lives(tr).values()
        if l["service"] == "f_pause" and "ready" in l and "running" in l and l["created"] > 0
        and l["running"] - l["created"] > 5]), [t["running"] - t["created"] for t in restarts]


def h_quantities():
    runs = [measured(f"h_node_failure_r{r}")["summary"] for r in (1, 2, 3)]

    def kill(tr):
        return next(e["t"] for e in tr.steps() if e["step"].startswith("fail:"))

    def replacements(tr):
        return [l for l in lives(tr).values() if l["created"] > kill(tr) and "running" in l]
    yield "kill->node down", sim_med("h_node_failure", lambda tr: [
        t - kill(tr) for node, t in metrics.node_downs(tr)], DRAW_SEEDS), \
        [r["kill->node UpdatedAt of down"] for r in runs]
    yield "kill->replacement running", sim_med("h_node_failure", lambda tr: [
        l["running"] - kill(tr) for l in replacements(tr)], DRAW_SEEDS), \
        [v for r in runs for v in r["kill->replacement running"]]
    yield "replacement created->running", sim_med("h_node_failure", lambda tr: [
        l["running"] - l["created"] for l in replacements(tr)], DRAW_SEEDS), \
        [v for r in runs for v in r["replacement created->running"]]


def i_quantities():
    attempts = measured("i_restart_on_failure")["summary"]["attempts"]

    def sim_attempts(tr):
        return sorted((l for l in lives(tr).values() if l["service"] == "i"), key=lambda l: l["created"])
    yield "attempts (tasks created)", sim_med("i_restart_on_failure", lambda tr: [len(sim_attempts(tr))]), \
        [len(attempts)]
    yield "running->failed", sim_med("i_restart_on_failure", lambda tr: [
        a["failed"] - a["running"] for a in sim_attempts(tr)]), [a["failed"] - a["running"] for a in attempts]
    yield "restart created->running", sim_med("i_restart_on_failure", lambda tr: [
        a["running"] - a["created"] for a in sim_attempts(tr)[1:]]), \
        [a["running"] - a["created"] for a in attempts[1:]]
    yield "failed->next created", sim_med("i_restart_on_failure", lambda tr: [
        b["created"] - a["failed"] for a, b in zip(sim_attempts(tr), sim_attempts(tr)[1:])]), \
        [b["created"] - a["failed"] for a, b in zip(attempts, attempts[1:])]
    yield "failed->next running", sim_med("i_restart_on_failure", lambda tr: [
        b["running"] - a["failed"] for a, b in zip(sim_attempts(tr), sim_attempts(tr)[1:])]), \
        [b["running"] - a["failed"] for a, b in zip(attempts, attempts[1:])]


EXPERIMENTS = {
    "a single start": a_quantities,
    "b concurrent starts": b_quantities,
    "c stop": c_quantities,
    "d stop-first update": lambda: rolling_quantities("d_rolling_stop_first"),
    "e start-first update": lambda: rolling_quantities("e_rolling_start_first"),
    "f failing update": f_quantities,
    "h node failure": h_quantities,
    "i restart on-failure": i_quantities,
}


def rows() -> list[tuple[str, str, float, list[float], int]]:
    out = []
    for experiment, quantities in EXPERIMENTS.items():
        for quantity, predicted, observed in quantities():
            n = len(observed)
            if isinstance(observed, dict):  # a stats entry of a summary: median and range of n values
                n, observed = observed["n"], [observed["min"], observed["median"], observed["max"]]
            out.append((experiment, quantity, predicted, list(observed), n))
    return out


def tolerance(observed_median: float) -> float:
    return max(0.10 * abs(observed_median), 0.3 if abs(observed_median) < 1.0 else 0.0)


@cache
def all_rows():
    return rows()


#: Quantities the model misses by more than the tolerance, and why (docs/validation.md). Strict:
#: a fix that brings one within tolerance makes its test fail until it is taken off this list.
SLOW_SINGLE_RUN = ("measure.py's one run of this update was slower than every replay of the same scenario "
                   "(validation/observed, 5 runs each of d and e, 3 of f: a replacement's create+start took "
                   "0.45-0.75 s there against 0.9-1.5 s here); the latencies are fitted to the replays")
KNOWN_GAPS = {
    ("d stop-first update", "update 2: last new task running"): SLOW_SINGLE_RUN,
    ("d stop-first update", "new created->running"): SLOW_SINGLE_RUN,
    ("d stop-first update", "slot: old desired shutdown->new running"): SLOW_SINGLE_RUN,
    ("d stop-first update", "old shutdown->new running"): SLOW_SINGLE_RUN,
    ("e start-first update", "update 1: StartedAt->CompletedAt"): SLOW_SINGLE_RUN,
    ("e start-first update", "update 1: CLI returned after StartedAt"): SLOW_SINGLE_RUN,
    ("e start-first update", "update 1: last new task running"): SLOW_SINGLE_RUN,
    ("e start-first update", "update 2: StartedAt->CompletedAt"): SLOW_SINGLE_RUN,
    ("e start-first update", "update 2: CLI returned after StartedAt"): SLOW_SINGLE_RUN,
    ("e start-first update", "update 2: last new task running"): SLOW_SINGLE_RUN,
    ("e start-first update", "new created->running"): SLOW_SINGLE_RUN,
    ("f failing update", "pause: update call->paused"): SLOW_SINGLE_RUN,
    ("f failing update", "rollback: update call->rollback_started"): SLOW_SINGLE_RUN,
}


def _params():
    return [pytest.param(row, id=f"{row[0]}: {row[1]}",
                         marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[row[:2]])] if row[:2] in KNOWN_GAPS
                         else []) for row in all_rows()]


@pytest.mark.parametrize("row", _params())
def test_prediction_within_tolerance_of_measured_median(row):
    experiment, quantity, predicted, observed, _ = row
    observed_median = med(observed)
    assert abs(predicted - observed_median) <= tolerance(observed_median), \
        f"{experiment}: {quantity}: predicted {predicted:.3f}, observed median {observed_median:.3f}"


def test_known_gaps_name_real_rows():
    assert set(KNOWN_GAPS) <= {row[:2] for row in all_rows()}


def format_table() -> str:
    lines = []
    last = None
    for experiment, quantity, predicted, observed, n in all_rows():
        if experiment != last:
            lines += ["", f"### {experiment}", "", "| quantity | predicted | observed median (range, n) | error |",
                      "|---|---|---|---|"]
            last = experiment
        m = med(observed)
        rng = f"{min(observed):.2f}-{max(observed):.2f}, n={n}" if n > 1 else "n=1"
        err = predicted - m
        pct = f"{100 * err / m:+.0f} %" if m else "-"
        gap = " (known gap)" if (experiment, quantity) in KNOWN_GAPS else ""
        lines.append(f"| {quantity} | {predicted:.2f} | {m:.2f} ({rng}) | {err:+.2f} ({pct}){gap} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(format_table())
