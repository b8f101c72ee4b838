"""Factorial parameter sweeps: every combination of factor values, each run on its own.

A factor is a dotted path into the scenario's YAML (`services.web.deploy.replicas`,
`timing.container_start`, `seed`) or a bare name that fills `{name}` placeholders
in the file's text (so `run:` strings can be varied too). Runs are independent, so
they go to a local process pool or, given an address, to a dask.distributed
cluster. Each run yields one row: its factor values and the metrics of its trace.
"""
from __future__ import annotations

import itertools
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

from ..analysis import metrics
from ..backend import SimBackend, run_scenario
from ..scenario import loads_scenario


@dataclass(frozen=True)
class Run:
    """One point of the sweep: the factor values and the scenario text they produce."""

    params: dict
    text: str
    source: str


def _set_path(doc: dict, path: str, value: object) -> None:
    keys = path.split(".")
    node = doc
    for key in keys[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise ValueError(f"factor {path}: {key} is not a mapping in the scenario")
    node[keys[-1]] = value


def expand(text: str, source: str, factors: dict[str, list]) -> list[Run]:
    """Every combination of the factors applied to the scenario text."""
    names = list(factors)
    runs = []
    for values in itertools.product(*(factors[n] for n in names)):
        params = dict(zip(names, values))
        filled = text
        for name, value in params.items():
            if "." not in name and name != "seed":
                filled = filled.replace("{" + name + "}", str(value))
        doc = yaml.safe_load(filled)
        for name, value in params.items():
            if "." in name or name == "seed":
                _set_path(doc, name, value)
        runs.append(Run(params, yaml.safe_dump(doc, sort_keys=False), source))
    return runs


def measure(run: Run) -> dict:
    """Simulate one run and reduce its trace to a flat row."""
    trace = run_scenario(loads_scenario(run.text, run.source), SimBackend())
    row = dict(run.params)
    for i, window in enumerate(metrics.updates(trace)):
        row[f"update{i}.service"] = window.service
        row[f"update{i}.duration"] = window.duration
        row[f"update{i}.outcome"] = window.outcome
        if window.ended is not None:
            row[f"update{i}.min_running"] = metrics.min_running(trace, window.service, window.started, window.ended)
            row[f"update{i}.replica_seconds_lost"] = metrics.replica_seconds_lost(trace, window.service,
                                                                                 window.started, window.ended)
    for port, stats in metrics.requests(trace).items():
        row[f"port{port}.success_rate"] = stats["success_rate"]
    for service, per_node in metrics.placement(trace).items():
        row[f"{service}.running"] = sum(per_node.values())
        row[f"{service}.max_per_node"] = max(per_node.values())
    row["end"] = trace.events[-1]["t"] if trace.events else 0.0
    return row


def run_sweep(runs: Iterable[Run], workers: int | None = None, dask_address: str | None = None,
              progress: bool = True):
    """All rows as a pandas DataFrame, in the order of `runs`."""
    import pandas as pd
    runs = list(runs)
    if dask_address:
        from dask.distributed import Client
        with Client(dask_address) as client:
            rows = client.gather(client.map(measure, runs, pure=False))
    elif workers == 1:
        rows = [measure(r) for r in _progress(runs, progress)]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            rows = list(_progress(pool.map(measure, runs), progress, total=len(runs)))
    return pd.DataFrame(rows)


def _progress(items, enabled: bool, total: int | None = None):
    if not enabled:
        return items
    from rich.progress import track
    return track(items, total=total, description="sweep")


def parse_factor(text: str) -> tuple[str, list]:
    """`path=v1,v2,...` with values read as YAML scalars (numbers, durations stay strings)."""
    name, sep, values = text.partition("=")
    if not sep or not name or not values:
        raise ValueError(f"factor {text!r}: expected NAME=VALUE1,VALUE2,... e.g. "
                         "services.web.deploy.update_config.parallelism=1,2,4")
    return name, [yaml.safe_load(v) for v in values.split(",")]


def write_results(frame, directory: str | Path) -> Path:
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.csv"
    frame.to_csv(path, index=False)
    return path
