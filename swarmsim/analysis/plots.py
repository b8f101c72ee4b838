"""Figures from traces: one function per figure, returning a matplotlib Figure."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from . import metrics  # noqa: E402
from ..trace import Trace  # noqa: E402
from ..inputs import output_dir  # noqa: E402


def running_on_live_nodes(trace: Trace, service: str) -> list[tuple[float, int]]:
    """(t, running tasks of the service) at every change, leaving out tasks on a node marked down: the store
    keeps such a task `running` until its node reports again, but nothing runs there."""
    running: dict[tuple[str, int], str | None] = {}  # task -> its node, while it is running
    down: set[str] = set()
    series: list[tuple[float, int]] = []
    for e in trace.events:
        if e["kind"] == "node":
            (down.add if e["status"] == "down" else down.discard)(e["node"])
        elif e["kind"] in ("task", "deleted") and e["service"] == service:
            if e["kind"] == "task" and e["state"] == "running":  # a deleted task is gone
                running[(e["task"], e["gen"])] = e["node"]
            else:
                running.pop((e["task"], e["gen"]), None)
        else:
            continue
        count = sum(node not in down for node in running.values())
        if series and series[-1][0] == e["t"]:
            series[-1] = (e["t"], count)
        elif (series and series[-1][1] != count) or (not series and e["kind"] == "task"):
            series.append((e["t"], count))
    return series


def _mark_faults(ax, trace: Trace) -> None:
    """Faults as red lines at their step, nodes marked down as grey dashes."""
    for e in trace.of_kind("step"):
        if e["step"].startswith(("fail:", "partition:", "heal:")):
            ax.axvline(e["t"], color="tab:red", linestyle=":", linewidth=1)
            ax.annotate(e["step"], (e["t"], 1), xycoords=("data", "axes fraction"), rotation=90, va="top",
                        ha="right", fontsize="x-small", color="tab:red")
    for node, t in metrics.node_downs(trace):
        ax.axvline(t, color="grey", linestyle="--", linewidth=1)
        ax.annotate(f"{node} down", (t, 0), xycoords=("data", "axes fraction"), rotation=90, va="bottom",
                    ha="right", fontsize="x-small", color="grey")


def running_replicas(trace: Trace):
    """Running tasks of every service over time (not counting tasks on nodes marked down), update windows
    shaded, faults marked."""
    fig, ax = plt.subplots(figsize=(9, 4))
    services = sorted({e["service"] for e in trace.tasks()})
    end = trace.events[-1]["t"] if trace.events else 1.0
    for service in services:
        series = running_on_live_nodes(trace, service)
        if series:
            times, counts = zip(*(series + [(end, series[-1][1])]))
            ax.step(times, counts, where="post", label=service)
    for window in metrics.updates(trace):
        ax.axvspan(window.started, window.ended or end, alpha=0.12, color="grey")
    _mark_faults(ax, trace)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("running tasks")
    ax.set_title(f"{trace.header.get('scenario', '')}: running tasks (updates shaded)")
    if services:
        ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def task_gantt(trace: Trace, service: str | None = None):
    """One bar per task, in slot order, from creation to its end: starting, running, and (grey) the time its
    node was marked down while the store still said running."""
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
    downs = metrics.node_downs(trace)
    end = trace.events[-1]["t"] if trace.events else 1.0
    rows = sorted(spans.items(), key=lambda kv: kv[1]["order"])
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.28 * len(rows) + 1)))
    for i, ((task, gen), span) in enumerate(rows):
        stop = span["end"] or end
        ax.barh(i, (span["running"] or stop) - span["start"], left=span["start"], color="#f0c05a", height=0.7)
        if span["running"] is not None:
            lost = min((t for node, t in downs if node == span["node"] and span["running"] <= t < stop), default=stop)
            ax.barh(i, lost - span["running"], left=span["running"], color="#4c8fd6", height=0.7)
            ax.barh(i, stop - lost, left=lost, color="#c8c8c8", height=0.7)
    ax.set_yticks(range(len(rows)), [f"{task} #{gen} ({span['node'] or '-'})" for (task, gen), span in rows],
                  fontsize="x-small")
    ax.invert_yaxis()
    _mark_faults(ax, trace)
    ax.set_xlabel("time (s)")
    ax.set_title("tasks: starting (yellow), running (blue), on a node marked down (grey)")
    fig.tight_layout()
    return fig


OUTCOME_COLOURS = {"ok": "#4c8fd6", "connection refused": "#e8a33d", "timeout": "#c0392b", "reset": "#8e44ad",
                   "dns": "#7f8c8d"}


def request_outcomes(trace: Trace):
    """Per client (published port or target name), the requests sent each second stacked by outcome
    (docs/reference/trace.md), update windows shaded: where and how a configuration loses requests."""
    per: dict[object, dict[str, dict[int, int]]] = {}
    for e in trace.of_kind("request"):
        if "ok" in e:
            outcome = e["err"].split(":")[0] if e["err"] else "ok"
            seconds = per.setdefault(e.get("target", e["port"]), {}).setdefault(outcome, {})
            seconds[int(e["t"])] = seconds.get(int(e["t"]), 0) + 1
    fig, axes = plt.subplots(len(per), 1, figsize=(9, 2.2 * len(per) + 0.6), sharex=True, squeeze=False)
    end = trace.events[-1]["t"] if trace.events else 1.0
    for ax, (client, outcomes) in zip(axes[:, 0], sorted(per.items(), key=lambda kv: str(kv[0]))):
        bottom = [0] * (int(end) + 1)
        for outcome in [o for o in OUTCOME_COLOURS if o in outcomes]:
            heights = [outcomes[outcome].get(t, 0) for t in range(len(bottom))]
            lost = sum(heights) if outcome != "ok" else None
            label = outcome if lost is None else f"{outcome} ({lost})"
            ax.bar(range(len(bottom)), heights, bottom=bottom, width=1.0, align="edge", label=label,
                   color=OUTCOME_COLOURS[outcome])
            bottom = [b + h for b, h in zip(bottom, heights)]
        for window in metrics.updates(trace):
            ax.axvspan(window.started, window.ended or end, alpha=0.12, color="grey")
        ax.set_ylabel("requests/s")
        ax.set_title(f"port {client}" if isinstance(client, int) else str(client), fontsize="small")
        ax.legend(loc="lower left", fontsize="x-small")
    axes[-1, 0].set_xlabel("time (s)")
    fig.suptitle(f"{trace.header.get('scenario', '')}: request outcomes (updates shaded)")
    fig.tight_layout()
    return fig


def predicted_over_observed(predicted: Trace, observed: Trace):
    """Running tasks per service, the prediction dashed over the observation."""
    fig, ax = plt.subplots(figsize=(9, 4))
    services = sorted({e["service"] for e in predicted.tasks()} | {e["service"] for e in observed.tasks()})
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, service in enumerate(services):
        for trace, style, what in ((observed, "-", "observed"), (predicted, "--", "predicted")):
            series = running_on_live_nodes(trace, service)
            if series:
                end = trace.events[-1]["t"]
                times, counts = zip(*(series + [(end, series[-1][1])]))
                ax.step(times, counts, where="post", linestyle=style, color=colours[i % len(colours)],
                        label=f"{service} {what}")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("running tasks")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"{observed.header.get('scenario', '')}: predicted (dashed) over observed")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def write_comparison(predicted: Trace, observed: Trace, directory: str | Path) -> Path:
    out = output_dir(directory, "report folder")
    fig = predicted_over_observed(predicted, observed)
    path = out / "predicted_over_observed.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(trace: Trace, directory: str | Path) -> list[Path]:
    out = output_dir(directory, "report folder")
    written = []
    figures = [("running.png", running_replicas(trace)), ("tasks.png", task_gantt(trace))]
    if any("ok" in e for e in trace.of_kind("request")):
        figures.append(("requests.png", request_outcomes(trace)))
    for name, fig in figures:
        path = out / name
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written
