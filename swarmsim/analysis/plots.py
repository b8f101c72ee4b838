"""Figures from traces: one function per figure, returning a matplotlib Figure.

A figure's work is bounded by the figure, not by the trace: time series are drawn in at most MAX_BINS
bins (requests) or MAX_POINTS points (running tasks: each bin's first, lowest, highest and last value,
what the pixels show), at most MAX_SERIES services (the largest; the rest summed as one grey line),
MAX_ROWS tasks, MAX_CLIENTS request panels (the rest summed into one) and MAX_MARKS labelled fault marks;
what was left out is said in the title or the legend. Today's examples stay under all of them.
"""
from __future__ import annotations

import math
import warnings
from bisect import bisect_left
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from . import metrics  # noqa: E402
from ..trace import Trace  # noqa: E402
from ..inputs import output_dir  # noqa: E402

MAX_BINS = 2000      # bins of a time series (a 9-inch figure at 110 dpi is 990 pixels wide)
MAX_POINTS = 4 * MAX_BINS  # points of a step line: first, lowest, highest and last of each bin
MAX_SERIES = 20      # services drawn one by one; the others summed as one line
MAX_ROWS = 100       # tasks in the task figure (in slot order; the title says how many were left out)
MAX_CLIENTS = 8      # request panels; past it the clients with fewest requests are summed into the last
MAX_MARKS = 50       # labelled fault and node-down marks; past it the rest are unlabelled lines
MAX_SPANS = 50       # update windows shaded one by one; past it those closer than a bin are merged
OTHERS = "#9a9a9a"


def _live_series(trace: Trace, only: set[str] | None = None) -> dict[str, list[tuple[float, int]]]:
    """running_on_live_nodes for every service (or those in `only`) in one pass over the trace."""
    down: set[str] = set()
    running: dict[tuple[str, str, int], str | None] = {}  # (service, task, gen) -> its node, while running
    on_node: dict[str | None, dict[str, int]] = {}  # node -> service -> its running tasks there
    live: dict[str, int] = {}  # service -> running tasks on nodes not marked down
    series: dict[str, list[tuple[float, int]]] = {}

    def note(service: str, t: float, task_event: bool) -> None:
        points, count = series.setdefault(service, []), live.get(service, 0)
        if points and points[-1][0] == t:
            points[-1] = (t, count)
        elif (points and points[-1][1] != count) or (not points and task_event):
            points.append((t, count))

    for e in trace.events:
        kind = e["kind"]
        if kind == "node":
            node = e["node"]
            if (e["status"] == "down") == (node in down):
                continue  # no change: the counts (and so the series) stay as they are
            sign = -1 if e["status"] == "down" else 1
            (down.add if sign < 0 else down.discard)(node)
            for service, n in on_node.get(node, {}).items():
                if n:
                    live[service] += sign * n
                    note(service, e["t"], False)
        elif kind in ("task", "deleted"):
            service = e["service"]
            if only is not None and service not in only:
                continue
            key = (service, e["task"], e["gen"])
            if key in running:
                node = running.pop(key)
                on_node[node][service] -= 1
                if node not in down:
                    live[service] -= 1
            if kind == "task" and e["state"] == "running":  # a deleted task is gone
                node = running[key] = e["node"]
                per = on_node.setdefault(node, {})
                per[service] = per.get(service, 0) + 1
                if node not in down:
                    live[service] = live.get(service, 0) + 1
            note(service, e["t"], kind == "task")
    return {service: points for service, points in series.items() if points}


def running_on_live_nodes(trace: Trace, service: str) -> list[tuple[float, int]]:
    """(t, running tasks of the service) at every change, leaving out tasks on a node marked down: the store
    keeps such a task `running` until its node reports again, but nothing runs there."""
    return _live_series(trace, {service}).get(service, [])


def _summed(many: list[list[tuple[float, int]]]) -> list[tuple[float, int]]:
    """The sum of step series (each 0 before its first point)."""
    deltas = sorted(((t, c - prev) for points in many for (t, c), prev in
                     zip(points, [0] + [c for _, c in points[:-1]])), key=lambda d: d[0])
    out: list[tuple[float, int]] = []
    total = 0
    for t, d in deltas:
        total += d
        if out and out[-1][0] == t:
            out[-1] = (t, total)
        else:
            out.append((t, total))
    return out


def _largest(series: dict[str, list[tuple[float, int]]], keep: int = MAX_SERIES) -> tuple[list[str], list[str]]:
    """The `keep` services of the highest peak (then by name), in name order, and the others."""
    if len(series) <= keep:
        return sorted(series), []
    ranked = sorted(series, key=lambda s: (-max(c for _, c in series[s]), s))
    return sorted(ranked[:keep]), sorted(ranked[keep:])


def _thinned(points: list[tuple[float, int]], start: float, end: float) -> list[tuple[float, int]]:
    """At most MAX_POINTS of a step series: of each of MAX_BINS bins its first, lowest, highest and last
    point, in order (what a line of MAX_BINS pixels shows of it)."""
    if len(points) <= MAX_POINTS:
        return points
    width = (end - start) / MAX_BINS or 1.0
    kept: list[int] = []
    first = 0
    for i in range(1, len(points) + 1):
        if i == len(points) or int((points[i][0] - start) / width) != int((points[first][0] - start) / width):
            chunk = range(first, i)
            low = min(chunk, key=lambda j: points[j][1])
            high = max(chunk, key=lambda j: points[j][1])
            kept.extend(sorted({first, low, high, i - 1}))
            first = i
    return [points[j] for j in kept]


def _step(ax, points, end, **style) -> None:
    start = points[0][0]
    times, counts = zip(*(_thinned(points, start, end) + [(end, points[-1][1])]))
    ax.step(times, counts, where="post", **style)


def _merged_windows(trace: Trace, end: float) -> list[tuple[float, float]]:
    """The update windows as (start, end); past MAX_SPANS of them, those less than a bin apart merged."""
    spans = sorted((w.started, w.ended or end) for w in metrics.updates(trace))
    if len(spans) <= MAX_SPANS:
        return spans
    gap = (end - (spans[0][0] if spans else 0)) / MAX_BINS
    merged: list[tuple[float, float]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + gap:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _shade_updates(ax, trace: Trace, end: float) -> None:
    for a, b in _merged_windows(trace, end):
        ax.axvspan(a, b, alpha=0.12, color="grey")


def _marks(ax, marks: list[tuple[float, str]], colour: str, linestyle: str, at: float, va: str) -> None:
    """A vertical line per mark, the first MAX_MARKS labelled; past them one unlabelled line per time."""
    for t, label in marks[:MAX_MARKS]:
        ax.axvline(t, color=colour, linestyle=linestyle, linewidth=1)
        ax.annotate(label, (t, at), xycoords=("data", "axes fraction"), rotation=90, va=va,
                    ha="right", fontsize="x-small", color=colour)
    rest = sorted({t for t, _ in marks[MAX_MARKS:]})
    if rest:
        if len(rest) > MAX_BINS:  # one a bin: they are lines of a pixel
            width = (rest[-1] - rest[0]) / MAX_BINS or 1.0
            rest = sorted({rest[0] + width * int((t - rest[0]) / width) for t in rest})
        ax.vlines(rest, 0, 1, transform=ax.get_xaxis_transform(), colors=colour, linestyles=linestyle,
                  linewidth=1)
        ax.annotate(f"+{len(marks) - MAX_MARKS} more", (rest[-1], at), xycoords=("data", "axes fraction"),
                    rotation=90, va=va, ha="left", fontsize="x-small", color=colour)


def _mark_faults(ax, trace: Trace) -> None:
    """Faults as red lines at their step, nodes marked down as grey dashes."""
    _marks(ax, [(e["t"], e["step"]) for e in trace.of_kind("step")
                if e["step"].startswith(("fail:", "partition:", "heal:"))], "tab:red", ":", 1, "top")
    _marks(ax, [(t, f"{node} down") for node, t in metrics.node_downs(trace)], "grey", "--", 0, "bottom")


def _tight(fig) -> None:
    """tight_layout, without its warning when the labels cannot fit (the figure is written as it is)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fig.tight_layout()


def _legend(ax, **options) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**options)


def _end(trace: Trace) -> float:
    return trace.events[-1]["t"] if trace.events else 1.0


def running_replicas(trace: Trace):
    """Running tasks of every service over time (not counting tasks on nodes marked down), update windows
    shaded, faults marked; past MAX_SERIES services the smaller ones summed as one grey line."""
    fig, ax = plt.subplots(figsize=(9, 4))
    end = _end(trace)
    series = _live_series(trace)
    shown, others = _largest(series)
    for service in shown:
        _step(ax, series[service], end, label=service)
    if others:
        _step(ax, _summed([series[s] for s in others]), end, color=OTHERS, label=f"{len(others)} others (summed)")
    _shade_updates(ax, trace, end)
    _mark_faults(ax, trace)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("running tasks")
    ax.set_title(f"{trace.header.get('scenario', '')}: running tasks (updates shaded)")
    _legend(ax, loc="best", fontsize="small")
    _tight(fig)
    return fig


def task_gantt(trace: Trace, service: str | None = None):
    """One bar per task, in slot order, from creation to its end: starting, running, and (grey) the time its
    node was marked down while the store still said running; the first MAX_ROWS tasks."""
    spans: dict[tuple[str, int], dict] = {}
    for e in metrics.task_lives(trace):
        if service is not None and e["service"] != service:
            continue
        span = spans.setdefault((e["task"], e["gen"]), {"start": e["t"], "running": None, "end": None, "node": None,
                                                        "order": (e["service"], e.get("slot") or 0, e["gen"])})
        span["node"] = e["node"] or span["node"]
        if e["state"] == "running" and span["running"] is None and e["kind"] == "task":
            span["running"] = e["t"]
        if (e["state"] in metrics.TERMINAL or e["kind"] == "deleted") and span["end"] is None:
            span["end"] = e["t"]  # a task deleted before it ended (its node removed) ends there
    downs: dict[str, list[float]] = {}
    for node, t in metrics.node_downs(trace):
        downs.setdefault(node, []).append(t)
    for times in downs.values():
        times.sort()
    end = _end(trace)
    rows = sorted(spans.items(), key=lambda kv: kv[1]["order"])
    total, rows = len(rows), rows[:MAX_ROWS]
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.28 * len(rows) + 1)))
    for i, ((task, gen), span) in enumerate(rows):
        stop = span["end"] or end
        ax.barh(i, (span["running"] or stop) - span["start"], left=span["start"], color="#f0c05a", height=0.7)
        if span["running"] is not None:
            times = downs.get(span["node"], [])
            j = bisect_left(times, span["running"])
            lost = times[j] if j < len(times) and times[j] < stop else stop
            ax.barh(i, lost - span["running"], left=span["running"], color="#4c8fd6", height=0.7)
            ax.barh(i, stop - lost, left=lost, color="#c8c8c8", height=0.7)
    ax.set_yticks(range(len(rows)), [f"{task} #{gen} ({span['node'] or '-'})" for (task, gen), span in rows],
                  fontsize="x-small")
    ax.invert_yaxis()
    _mark_faults(ax, trace)
    ax.set_xlabel("time (s)")
    title = "tasks: starting (yellow), running (blue), on a node marked down (grey)"
    if total > len(rows):
        title += f"\nthe first {len(rows):,} of {total:,} tasks"
    ax.set_title(title)
    _tight(fig)
    return fig


OUTCOME_COLOURS = {"ok": "#4c8fd6", "connection refused": "#e8a33d", "timeout": "#c0392b", "reset": "#8e44ad",
                   "dns": "#7f8c8d"}

_NICE = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def _bin_width(end: float) -> float:
    """1 s while that makes at most MAX_BINS bins, else the shortest round width that does."""
    for width in _NICE:
        if math.floor(end / width) + 1 <= MAX_BINS:
            return float(width)
    return float(math.ceil(end / (MAX_BINS - 1) / 86400) * 86400)


def _seconds(width: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if width >= size and width % size == 0:
            return f"{width / size:g} {unit}"
    return f"{width:g} s"


def request_outcomes(trace: Trace):
    """Per client (published port or target name), the requests sent each second stacked by outcome
    (docs/reference/trace.md), update windows shaded: where and how a configuration loses requests. A long
    trace is binned into at most MAX_BINS bins (the mean rate over each); past MAX_CLIENTS clients, those
    with the fewest requests are summed in the last panel."""
    end = _end(trace)
    width = _bin_width(end)
    bins = math.floor(end / width) + 1
    per: dict[object, dict[str, list[int]]] = {}
    sent: dict[object, int] = {}
    for e in trace.of_kind("request"):
        if "ok" in e:
            outcome = e["err"].split(":")[0] if e["err"] else "ok"
            client = e.get("target", e["port"])
            counts = per.setdefault(client, {}).setdefault(outcome, [0] * bins)
            counts[min(bins - 1, max(0, math.floor(e["t"] / width)))] += 1
            sent[client] = sent.get(client, 0) + 1
    panels = sorted(per.items(), key=lambda kv: str(kv[0]))
    if len(panels) > MAX_CLIENTS:
        ranked = sorted(per, key=lambda c: (-sent[c], str(c)))
        kept, rest = set(ranked[:MAX_CLIENTS - 1]), ranked[MAX_CLIENTS - 1:]
        summed: dict[str, list[int]] = {}
        for client in rest:
            for outcome, counts in per[client].items():
                into = summed.setdefault(outcome, [0] * bins)
                summed[outcome] = [a + b for a, b in zip(into, counts)]
        panels = [kv for kv in panels if kv[0] in kept] + [(f"{len(rest)} other clients (summed)", summed)]
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 2.2 * len(panels) + 0.6), sharex=True, squeeze=False)
    edges = [i * width for i in range(bins + 1)]
    for ax, (client, outcomes) in zip(axes[:, 0], panels):
        bottom = [0.0] * bins
        for outcome in [o for o in OUTCOME_COLOURS if o in outcomes]:
            heights = [n / width for n in outcomes[outcome]]
            lost = sum(outcomes[outcome]) if outcome != "ok" else None
            label = outcome if lost is None else f"{outcome} ({lost})"
            top = [b + h for b, h in zip(bottom, heights)]
            ax.stairs(top, edges, baseline=bottom, fill=True, label=label, color=OUTCOME_COLOURS[outcome])
            bottom = top
        _shade_updates(ax, trace, end)
        ax.set_ylabel("requests/s" if width == 1 else f"requests/s\n({_seconds(width)} mean)")
        ax.set_title(f"port {client}" if isinstance(client, int) else str(client), fontsize="small")
        _legend(ax, loc="lower left", fontsize="x-small")
    axes[-1, 0].set_xlabel("time (s)")
    fig.suptitle(f"{trace.header.get('scenario', '')}: request outcomes (updates shaded)")
    _tight(fig)
    return fig


def predicted_over_observed(predicted: Trace, observed: Trace):
    """Running tasks per service, the prediction dashed over the observation; past MAX_SERIES services the
    smaller ones summed as one grey pair."""
    fig, ax = plt.subplots(figsize=(9, 4))
    both = [(observed, "-", "observed", _live_series(observed)), (predicted, "--", "predicted", _live_series(predicted))]
    peaks = {}
    for _, _, _, series in both:
        for service, points in series.items():
            peaks[service] = max(peaks.get(service, 0), max(c for _, c in points))
    shown, others = _largest({s: [(0.0, c)] for s, c in peaks.items()})
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, service in enumerate(shown):
        for trace, style, what, series in both:
            if service in series:
                _step(ax, series[service], _end(trace), linestyle=style, color=colours[i % len(colours)],
                      label=f"{service} {what}")
    for trace, style, what, series in both:
        rest = [series[s] for s in others if s in series]
        if rest:
            _step(ax, _summed(rest), _end(trace), linestyle=style, color=OTHERS,
                  label=f"{len(others)} others {what} (summed)")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("running tasks")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"{observed.header.get('scenario', '')}: predicted (dashed) over observed")
    _legend(ax, loc="best", fontsize="small")
    _tight(fig)
    return fig


def _save(fig, path: Path, dpi: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fig.savefig(path, dpi=dpi)
    plt.close(fig)


def write_comparison(predicted: Trace, observed: Trace, directory: str | Path) -> Path:
    out = output_dir(directory, "report folder")
    fig = predicted_over_observed(predicted, observed)
    path = out / "predicted_over_observed.png"
    _save(fig, path, 110)
    return path


def write_report(trace: Trace, directory: str | Path) -> list[Path]:
    out = output_dir(directory, "report folder")
    written = []
    figures = [("running.png", running_replicas(trace)), ("tasks.png", task_gantt(trace))]
    if any("ok" in e for e in trace.of_kind("request")):
        figures.append(("requests.png", request_outcomes(trace)))
    for name, fig in figures:
        path = out / name
        _save(fig, path, 110)
        written.append(path)
    return written
