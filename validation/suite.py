"""The validation suite: every scenario simulated, replayed on a local real swarm, and compared.

    python -m validation.suite                      # all of SUITE (root: a local swarm per scenario)
    python -m validation.suite p1_spread k_health   # some of them
    python -m validation.suite --no-replay          # re-compare the observed traces already in results/

Per scenario, results/validation/NAME/ gets predicted.jsonl, observed.jsonl, replay.log, rows.json
and predicted_over_observed.png (running tasks per service, predicted dashed over observed). The table of all
rows and the `swarmsim calibrate` fit over every observed trace replace the generated section of
docs/validation.md (between BEGIN and END).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from dataclasses import fields
from datetime import date
from pathlib import Path

from swarmsim import metrics
from swarmsim.backend import SimBackend, run_scenario
from swarmsim.calibrate import fit
from swarmsim.compare import placement_agrees
from swarmsim.model.scenario import Timing
from swarmsim.scenario import load_scenario
from swarmsim.trace import Trace, read_trace

SUITE = ("p1_spread", "p2_preexisting_load", "p3_drain", "p4_scale", "p5_global_join", "p6_spread_pref",
         "p7_resources_pending", "p8_max_per_node", "d_rolling_stop_first", "e_rolling_start_first",
         "f_failing_update", "k_health_update", "h_node_failure", "i_restart_on_failure", "m_manager_quorum")
ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "validation" / "scenarios"
OUT = ROOT / "results" / "validation"
DOC = ROOT / "docs" / "validation.md"
OBSERVED = ROOT / "validation" / "observed"  # the last observed trace of each scenario, kept in git
BEGIN, END = "<!-- suite:begin -->", "<!-- suite:end -->"
TOLERANCE = 0.10            # a timing is "ok" within 10 % of the observed value
REPLAY_TIMEOUT = 900


# -- the two sides ---------------------------------------------------------------------------------------------

def simulate(name: str, out: Path) -> Trace:
    trace = run_scenario(load_scenario(SCENARIOS / f"{name}.yaml"), SimBackend())
    trace.write(out / "predicted.jsonl")
    return trace


def replay(name: str, out: Path) -> Trace | None:
    """`swarmsim replay` in its own process (it builds the local swarm and always tears it down)."""
    path = out / "observed.jsonl"
    path.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "swarmsim.cli", "replay", str(SCENARIOS / f"{name}.yaml"), "--trace", str(path)]
    with open(out / "replay.log", "w") as log:
        try:
            subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, timeout=REPLAY_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            from . import localswarm
            localswarm.down()
    if not path.exists():
        return None
    OBSERVED.mkdir(exist_ok=True)
    shutil.copyfile(path, OBSERVED / f"{name}.jsonl")
    return read_trace(path)


def last_observed(name: str, out: Path) -> Trace | None:
    """The observation of an earlier run: this machine's results/, else the one kept in git."""
    for path in (out / "observed.jsonl", OBSERVED / f"{name}.jsonl"):
        if path.exists():
            return read_trace(path)
    return None


# -- the quantities ---------------------------------------------------------------------------------------------

def _num(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, list):
        return " ".join(_num(x) for x in v) or "-"
    return f"{v:.2f}" if isinstance(v, float) else str(v)


def timing(quantity: str, p: float | None, o: float | None) -> dict:
    if p is None or o is None:
        return {"quantity": quantity, "predicted": _num(p), "observed": _num(o), "error": "-",
                "verdict": "-" if p is None and o is None else "MISSING"}
    rel = (p - o) / o if o else 0.0 if p == o else float("inf")
    return {"quantity": quantity, "predicted": _num(p), "observed": _num(o), "error": f"{p - o:+.2f} ({100 * rel:+.0f} %)",
            "verdict": "ok" if abs(rel) <= TOLERANCE else "MISS"}


def timeline(quantity: str, p: list[float], o: list[float]) -> dict:
    """Times of the same events in order; the worst one decides."""
    if len(p) != len(o) or not p:
        return {"quantity": quantity, "predicted": _num(p), "observed": _num(o), "error": "-",
                "verdict": "same" if p == o else f"DIFFERENT count ({len(p)} vs {len(o)})"}
    worst = max(zip(p, o), key=lambda po: abs(po[0] - po[1]) / max(po[1], 1e-9))
    row = timing(quantity, worst[0], worst[1])
    return {**row, "predicted": _num(p), "observed": _num(o), "error": "worst " + row["error"]}


def categorical(quantity: str, p, o) -> dict:
    return {"quantity": quantity, "predicted": str(p), "observed": str(o), "error": "-",
            "verdict": "same" if p == o else "DIFFERENT"}


def _placement(per_node: dict[str, int]) -> str:
    return " ".join(f"{n}:{c}" for n, c in sorted(per_node.items())) or "none"


def placement_rows(p: Trace, o: Trace) -> list[dict]:
    """Running tasks per service and node after every wait step (and at the end)."""
    rows = []
    p_steps, o_steps = {e["index"]: e for e in p.steps()}, {e["index"]: e for e in o.steps()}
    points = [(f"after step {i} ({e['step']})", e["t"], o_steps[i]["t"]) for i, e in sorted(p_steps.items())
              if e["step"].startswith("wait") and i in o_steps]
    if not p_steps or not p_steps[max(p_steps)]["step"].startswith("wait"):
        points.append(("at the end", None, None))
    for label, tp, to in points:
        # just before the step's time: events at that instant belong to the next step
        pp, oo = (metrics.placement(t, None if at is None else at - 1e-6) for t, at in ((p, tp), (o, to)))
        for service in sorted(set(pp) | set(oo)):
            a, b = pp.get(service, {}), oo.get(service, {})
            verdict = "equal" if a == b else "up to ties" if placement_agrees(a, b) else "DIFFERENT"
            rows.append({"quantity": f"placement {service} {label}", "predicted": _placement(a),
                         "observed": _placement(b), "error": "-", "verdict": verdict})
    return rows


def step_rows(p: Trace, o: Trace) -> list[dict]:
    """Outcome of every step either side failed; duration of every blocking step."""
    rows = []
    p_steps, o_steps = sorted(p.steps(), key=lambda e: e["index"]), {e["index"]: e for e in o.steps()}
    prev_p = prev_o = 0.0
    for e in p_steps:
        f = o_steps.get(e["index"])
        if f is None:
            rows.append(categorical(f"step {e['index']} ({e['step']})", "done", "not reached"))
            break
        if not (e["ok"] and f["ok"]):
            said = [(x["output"] or "").splitlines()[:1] for x in (e, f)]
            row = categorical(f"step {e['index']} ({e['step']}) outcome",
                              ("ok" if e["ok"] else "failed: " + " ".join(said[0])),
                              ("ok" if f["ok"] else "failed: " + " ".join(said[1])))
            if not (e["ok"] or f["ok"]) and row["verdict"] != "same":
                row["verdict"] = "both failed, other message"
            rows.append(row)
        text = e["step"]
        blocking = text == "wait: converged" or (text.startswith("run: docker service ") and " -d" not in text
                                                 and any(f" {v} " in text for v in ("create", "update", "scale",
                                                                                     "rollback")))
        if blocking:
            rows.append(timing(f"step {e['index']} ({text}) took", e["t"] - prev_p, f["t"] - prev_o))
        if text == "wait: converged":  # the same without the stability wait: when the last task started
            settled = [_last_start(t, a, b) for t, a, b in ((p, prev_p, e["t"]), (o, prev_o, f["t"]))]
            if None not in settled:
                rows.append(timing(f"step {e['index']}: last task running, s after step {e['index'] - 1}",
                                   settled[0] - prev_p, settled[1] - prev_o))
        prev_p, prev_o = e["t"], f["t"]
    return rows


def _last_start(trace: Trace, start: float, end: float) -> float | None:
    return max((e["t"] for e in trace.tasks() if start <= e["t"] <= end and e["state"] == "running"
                and e["desired"] == "running"), default=None)


def _pending_reasons(trace: Trace) -> dict[str, list[str]]:
    out: dict[str, set[str]] = {}
    for e in metrics.task_states_at(trace).values():
        if e["state"] == "pending" and e["desired"] == "running" and e.get("err"):
            out.setdefault(e["service"], set()).add(e["err"])
    return {s: sorted(v) for s, v in out.items()}


def slot_times(trace: Trace, service: str, start: float, end: float | None) -> dict[str, list[float]]:
    """When, after the update started, each old task stopped and each new task ran, in order.

    Old: tasks that existed before the start and stopped (not desired running) inside the window;
    new: tasks first seen inside the window that ran there.
    """
    first: dict[tuple[str, int], float] = {}
    stopped: dict[tuple[str, int], float] = {}
    ran: dict[tuple[str, int], float] = {}
    for e in trace.tasks():
        if e["service"] != service:
            continue
        key = (e["task"], e["gen"])
        first.setdefault(key, e["t"])
        if e["t"] < start - 1e-6 or (end is not None and e["t"] > end):
            continue
        if first[key] < start - 1e-6 and e["state"] in metrics.TERMINAL and e["desired"] != "running":
            stopped.setdefault(key, e["t"] - start)
        if first[key] >= start - 1e-6 and e["state"] == "running" and e["desired"] == "running":
            ran.setdefault(key, e["t"] - start)
    return {"old stopped": sorted(stopped.values()), "new running": sorted(ran.values())}


def update_rows(p: Trace, o: Trace) -> list[dict]:
    rows = []
    for service in sorted({w.service for w in metrics.updates(p)} | {w.service for w in metrics.updates(o)}):
        pw = [w for w in metrics.updates(p) if w.service == service]
        ow = [w for w in metrics.updates(o) if w.service == service]
        for k, (a, b) in enumerate(zip(pw, ow), 1):
            rows.append(categorical(f"update {service} #{k} outcome", a.outcome, b.outcome))
            rows.append(timing(f"update {service} #{k} duration", a.duration, b.duration))
            sa, sb = slot_times(p, service, a.started, a.ended), slot_times(o, service, b.started, b.ended)
            for key in ("old stopped", "new running"):
                rows.append(timeline(f"update {service} #{k} slots: {key} (s after start)", sa[key], sb[key]))
        if len(pw) != len(ow):
            rows.append(categorical(f"updates of {service}", len(pw), len(ow)))
    return rows


def failure_rows(p: Trace, o: Trace) -> list[dict]:
    """Node downs and recoveries after a fault step; task failures (restart attempts) per service."""
    rows = []

    def since_fault(trace: Trace, node: str, t: float) -> float:
        hit = [e["t"] for e in trace.steps() if e["step"].startswith(f"fail: {node} ") and e["t"] <= t]
        return t - max(hit) if hit else t
    p_rec, o_rec = metrics.recovery(p), metrics.recovery(o)
    for a, b in zip(p_rec, o_rec):
        rows.append(categorical("node marked down", a["node"], b["node"]))
        rows.append(timing(f"{a['node']} down, s after its fault", since_fault(p, a["node"], a["down"]),
                           since_fault(o, b["node"], b["down"])))
        rows.append(timing(f"{a['node']} down -> all replicas running", a["time_to_recover"], b["time_to_recover"]))
    if len(p_rec) != len(o_rec):
        rows.append(categorical("nodes marked down", [r["node"] for r in p_rec], [r["node"] for r in o_rec]))
    services = sorted({e["service"] for t in (p, o) for e in t.tasks() if e["state"] == "failed"})
    for service in services:
        pf, of = (sorted(metrics.first_times(t, service, "failed").values()) for t in (p, o))
        rows.append(timeline(f"{service} task failures at (s)", pf[:8], of[:8]) if len(pf) == len(of)
                    else categorical(f"{service} task failures", len(pf), len(of)))
    p_pend, o_pend = _pending_reasons(p), _pending_reasons(o)
    for service in sorted(set(p_pend) | set(o_pend)):
        rows.append(categorical(f"{service} pending reason", "; ".join(p_pend.get(service, [])) or "-",
                                "; ".join(o_pend.get(service, [])) or "-"))
    return rows


def compare_traces(p: Trace, o: Trace) -> list[dict]:
    return placement_rows(p, o) + step_rows(p, o) + update_rows(p, o) + failure_rows(p, o)


# -- output -------------------------------------------------------------------------------------------------------

def plot(p: Trace, o: Trace, out: Path) -> None:
    """Running tasks over time, predicted dashed over observed (swarmsim compare --report)."""
    from swarmsim.plots import write_comparison
    write_comparison(p, o, out)


def calibration(observed: list[Trace]) -> list[str]:
    fitted, counts = fit(observed)
    base = Timing()
    lines = ["| constant | fitted (fastest tenth) | default |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {getattr(fitted, f.name)} | {getattr(base, f.name)} |" for f in fields(Timing)
              if getattr(fitted, f.name) != getattr(base, f.name) or f.name in ("accept", "container_create",
                                                                                 "container_start", "stop_exit")]
    return lines + ["", "Observations: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + "."]


def section(results: dict[str, list[dict] | str], observed: list[Trace]) -> str:
    docker = next((t.header.get("docker") for t in observed if t.header.get("docker")), "?")
    lines = [BEGIN, "## Suite results (generated)", "",
             f"`make validate` (`python -m validation.suite`), {date.today()}: each scenario of "
             "`validation/scenarios/` simulated with the seed in its file and replayed on a local swarm of as many "
             f"nodes (docker {docker}, all nodes sharing this host's CPUs); traces and plots in "
             "`results/validation/NAME/`. Placement is running tasks per node (`equal`, `up to ties`: the same "
             "counts on other equal nodes, or `DIFFERENT`); a timing is `ok` within 10 % of the observed value "
             "(timelines: the worst event decides). Observed values are one run each.", "",
             "| scenario | quantity | predicted | observed | error | verdict |", "|---|---|---|---|---|---|"]
    for name, rows in results.items():
        if isinstance(rows, str):
            lines.append(f"| {name} | replay | - | {rows} | - | NOT RUN |")
        for r in rows if isinstance(rows, list) else []:
            cells = [name] + [str(r[k]).replace("|", "\\|") for k in ("quantity", "predicted", "observed", "error",
                                                                      "verdict")]
            lines.append("| " + " | ".join(cells) + " |")
    if observed:
        lines += ["", "### `swarmsim calibrate` over the observed traces", ""] + calibration(observed)
    return "\n".join(lines + [END])


def write_doc(text: str, doc: Path = DOC) -> None:
    old = doc.read_text()
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        new = head + text + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    doc.write_text(new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m validation.suite", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="SCENARIO", help=f"default: all of {', '.join(SUITE)}")
    parser.add_argument("--no-replay", action="store_true", help="use the observed traces already in results/")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/validation.md")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if not (SCENARIOS / f"{n}.yaml").exists()]
    if unknown:
        parser.error(f"no such scenario: {', '.join(unknown)}")
    chosen = set(args.names or SUITE)
    results: dict[str, list[dict] | str] = {}
    for name in [n for n in SUITE if n in chosen] + sorted(chosen - set(SUITE)):
        out = OUT / name
        out.mkdir(parents=True, exist_ok=True)
        print(f"# {name}: simulating{'' if args.no_replay else ', replaying'}", flush=True)
        p = simulate(name, out)
        o = last_observed(name, out) if args.no_replay else replay(name, out)
        if o is None:
            results[name] = f"no observed trace (see results/validation/{name}/replay.log)"
            continue
        results[name] = rows = compare_traces(p, o)
        (out / "rows.json").write_text(json.dumps(rows, indent=1))
        plot(p, o, out)
        for r in rows:
            print(f"  {r['quantity']:<72} {r['predicted']:>24} {r['observed']:>24} {r['error']:>18}  {r['verdict']}")
        if not args.no_doc:  # after every scenario: partial results are kept
            write_doc(section(*with_earlier(results)))
    if not args.no_doc:
        print(f"Results written to {DOC.relative_to(ROOT)}")
    return 0


def with_earlier(results: dict[str, list[dict] | str]) -> tuple[dict[str, list[dict] | str], list[Trace]]:
    """These results, plus those of the suite's other scenarios from their last observed traces."""
    out, observed = {}, []
    for name in [*SUITE, *sorted(set(results) - set(SUITE))]:
        path = OUT / name / "observed.jsonl"
        if path.exists():
            observed.append(read_trace(path))
        if name in results:
            out[name] = results[name]
        elif path.exists() and (OUT / name / "rows.json").exists():
            out[name] = json.loads((OUT / name / "rows.json").read_text())
    return out, observed


if __name__ == "__main__":
    sys.exit(main())
