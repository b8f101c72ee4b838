"""Running a plan: each run simulated on its own, in this process, a process pool or dask.

A run never raises: a failure becomes a row with its error text, so one bad point
never stops a sweep. Rows come back as they finish (not in plan order), for the
store to append at once. The row of a run depends on its scenario and seed only, so
every executor gives the same rows (but `wall_time`).
"""
from __future__ import annotations

import contextlib
import fnmatch
import importlib.metadata
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Iterable, Iterator

from ..analysis import frames, metrics
from ..backend import SimBackend, run_scenario
from ..trace import Trace
from .factorial import Run
from .store import ResultsStore

VERSION = importlib.metadata.version("swarmsim")
RUN_COLUMNS = ("run", "seed", "swarmsim_version", "scenario_hash", "wall_time", "error")


def measure(trace: Trace) -> dict:
    """Every metric of a trace as one flat row."""
    row: dict = {}
    for i, update in enumerate(frames.update_rows(trace)):
        row.update({f"update{i}.{k}": update[k] for k in ("service", "outcome", "started", "duration",
                                                         "min_running", "replica_seconds_lost")})
    for i, r in enumerate(metrics.recovery(trace)):
        row.update({f"down{i}.node": r["node"], f"down{i}.at": r["down"], f"down{i}.time_to_recover": r["time_to_recover"]})
    for key, stats in metrics.requests(trace).items():
        name = f"port{key}" if isinstance(key, int) else key
        row.update({f"{name}.requests": stats["count"], f"{name}.failed": stats["failed"],
                    f"{name}.success_rate": stats["success_rate"]})
    for service, per_node in metrics.placement(trace).items():
        row.update({f"{service}.running": sum(per_node.values()), f"{service}.max_per_node": max(per_node.values()),
                    f"{service}.nodes": len(per_node)})
        row.update({f"{service}.on.{node}": count for node, count in per_node.items()})
    steps = trace.steps()
    faults = [(e["t"], e["step"].split()) for e in steps if e["step"].startswith("fail: ")]
    for i, (t, (_, node, kind)) in enumerate(faults):
        row.update({f"fault{i}.node": node, f"fault{i}.kind": kind, f"fault{i}.at": t})
    for i, (t, node) in enumerate(_new_leaders(trace)):
        row.update({f"leader{i}.node": node, f"leader{i}.at": t})
    row["steps.failed"] = sum(not e["ok"] for e in steps)
    row["end"] = trace.events[-1]["t"] if trace.events else 0.0
    return row


def _new_leaders(trace: Trace) -> list[tuple[float, str]]:
    """When a node became leader after the first one (elections after a fault)."""
    leader, out = None, []
    for e in trace.of_kind("node"):
        if e.get("leader") and e["node"] != leader:
            if e["t"] > 0:
                out.append((e["t"], e["node"]))
            leader = e["node"]
        elif e["node"] == leader and e.get("leader") is False:
            leader = None
    return out


def execute(run: Run) -> dict:
    """Simulate one run into its row; an exception becomes the row's `error`."""
    started = time.perf_counter()
    try:
        values, error = measure(run_scenario(run.scenario, SimBackend())), None
    except Exception as err:  # recorded, never raised: one failing run must not stop the sweep
        values, error = {}, f"{type(err).__name__}: {err}"
    return {"run": run.key, **run.factors, "seed": run.seed, "swarmsim_version": VERSION,
            "scenario_hash": run.scenario_hash, "wall_time": round(time.perf_counter() - started, 4),
            "error": error, **values}


MAX_WORKERS = 256  # processes one sweep starts on this machine: each holds a simulator (~100 MB)
CONNECT_TIMEOUT = 10  # s to reach a --dask scheduler (dask's default waits 30 s, then retries)


def rows(runs: list[Run], workers: int | None = None, dask: str | None = None,
         progress: bool = True) -> Iterator[dict]:
    """The row of every run, as each finishes. `dask`: a scheduler address, or `local` / `local:N` for a
    LocalCluster of N worker processes."""
    if workers is not None and not 0 <= workers <= MAX_WORKERS:
        raise ValueError(f"--workers {workers}: expected a number of processes from 1 to {MAX_WORKERS} "
                         "(0: one per core)")
    if not runs:
        return iter(())
    if dask:
        return _on_dask(runs, dask, progress)
    if workers == 1:
        return _in_process(runs, progress)
    return _in_pool(runs, workers or os.cpu_count() or 1, progress)


@contextlib.contextmanager
def _bar(total: int, enabled: bool):
    """A rich progress bar on stderr; yields the function that advances it."""
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn
    with Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("eta"), TimeRemainingColumn(), console=Console(stderr=True)) as bar:
        task = bar.add_task("sweep", total=total)
        yield lambda: bar.advance(task)


def _in_process(runs: list[Run], progress: bool) -> Iterator[dict]:
    with _bar(len(runs), progress) as advance:
        for run in runs:
            yield execute(run)
            advance()


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which stops them; no traceback from every worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _in_pool(runs: list[Run], workers: int, progress: bool) -> Iterator[dict]:
    pool = multiprocessing.get_context("fork").Pool(min(workers, len(runs)), initializer=_ignore_sigint)
    try:
        with _bar(len(runs), progress) as advance:
            for row in pool.imap_unordered(execute, runs, chunksize=1):
                yield row
                advance()
        pool.close()
    finally:
        pool.terminate()  # on Ctrl-C or an error: the runs in flight are lost, nothing else
        pool.join()


def _cluster(address: str):
    """A LocalCluster for `local` / `local:N`, else None (the address of a running scheduler)."""
    name, _, count = address.partition(":")
    if name != "local":
        return None
    if count and not (count.isdigit() and 0 < int(count) <= MAX_WORKERS):
        raise ValueError(f"--dask {address}: expected local or local:N with N a number of workers from 1 to "
                         f"{MAX_WORKERS}")
    from dask.distributed import LocalCluster
    # silence_logs: at shutdown its workers log a failed heartbeat to the scheduler that stopped first; a
    # run's own failure is caught in execute() and recorded, never logged
    return LocalCluster(n_workers=int(count or os.cpu_count() or 1), threads_per_worker=1, processes=True,
                        dashboard_address=None, silence_logs=logging.CRITICAL)


def _on_dask(runs: list[Run], address: str, progress: bool) -> Iterator[dict]:
    """Futures on a dask.distributed cluster; dask's own progress bar (on stderr) while rows arrive."""
    try:
        from dask.distributed import Client, as_completed
        from dask.distributed import progress as dask_progress
    except ImportError as err:
        raise ValueError(f"--dask needs dask.distributed: pip install 'swarmsim[dask]' ({err})") from None
    cluster = _cluster(address)
    with contextlib.ExitStack() as stack:
        if cluster is not None:
            stack.enter_context(cluster)
        try:
            client = stack.enter_context(Client(cluster or address, timeout=CONNECT_TIMEOUT))
        except (OSError, ValueError, TypeError) as err:  # a bad address, a scheme dask lacks, no scheduler there
            raise ValueError(f"--dask {address}: cannot reach the scheduler: {err}") from None
        futures = client.map(execute, runs, pure=False)
        bar = threading.Thread(target=dask_progress, args=(futures,), kwargs={"multi": False}, daemon=True)
        stdout = sys.stdout
        if progress:
            sys.stdout = sys.stderr  # dask's console bar writes to stdout; the results go there
            bar.start()
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            client.cancel(futures)
            if progress:
                bar.join(timeout=5)
                sys.stdout = stdout


def run_sweep(runs: list[Run], out: str | Path, workers: int | None = None, dask: str | None = None,
              progress: bool = True, metrics: Iterable[str] | None = None):
    """Every run of the plan with a row in `out`, as a DataFrame: the runs already there are skipped, each
    new one is appended as it finishes. `metrics`: glob patterns of the metric columns to keep (all if None)."""
    store = ResultsStore(out, order=[run.key for run in runs])
    store.check(runs)
    keep = list(metrics) if metrics is not None else None
    fixed = set(RUN_COLUMNS) | {name for run in runs for name in run.factors}
    try:
        for row in rows(store.todo(runs), workers, dask, progress):
            if keep is not None:
                row = {k: v for k, v in row.items() if k in fixed or any(fnmatch.fnmatchcase(k, p) for p in keep)}
            store.append(row)
    finally:
        store.close()
    return store.frame()
