"""Figures from traces: one function per figure, returning a matplotlib Figure."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import metrics  # noqa: E402
from ..trace import Trace  # noqa: E402


def running_replicas(trace: Trace):
    """Running tasks of every service over time, with update windows shaded."""
    fig, ax = plt.subplots(figsize=(9, 4))
    services = sorted({e["service"] for e in trace.tasks()})
    end = trace.events[-1]["t"] if trace.events else 1.0
    for service in services:
        series = metrics.running_over_time(trace, service)
        if series:
            times, counts = zip(*(series + [(end, series[-1][1])]))
            ax.step(times, counts, where="post", label=service)
    for window in metrics.updates(trace):
        ax.axvspan(window.started, window.ended or end, alpha=0.12, color="grey")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("running tasks")
    ax.set_title(f"{trace.header.get('scenario', '')}: running tasks (updates shaded)")
    if services:
        ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def task_gantt(trace: Trace, service: str | None = None):
    """One bar per task from assignment to its end; colour by state reached."""
    spans: dict[tuple[str, int], dict] = {}
    for e in trace.tasks():
        if service is not None and e["service"] != service:
            continue
        span = spans.setdefault((e["task"], e["gen"]), {"start": e["t"], "running": None, "end": None, "node": None})
        span["node"] = e["node"] or span["node"]
        if e["state"] == "running" and span["running"] is None:
            span["running"] = e["t"]
        if e["state"] in metrics.TERMINAL and span["end"] is None:
            span["end"] = e["t"]
    end = trace.events[-1]["t"] if trace.events else 1.0
    rows = sorted(spans.items(), key=lambda kv: (kv[0][0], kv[0][1]))
    fig, ax = plt.subplots(figsize=(9, max(2.5, 0.28 * len(rows) + 1)))
    for i, ((task, gen), span) in enumerate(rows):
        stop = span["end"] or end
        ax.barh(i, (span["running"] or stop) - span["start"], left=span["start"], color="#f0c05a", height=0.7)
        if span["running"] is not None:
            ax.barh(i, stop - span["running"], left=span["running"], color="#4c8fd6", height=0.7)
    ax.set_yticks(range(len(rows)), [f"{task} #{gen} ({span['node'] or '-'})" for (task, gen), span in rows],
                  fontsize="x-small")
    ax.invert_yaxis()
    ax.set_xlabel("time (s)")
    ax.set_title("tasks: starting (yellow) and running (blue)")
    fig.tight_layout()
    return fig


def predicted_over_observed(predicted: Trace, observed: Trace):
    """Running tasks per service, the prediction dashed over the observation."""
    fig, ax = plt.subplots(figsize=(9, 4))
    services = sorted({e["service"] for e in predicted.tasks()} | {e["service"] for e in observed.tasks()})
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, service in enumerate(services):
        for trace, style, what in ((observed, "-", "observed"), (predicted, "--", "predicted")):
            series = metrics.running_over_time(trace, service)
            if series:
                end = trace.events[-1]["t"]
                times, counts = zip(*(series + [(end, series[-1][1])]))
                ax.step(times, counts, where="post", linestyle=style, color=colours[i % len(colours)],
                        label=f"{service} {what}")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("running tasks")
    ax.set_title(f"{observed.header.get('scenario', '')}: predicted (dashed) over observed")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def write_comparison(predicted: Trace, observed: Trace, directory: str | Path) -> Path:
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    fig = predicted_over_observed(predicted, observed)
    path = out / "predicted_over_observed.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(trace: Trace, directory: str | Path) -> list[Path]:
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fig in (("running.png", running_replicas(trace)), ("tasks.png", task_gantt(trace))):
        path = out / name
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written
