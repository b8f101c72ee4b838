"""Prediction against observation: the same metrics from two traces, with errors.

Placement is compared up to the swarm's random tie-breaks: two placements agree
when they put the same numbers of tasks on nodes, whichever equal node got which.
"""
from __future__ import annotations

from . import metrics
from ..trace import Trace


def _error(predicted: float | None, observed: float | None) -> dict:
    if predicted is None or observed is None:
        return {"predicted": predicted, "observed": observed, "abs": None, "rel": None}
    diff = predicted - observed
    return {"predicted": predicted, "observed": observed, "abs": diff,
            "rel": diff / observed if observed else None}


def placement_agrees(predicted: dict[str, int], observed: dict[str, int]) -> bool:
    """Same per-node counts, up to which of the nodes got which count."""
    return sorted(predicted.values()) == sorted(observed.values())


def compare(predicted: Trace, observed: Trace) -> dict:
    p_place, o_place = metrics.placement(predicted), metrics.placement(observed)
    placement = {s: {"predicted": p_place.get(s, {}), "observed": o_place.get(s, {}),
                     "exact": p_place.get(s, {}) == o_place.get(s, {}),
                     "agrees": placement_agrees(p_place.get(s, {}), o_place.get(s, {}))}
                 for s in sorted(set(p_place) | set(o_place))}
    p_up, o_up = metrics.updates(predicted), metrics.updates(observed)
    updates = [{"service": p.service, "outcome": (p.outcome, o.outcome), **_error(p.duration, o.duration)}
               for p, o in zip(p_up, o_up)]
    p_steps = {e["index"]: e["t"] for e in predicted.of_kind("step")}
    o_steps = {e["index"]: e["t"] for e in observed.of_kind("step")}
    steps = [{"index": i, **_error(p_steps[i], o_steps.get(i))} for i in sorted(p_steps)]
    p_rec = {r["node"]: r for r in metrics.recovery(predicted)}
    o_rec = {r["node"]: r for r in metrics.recovery(observed)}
    recovery = [{"node": node, "down": _error(p_rec[node]["down"], o_rec[node]["down"]),
                 "time_to_recover": _error(p_rec[node]["time_to_recover"], o_rec[node]["time_to_recover"])}
                for node in sorted(set(p_rec) & set(o_rec))]
    return {"placement": placement, "updates": updates, "recovery": recovery, "steps": steps,
            "requests": request_windows(predicted, observed)}


def request_windows(predicted: Trace, observed: Trace) -> list[dict]:
    """Success rate and latency percentiles per client and window (before, during, after the disturbance),
    the windows taken from each trace's own disturbance, matched by their order."""
    p_rows = {(r["window"].split()[0], r["client"]): r for r in metrics.request_windows(predicted)}
    o_rows = {(r["window"].split()[0], r["client"]): r for r in metrics.request_windows(observed)}
    out = []
    for key in list(dict.fromkeys([*p_rows, *o_rows])):
        p, o = p_rows.get(key, {}), o_rows.get(key, {})
        out.append({"window": (p or o)["window"], "client": key[1], "count": (p.get("count"), o.get("count")),
                    "success_rate": _error(p.get("success_rate"), o.get("success_rate")),
                    **{q: _error(p.get(q), o.get(q)) for q in ("p50", "p90", "p99")}})
    return out


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{1000 * value:.1f}"


def format_comparison(result: dict) -> str:
    lines = ["Placement (running tasks per node):"]
    for service, row in result["placement"].items():
        verdict = "same" if row["exact"] else ("same up to ties" if row["agrees"] else "DIFFERENT")
        lines.append(f"  {service:<18} predicted {row['predicted']}  observed {row['observed']}  {verdict}")
    if result["updates"]:
        lines.append("Updates (duration, s):")
        for u in result["updates"]:
            rel = "-" if u["rel"] is None else f"{100 * u['rel']:+.1f}%"
            lines.append(f"  {u['service']:<18} predicted {_fmt(u['predicted'])}  observed {_fmt(u['observed'])}"
                         f"  error {_fmt(u['abs'])} ({rel})  outcome {u['outcome'][0]}/{u['outcome'][1]}")
    if result["recovery"]:
        lines.append("Node failures (s):")
        for r in result["recovery"]:
            down, back = r["down"], r["time_to_recover"]
            lines.append(f"  {r['node']:<18} down at predicted {_fmt(down['predicted'])} observed "
                         f"{_fmt(down['observed'])}; recovered after predicted {_fmt(back['predicted'])} "
                         f"observed {_fmt(back['observed'])}")
    if result["requests"]:
        lines.append("Requests (success rate; latency of the answered ones, ms: p50 / p90 / p99):")
        for r in result["requests"]:
            ok = r["success_rate"]
            lat = ["/".join(_ms(r[q][side]) for q in ("p50", "p90", "p99")) for side in ("predicted", "observed")]
            lines.append(f"  {r['window']:<24} {str(r['client']):<10} predicted {_pct(ok['predicted'])} of "
                         f"{r['count'][0] or 0} ({lat[0]})  observed {_pct(ok['observed'])} of {r['count'][1] or 0} "
                         f"({lat[1]})")
    lines.append("Step completion times (s):")
    for s in result["steps"]:
        lines.append(f"  step {s['index']:<3} predicted {_fmt(s['predicted'])}  observed {_fmt(s['observed'])}"
                     f"  error {_fmt(s['abs'])}")
    return "\n".join(lines)
