"""The quantities the validation suite compares, one table row each, and their merge over repeated runs.

A row keeps the raw predicted and observed values (`p`, `o`) beside their text, so that the rows of
several real runs of one scenario can be merged: timings against the median of the runs, categories
against the most frequent outcome, with the spread of the runs in the `runs` column. One real run is
one sample of a noisy system (per-slot times moved by 0.2-0.3 s between runs on this host); a verdict
against one run alone mistakes that noise for model error.
"""
from __future__ import annotations

from collections import Counter
from statistics import median

from swarmsim.analysis import metrics
from swarmsim.analysis import compare
from swarmsim.analysis.compare import placement_agrees
from swarmsim.trace import Trace

TOLERANCE = 0.10            # a timing is "ok" within 10 % of the observed value
IN_RANGE = "in range"       # further than that from the median of several runs, but between their extremes
RATE_TOLERANCE = 0.10       # a success rate is "ok" within 10 points of the observed one
REPORTED = "reported"       # shown, not judged: a real request's latency is mostly its client and server (rows below)
AGREE = ("equal", "up to ties", "same", "ok", IN_RANGE, "-", REPORTED)


def _num(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, list):
        return " ".join(_num(x) for x in v) or "-"
    return f"{v:.2f}" if isinstance(v, float) else str(v)


def timing(quantity: str, p: float | None, o: float | None) -> dict:
    row = {"quantity": quantity, "kind": "timing", "p": p, "o": o, "predicted": _num(p), "observed": _num(o)}
    if p is None or o is None:
        return {**row, "error": "-", "verdict": "-" if p is None and o is None else "MISSING"}
    rel = (p - o) / o if o else 0.0 if p == o else float("inf")
    return {**row, "error": f"{p - o:+.2f} ({100 * rel:+.0f} %)", "verdict": "ok" if abs(rel) <= TOLERANCE else "MISS"}


def timeline(quantity: str, p: list[float], o: list[float]) -> dict:
    """Times of the same events in order; the worst one decides."""
    row = {"quantity": quantity, "kind": "timeline", "p": p, "o": o, "predicted": _num(p), "observed": _num(o)}
    if len(p) != len(o) or not p:
        return {**row, "error": "-", "verdict": "same" if p == o else f"DIFFERENT count ({len(p)} vs {len(o)})"}
    worst = max(zip(p, o), key=lambda po: abs(po[0] - po[1]) / max(po[1], 1e-9))
    one = timing(quantity, worst[0], worst[1])
    return {**row, "error": "worst " + one["error"], "verdict": one["verdict"]}


def categorical(quantity: str, p, o) -> dict:
    return {"quantity": quantity, "kind": "categorical", "p": str(p), "o": str(o), "predicted": str(p),
            "observed": str(o), "error": "-", "verdict": "same" if p == o else "DIFFERENT"}


def rate(quantity: str, p: float | None, o: float | None) -> dict:
    """A success rate: ok within RATE_TOLERANCE (absolute: a few requests either way at 10 per second)."""
    row = {"quantity": quantity, "kind": "rate", "p": p, "o": o, "predicted": _pct(p), "observed": _pct(o)}
    if p is None or o is None:
        return {**row, "error": "-", "verdict": "-" if p is None and o is None else "MISSING"}
    return {**row, "error": f"{100 * (p - o):+.1f} points", "verdict": "ok" if abs(p - o) <= RATE_TOLERANCE else "MISS"}


def latency(quantity: str, p: float | None, o: float | None) -> dict:
    """A request latency (ms): the difference is shown, not judged. The observed request includes this host's
    client thread and the container's fork of a shell per connection (a few ms); the model has only the network
    hops (validation/hops.py measures those alone)."""
    row = timing(quantity, p, o)
    return {**row, "kind": "latency", "verdict": REPORTED if row["verdict"] in ("ok", "MISS") else row["verdict"]}


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f} %"


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
            rows.append({"quantity": f"placement {service} {label}", "kind": "placement", "p": _placement(a),
                         "o": _placement(b), "predicted": _placement(a), "observed": _placement(b), "error": "-",
                         "verdict": verdict})
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
    p_all, o_all = metrics.updates(p), metrics.updates(o)
    for service in sorted({w.service for w in p_all} | {w.service for w in o_all}):
        pw = [w for w in p_all if w.service == service]
        ow = [w for w in o_all if w.service == service]
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
    """Node downs and recoveries after a fault step; task failures and completions (restart attempts) per
    service."""
    rows = []

    def since_fault(trace: Trace, node: str, t: float) -> float:
        """Time since the last fault that could have cut the node off: its own failure, or a partition."""
        hit = [e["t"] for e in trace.steps() if e["t"] <= t and (e["step"].startswith(f"fail: {node} ")
                                                                 or e["step"].startswith("partition:"))]
        return t - max(hit) if hit else t
    p_rec, o_rec = metrics.recovery(p), metrics.recovery(o)
    for a, b in zip(p_rec, o_rec):
        rows.append(categorical("node marked down", a["node"], b["node"]))
        rows.append(timing(f"{a['node']} down, s after its fault", since_fault(p, a["node"], a["down"]),
                           since_fault(o, b["node"], b["down"])))
        rows.append(timing(f"{a['node']} down -> all replicas running", a["time_to_recover"], b["time_to_recover"]))
    if len(p_rec) != len(o_rec):
        rows.append(categorical("nodes marked down", [r["node"] for r in p_rec], [r["node"] for r in o_rec]))
    for state, label in (("failed", "failures"), ("complete", "completions")):
        for service in sorted({e["service"] for t in (p, o) for e in t.tasks() if e["state"] == state}):
            pf, of = (sorted(metrics.first_times(t, service, state).values()) for t in (p, o))
            rows.append(timeline(f"{service} task {label} at (s)", pf[:8], of[:8]))
    p_pend, o_pend = _pending_reasons(p), _pending_reasons(o)
    for service in sorted(set(p_pend) | set(o_pend)):
        rows.append(categorical(f"{service} pending reason", "; ".join(p_pend.get(service, [])) or "-",
                                "; ".join(o_pend.get(service, [])) or "-"))
    return rows


def _job_completions(trace: Trace) -> dict[str, tuple[float, list[float]]]:
    """Per job (a service whose tasks are desired complete): the start of the step that created it and when
    its tasks completed."""
    starts, prev = {}, 0.0
    for e in sorted(trace.steps(), key=lambda e: e["index"]):
        words = e["step"].split()
        if words[:4] == ["run:", "docker", "service", "create"] and "--name" in words:
            starts[words[words.index("--name") + 1]] = prev
        prev = e["t"]
    done: dict[str, list[float]] = {}
    for e in trace.tasks():
        if e["desired"] == "complete" and e["state"] == "complete" and e["service"] in starts:
            done.setdefault(e["service"], []).append(e["t"])
    return {name: (starts[name], sorted(times)) for name, times in done.items()}


def job_rows(p: Trace, o: Trace) -> list[dict]:
    """A job's completion time: its last task complete, after the step that created it started (each task's
    completion is in failure_rows' task completions)."""
    rows = []
    p_jobs, o_jobs = _job_completions(p), _job_completions(o)
    for name in sorted(set(p_jobs) | set(o_jobs)):
        (ps, pt), (os_, ot) = p_jobs.get(name, (0.0, [])), o_jobs.get(name, (0.0, []))
        if pt and ot:
            rows.append(timing(f"job {name}: last task complete, s after its create step", pt[-1] - ps, ot[-1] - os_))
    return rows


def request_rows(p: Trace, o: Trace) -> list[dict]:
    """Per client and window (before, during, after the update or fault): success rate and the median and
    90th percentile latency of the answered requests (ms)."""
    rows = []
    for r in compare.request_windows(p, o):
        label = f"requests {r['client']} {r['window']}"
        rows.append(rate(f"{label}: success rate", r["success_rate"]["predicted"], r["success_rate"]["observed"]))
        for q in ("p50", "p90"):
            a, b = (r[q][side] for side in ("predicted", "observed"))
            rows.append(latency(f"{label}: {q} latency (ms)", None if a is None else 1000 * a,
                                None if b is None else 1000 * b))
    return rows


def compare_traces(p: Trace, o: Trace) -> list[dict]:
    return placement_rows(p, o) + step_rows(p, o) + update_rows(p, o) + failure_rows(p, o) + job_rows(p, o) + \
        request_rows(p, o)


# -- several runs -------------------------------------------------------------------------------------------------

def merge_runs(runs: list[list[dict]]) -> list[dict]:
    """One row per quantity over the rows of several observed runs of the same prediction.

    Timings are judged against the median of the runs; timelines event by event against the median of
    the runs with as many events as predicted; categories and placements against the most frequent
    observation. A timing off the median by more than the tolerance but inside the range the real runs
    spanned is `in range`: the model is as close as the swarm is to itself. `runs` says how many runs
    had the quantity and how far apart they were.
    """
    if len(runs) == 1:
        return [{**r, "runs": "1"} for r in runs[0]]
    order: dict[str, list[dict]] = {}
    for rows in runs:
        for r in rows:
            order.setdefault(r["quantity"], []).append(r)
    return [_merge(same) for same in order.values()]


def _merge(same: list[dict]) -> dict:
    first, n = same[0], len(same)
    q, p, kind = first["quantity"], first["p"], first.get("kind")
    if kind in ("timing", "rate", "latency"):
        seen = [r["o"] for r in same if r["o"] is not None]
        row = {"timing": timing, "rate": rate, "latency": latency}[kind](q, p, median(seen) if seen else None)
        if row["verdict"] == "MISS" and min(seen) <= p <= max(seen):
            row["verdict"] = IN_RANGE
        return {**row, "runs": f"{len(seen)}: {min(seen):.2f}-{max(seen):.2f}" if seen else str(n)}
    if kind == "timeline":
        full = [r["o"] for r in same if len(r["o"]) == len(p)]
        if full and p:
            columns = list(zip(*full))
            row = timeline(q, p, [median(c) for c in columns])
            if row["verdict"] == "MISS" and all(min(c) <= x <= max(c) or abs(x - median(c)) <= TOLERANCE * median(c)
                                                for x, c in zip(p, columns)):
                row["verdict"] = IN_RANGE
            spread = max(max(c) - min(c) for c in columns)
            return {**row, "runs": f"{len(full)}/{n}, spread {spread:.2f}"}
    counts = Counter(r["observed"] for r in same)
    common, k = counts.most_common(1)[0]
    row = next(r for r in same if r["observed"] == common)
    return {**row, "runs": f"{k}/{n} alike"}
