"""A trace as pandas DataFrames, for what-if work in a notebook or a script.

One table per kind of event (columns: the event's fields, `t` first; a kind the trace
does not hold gives an empty table), and the metrics of `metrics` as tables. Any other
kind (such as a newer one) is reached with `events(trace, kind)`.
"""
from __future__ import annotations

from . import metrics
from ..trace import Trace


def events(trace: Trace, kind: str):
    """Every event of `kind`, one row each, in trace order."""
    import pandas as pd
    rows = [{k: v for k, v in e.items() if k != "kind"} for e in trace.of_kind(kind)]
    return pd.DataFrame(rows, columns=None if rows else ["t", "seq"])


def tasks(trace: Trace):
    """Task state changes: t, task, gen, service, slot, node, state, desired, err..."""
    return events(trace, "task")


def services(trace: Trace):
    return events(trace, "service")


def nodes(trace: Trace):
    return events(trace, "node")


def requests(trace: Trace):
    return events(trace, "request")


def steps(trace: Trace):
    return events(trace, "step")


UPDATE_COLUMNS = ("service", "started", "ended", "outcome", "duration", "min_running", "replica_seconds_lost")


def update_rows(trace: Trace) -> list[dict]:
    """Per rolling update or rollback, its window and what it cost; one still running at the end is measured
    up to the end of the trace."""
    end = trace.events[-1]["t"] if trace.events else 0.0
    return [{"service": w.service, "started": w.started, "ended": w.ended, "outcome": w.outcome,
             "duration": w.duration,
             "min_running": metrics.min_running(trace, w.service, w.started, w.ended or end),
             "replica_seconds_lost": metrics.replica_seconds_lost(trace, w.service, w.started, w.ended or end)}
            for w in metrics.updates(trace)]


def updates(trace: Trace):
    """One row per rolling update or rollback: service, started, ended, outcome, duration, min_running,
    replica_seconds_lost."""
    import pandas as pd
    return pd.DataFrame(update_rows(trace), columns=list(UPDATE_COLUMNS))


def recovery(trace: Trace):
    """One row per node marked down: node, down, recovered, time_to_recover."""
    import pandas as pd
    return pd.DataFrame(metrics.recovery(trace), columns=["node", "down", "recovered", "time_to_recover"])


def placement(trace: Trace, t: float | None = None):
    """Running tasks per service (rows) and node (columns) at time `t` (the end when None)."""
    import pandas as pd
    return pd.DataFrame(metrics.placement(trace, t)).T.fillna(0).astype(int).sort_index(axis=1)
