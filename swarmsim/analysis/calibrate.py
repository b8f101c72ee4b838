"""Fit the latency model to observed traces and write a `timing:` block.

Each constant is read off the milestones where Docker's path isolates it, using
the fastest tenth of the observations (those least slowed by other work on
the host): assigned -> preparing is the dispatcher's batch plus `accept`;
preparing -> starting is `container_create`; starting -> running is
`container_start`; a stop (desired shutdown -> shutdown) is the dispatcher's batch,
`stop_delay` and `stop_exit` (plus the 2 s load-balancer delay for tasks on networks, which is
Docker's constant and is not fitted); an image pull is preparing -> starting
beyond `container_create` on nodes without the image.
"""
from __future__ import annotations

import statistics
from dataclasses import fields, replace
from typing import Iterable

from ..model.gofmt import MAX_DURATION
from ..model.scenario import Timing
from ..trace import Trace


def _fast(values: list[float]) -> float | None:
    """The median of the fastest tenth: the uncontended cost of an operation."""
    if not values:
        return None
    ordered = sorted(values)
    return statistics.median(ordered[: max(1, len(ordered) // 10)])


def _gaps(traces: Iterable[Trace]) -> dict[str, list[float]]:
    """Per pair of consecutive milestones, the observed gaps over all tasks."""
    gaps: dict[str, list[float]] = {"assigned>preparing": [], "preparing>starting": [], "starting>running": [],
                                    "stop": []}
    for trace in traces:
        seen: dict[tuple[str, int], dict[str, float]] = {}
        stop_asked: dict[tuple[str, int], float] = {}
        for e in trace.tasks():
            key = (e["task"], e["gen"])
            seen.setdefault(key, {}).setdefault(e["state"], e["t"])
            if e["desired"] in ("shutdown", "remove") and e["state"] == "running":
                stop_asked.setdefault(key, e["t"])
            if e["state"] == "shutdown" and key in stop_asked:
                gaps["stop"].append(e["t"] - stop_asked.pop(key))
        for states in seen.values():
            for pair in ("assigned>preparing", "preparing>starting", "starting>running"):
                a, b = pair.split(">")
                if a in states and b in states and states[b] >= states[a]:
                    gaps[pair].append(states[b] - states[a])
    return gaps


def fit(traces: Iterable[Trace], base: Timing = Timing()) -> tuple[Timing, dict[str, int]]:
    """A Timing with every constant the traces tell about replaced; and how many observations each had."""
    gaps = _gaps(list(traces))
    changes = {}
    if (v := _fast(gaps["assigned>preparing"])) is not None:
        changes["accept"] = max(0.0, v - base.dispatch_batch)
    if (v := _fast(gaps["preparing>starting"])) is not None:
        changes["container_create"] = v
    if (v := _fast(gaps["starting>running"])) is not None:
        changes["container_start"] = v
    if (v := _fast(gaps["stop"])) is not None:
        changes["stop_exit"] = max(0.0, v - base.dispatch_batch - base.stop_delay)
    counts = {name: len(values) for name, values in gaps.items()}
    for name, value in changes.items():  # a timing block a scenario cannot load helps no one
        if not value <= MAX_DURATION:
            raise ValueError(f"the traces' gaps give {name} = {value:g}s, past Go's durations ({MAX_DURATION:.0f}s, "
                             "about 292 years; expected traces of a run's real timings)")
    return replace(base, **{k: round(v, 4) for k, v in changes.items()}), counts


def timing_block(timing: Timing, base: Timing = Timing()) -> str:
    """The constants that differ from the defaults, as a scenario's `timing:` section."""
    lines = ["timing:"]
    for f in fields(Timing):
        value = getattr(timing, f.name)
        if value != getattr(base, f.name):
            lines.append(f"  {f.name}: {value}")
    return "\n".join(lines) + "\n" if len(lines) > 1 else "timing: {}\n"
