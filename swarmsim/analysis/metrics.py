"""Metrics over traces. Pure functions of a Trace, so a simulated and a real run
are measured the same way. Real traces may skip intermediate task states; only
milestones (pending, assigned, running, a terminal state) are relied on.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..trace import Trace

TERMINAL = ("complete", "shutdown", "failed", "rejected", "orphaned", "remove")


def task_states_at(trace: Trace, t: float | None = None) -> dict[tuple[str, int], dict]:
    """The last event of every (task, gen) at time `t` (the end when None); a deleted task is gone."""
    last: dict[tuple[str, int], dict] = {}
    for e in task_lives(trace):
        if t is not None and e["t"] > t:
            break
        if e["kind"] == "deleted":
            last.pop((e["task"], e["gen"]), None)
        else:
            last[(e["task"], e["gen"])] = e
    return last


def task_lives(trace: Trace) -> Iterator[dict]:
    """Task events and task deletions (kind `deleted`, written when the store drops a task), in order."""
    return trace.of_kind(("task", "deleted"))


def placement(trace: Trace, t: float | None = None) -> dict[str, dict[str, int]]:
    """Running tasks per service and node at time `t`: {service: {node: count}}."""
    out: dict[str, dict[str, int]] = {}
    for e in task_states_at(trace, t).values():
        if e["state"] == "running" and e["desired"] == "running":
            per_node = out.setdefault(e["service"], {})
            per_node[e["node"]] = per_node.get(e["node"], 0) + 1
    return {s: dict(sorted(n.items())) for s, n in sorted(out.items())}


def step_time(trace: Trace, index: int) -> float:
    for e in trace.of_kind("step"):
        if e["index"] == index:
            return e["t"]
    raise KeyError(f"no step {index} in the trace")


def placement_after_step(trace: Trace, index: int) -> dict[str, dict[str, int]]:
    return placement(trace, step_time(trace, index))


@dataclass(frozen=True)
class UpdateWindow:
    service: str
    started: float
    ended: float | None
    outcome: str  # completed | paused | rollback_completed | rollback_paused, or the state it was left in:
    #               updating | rollback_started (an update still in progress when the trace ends)
    since: float | None = None  # when it entered that last state (a rollback started after the update)

    @property
    def duration(self) -> float | None:
        return None if self.ended is None else self.ended - self.started


def updates(trace: Trace) -> list[UpdateWindow]:
    """Each rolling update (or rollback) from its first UpdateStatus to the state that ended it; one still
    in progress at the end of the trace keeps the state it was in and since when."""
    open_: dict[str, tuple[float, str, float]] = {}  # service -> (started, last state, since)
    out: list[UpdateWindow] = []
    for e in trace.of_kind("service"):
        state, service = e.get("update_state"), e["service"]
        if state in ("updating", "rollback_started"):
            started = open_[service][0] if service in open_ else e["t"]
            open_[service] = (started, state, e["t"])
        elif state in ("completed", "paused", "rollback_completed", "rollback_paused") and service in open_:
            out.append(UpdateWindow(service, open_.pop(service)[0], e["t"], state, e["t"]))
    out += [UpdateWindow(s, t0, None, state, since) for s, (t0, state, since) in open_.items()]
    return sorted(out, key=lambda w: (w.started, w.service))


def first_times(trace: Trace, service: str, state: str) -> dict[tuple[str, int], float]:
    """When each task of a service was first seen in `state`."""
    out: dict[tuple[str, int], float] = {}
    for e in trace.tasks():
        if e["service"] == service and e["state"] == state:
            out.setdefault((e["task"], e["gen"]), e["t"])
    return out


def running_over_time(trace: Trace, service: str) -> list[tuple[float, int]]:
    """(t, number of running tasks of the service) at every change."""
    return running_series(trace, service).get(service, [])


def running_series(trace: Trace, only: str | None = None) -> dict[str, list[tuple[float, int]]]:
    """`running_over_time` of every service (or only one) in one pass, counting as it goes."""
    running: dict[tuple[str, int], bool] = {}
    counts: dict[str, int] = {}
    out: dict[str, list[tuple[float, int]]] = {}
    for e in task_lives(trace):
        service = e["service"]
        if only is not None and service != only:
            continue
        key, now = (e["task"], e["gen"]), e["state"] == "running" and e["kind"] == "task"  # a deleted task is gone
        was = running.get(key, False)
        if now == was and service in out:  # most events change no count: nothing to add or rewrite
            continue
        count = counts.get(service, 0) + now - was
        running[key], counts[service] = now, count
        series = out.setdefault(service, [])
        if series and series[-1][0] == e["t"]:
            series[-1] = (e["t"], count)
        elif not series or series[-1][1] != count:
            series.append((e["t"], count))
    return out


def min_running(trace: Trace, service: str, start: float, end: float) -> int:
    return _min_running(running_over_time(trace, service), start, end)


def _min_running(series: list[tuple[float, int]], start: float, end: float) -> int:
    before = [c for t, c in series if t <= start]
    inside = [c for t, c in series if start < t <= end]
    return min(([before[-1]] if before else []) + inside, default=0)


def replica_seconds_lost(trace: Trace, service: str, start: float, end: float) -> float:
    """The area between the replica count and the running tasks over [start, end]: capacity an update cost."""
    return _replica_seconds_lost(running_over_time(trace, service), desired_replicas(trace, start).get(service, 0),
                                 start, end)


def _replica_seconds_lost(series: list[tuple[float, int]], replicas: int, start: float, end: float) -> float:
    running = ([c for t, c in series if t <= start] or [0])[-1]
    lost, t_prev = 0.0, start
    for t, count in series:
        if start < t <= end:
            lost += max(0, replicas - running) * (t - t_prev)
            t_prev, running = t, count
    return lost + max(0, replicas - running) * (end - t_prev)


def slot_replacements(trace: Trace, service: str, start: float, end: float | None = None) -> list[dict]:
    """Per slot replaced in [start, end]: when its old task stopped and its new task (one created in the
    window) first ran."""
    stopped: dict[str, float] = {}
    started: dict[str, float] = {}
    created_in_window: set[tuple[str, int]] = set()
    seen: set[tuple[str, int]] = set()
    for e in trace.tasks():
        if e["service"] != service or (end is not None and e["t"] > end):
            continue
        key = (e["task"], e["gen"])
        if key not in seen:
            seen.add(key)
            if e["t"] >= start:
                created_in_window.add(key)
        if e["t"] < start:
            continue
        if e["state"] in TERMINAL and e["desired"] != "running" and key not in created_in_window:
            stopped.setdefault(e["task"], e["t"])
        if e["state"] == "running" and e["desired"] == "running" and key in created_in_window:
            started.setdefault(e["task"], e["t"])
    return [{"task": name, "old_stopped": stopped.get(name), "new_running": started[name]}
            for name in sorted(started, key=lambda n: started[n])]


def node_downs(trace: Trace) -> list[tuple[str, float]]:
    return [(e["node"], e["t"]) for e in trace.of_kind("node") if e["status"] == "down"]


def desired_replicas(trace: Trace, t: float | None = None) -> dict[str, int]:
    """The replica count each replicated service asked for at time `t` (the end when None)."""
    out: dict[str, int] = {}
    for e in trace.of_kind("service"):
        if t is not None and e["t"] > t:
            break
        if e.get("replicas") is not None:
            out[e["service"]] = e["replicas"]
    return {service: n for service, n in out.items() if n}


def running_wanted_over_time(trace: Trace) -> list[tuple[float, dict[str, int]]]:
    """(t, {service: tasks running and desired running}) after every change."""
    return [(t, dict(counts)) for t, counts in _running_wanted(trace)]


def _running_wanted(trace: Trace) -> Iterator[tuple[float, dict[str, int]]]:
    """After each task event: its time and the live counts of tasks running and desired running
    per service (one dict, updated in place; services at zero left out)."""
    wanted: dict[tuple[str, int], str | None] = {}
    counts: dict[str, int] = {}
    for e in trace.tasks():
        key = (e["task"], e["gen"])
        was = wanted.get(key)
        now = e["service"] if e["state"] == "running" and e["desired"] == "running" else None
        if was != now:
            if was is not None:
                counts[was] -= 1
                if not counts[was]:
                    del counts[was]
            if now is not None:
                counts[now] = counts.get(now, 0) + 1
        wanted[key] = now
        yield e["t"], counts


def _all_running(counts: dict[str, int], wanted: dict[str, int]) -> bool:
    return all(counts.get(s, 0) >= n for s, n in wanted.items())


def recovery(trace: Trace) -> list[dict]:
    """Per node that went down: when the fault was noticed, and when every replicated service had
    its replicas running again (None if it never did): at the first task event from the down on (the
    down node's own tasks change only then), or at the down itself when no task changed after it and
    all ran (a node without tasks). One pass over the tasks for all the downs."""
    downs = node_downs(trace)
    if not downs:
        return []
    waiting = [(i, down, desired_replicas(trace, down)) for i, (_node, down) in enumerate(downs)]
    back: dict[int, float] = {}
    last, counts = None, {}
    for last, counts in _running_wanted(trace):
        if not waiting:
            break
        done = [w for w in waiting if last >= w[1] and _all_running(counts, w[2])]
        for i, _down, _wanted in done:
            back[i] = last
        if done:
            waiting = [w for w in waiting if w[0] not in back]
    for i, down, wanted in waiting:
        if _all_running(counts, wanted) and (last is None or last < down):
            back[i] = down
    return [{"node": node, "down": down, "recovered": back.get(i),
             "time_to_recover": None if i not in back else back[i] - down}
            for i, (node, down) in enumerate(downs)]


def duplicates(trace: Trace, service: str) -> list[tuple[float, int]]:
    """(t, tasks of the service observed running beyond its replica count): e.g. during a partition,
    when replacements run while the cut-off node's tasks still run."""
    changes = [(e["t"], e["replicas"]) for e in trace.of_kind("service")
               if e["service"] == service and e.get("replicas") is not None]
    out, i, replicas = [], 0, 0
    for t, count in running_over_time(trace, service):
        while i < len(changes) and changes[i][0] <= t:
            replicas, i = changes[i][1], i + 1
        out.append((t, max(0, count - replicas)))
    return out


def requests(trace: Trace, start: float = 0.0, end: float | None = None) -> dict[int | str, dict[str, float]]:
    """Per published port (or, for clients inside the swarm, per target name): requests sent, failed, and the
    success rate, from events or aggregates."""
    out: dict[int | str, dict[str, float]] = {}
    for e in trace.of_kind("request"):
        if e["t"] < start or (end is not None and e["t"] > end):
            continue
        row = out.setdefault(e.get("target", e["port"]), {"count": 0, "failed": 0})
        row["count"] += e.get("count", 1)
        row["failed"] += e.get("failed", 0 if e.get("ok") else 1)
    for row in out.values():
        row["success_rate"] = 1.0 - row["failed"] / row["count"] if row["count"] else 1.0
    return out


def summary(trace: Trace) -> dict:
    """The headline figures `swarmsim run` prints and `swarmsim compare` sets side by side.
    Linear in the trace: the running counts of all services come from one pass. An update still in
    progress is measured up to the end of the trace."""
    end = trace.events[-1]["t"] if trace.events else 0.0
    windows = updates(trace)
    series = running_series(trace) if windows else {}
    return {
        "placement": placement(trace),
        "updates": [{"service": w.service, "started": w.started, "duration": w.duration, "outcome": w.outcome,
                     "since": w.since,
                     "min_running": _min_running(series.get(w.service, []), w.started,
                                                 end if w.ended is None else w.ended),
                     "replica_seconds_lost": _replica_seconds_lost(
                         series.get(w.service, []), desired_replicas(trace, w.started).get(w.service, 0),
                         w.started, end if w.ended is None else w.ended)}
                    for w in windows],
        "node_downs": node_downs(trace),
        "recovery": recovery(trace),
        "requests": requests(trace),
        "end": end,
    }


def disturbance(trace: Trace) -> tuple[str, float, float | None] | None:
    """The first fault (a `fail:` or `partition:` step, until a node is marked down after it) or else the
    first rolling update (until it ended): what it was, when it began and ended (None: not in the trace)."""
    faults = [e for e in trace.steps() if e["step"].startswith(("fail:", "partition:"))]
    if faults:
        began = faults[0]["t"]
        down = next((t for _node, t in node_downs(trace) if t >= began), None)
        return faults[0]["step"], began, down
    windows = updates(trace)
    if windows:
        return f"update {windows[0].service}", windows[0].started, windows[0].ended
    return None


def _percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile of sorted `values`."""
    if not values:
        return None
    return values[min(len(values) - 1, max(0, -(-len(values) * q // 100) - 1))]


def request_windows(trace: Trace) -> list[dict]:
    """Requests before, during and after the trace's disturbance (one window `all` without one), per port or
    target: sent, failed, success rate and the 50th/90th/99th percentile latency of the answered ones."""
    end = trace.events[-1]["t"] if trace.events else 0.0
    found = disturbance(trace)
    if found is None:
        bounds = [("all", 0.0, end)]
    else:
        what, began, ended = found
        bounds = [(f"before {what}", 0.0, began), (f"during {what}", began, end if ended is None else ended)]
        if ended is not None:
            bounds.append((f"after {what}", ended, end))
    out = []
    for label, start, stop in bounds:
        rows: dict[int | str, dict] = {}
        for e in trace.of_kind("request"):
            if not start <= e["t"] < stop and not (e["t"] == stop == end):
                continue
            row = rows.setdefault(e.get("target", e["port"]), {"count": 0, "failed": 0, "latencies": []})
            row["count"] += e.get("count", 1)
            row["failed"] += e.get("failed", 0 if e.get("ok") else 1)
            if e.get("ok") and e.get("latency") is not None:
                row["latencies"].append(e["latency"])
        for key, row in sorted(rows.items(), key=lambda kv: str(kv[0])):
            lat = sorted(row.pop("latencies"))
            out.append({"window": label, "start": start, "end": stop, "client": key, **row,
                        "success_rate": 1.0 - row["failed"] / row["count"] if row["count"] else 1.0,
                        **{f"p{q}": _percentile(lat, q) for q in (50, 90, 99)}})
    return out
