"""A sweep's results folder: one JSON Lines row per finished run, appended at once.

`runs.jsonl` is the record: each row is written and fsynced as its run finishes, so
Ctrl-C or SIGKILL loses at most the runs in flight, and a rerun skips every run whose
row is there. `results.csv` and `results.parquet` are rewritten from it after each new
row by a writer thread (to a temporary file, then renamed, so no reader sees half a
file); rows that arrive during a rewrite wait for the next one, so the tables trail the
record by at most one rewrite (tens of milliseconds) instead of costing one rewrite per
run, and opening a folder brings them up to date. A folder holding runs of another
scenario under the same factor values is refused rather than mixed.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Iterable

from .factorial import Run
from ..inputs import output_dir

RECORD, CSV, PARQUET = "runs.jsonl", "results.csv", "results.parquet"


class ResultsStore:
    def __init__(self, directory: str | Path, order: Iterable[str] = ()):
        self.directory = output_dir(directory, "results folder")
        self.path = self.directory / RECORD
        self.order = {key: i for i, key in enumerate(order)}
        self.rows: dict[str, dict] = {row["run"]: row for row in self._read()}
        self._lock, self._writing, self._wanted = threading.Lock(), threading.Lock(), threading.Event()
        self._writer: threading.Thread | None = None
        import pandas  # noqa: F401  (imported here, not by the writer thread while the first rows wait)
        import pyarrow  # noqa: F401
        if self.rows:
            self.write_tables()

    def _read(self) -> list[dict]:
        """The rows on disk; a last line torn by a kill is dropped from the file too."""
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        whole = data[:data.rfind(b"\n") + 1]
        if len(whole) != len(data):
            with open(self.path, "r+b") as f:
                f.truncate(len(whole))
        return [json.loads(line) for line in whole.decode().splitlines() if line.strip()]

    def check(self, runs: Iterable[Run]) -> None:
        for run in runs:
            done = self.rows.get(run.key)
            if done is not None and done["scenario_hash"] != run.scenario_hash:
                raise ValueError(f"{self.path} holds the run {run.key} of another scenario (hash "
                                 f"{done['scenario_hash']}, now {run.scenario_hash}): write to another folder "
                                 "or remove it")

    def todo(self, runs: Iterable[Run]) -> list[Run]:
        """The runs without a row yet, in plan order."""
        return [run for run in runs if run.key not in self.rows]

    def append(self, row: dict) -> None:
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(row, default=str) + "\n")
            f.flush()
            os.fsync(f.fileno())
        with self._lock:
            self.rows[row["run"]] = row
        self._wanted.set()
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_when_wanted, daemon=True)
            self._writer.start()

    def _write_when_wanted(self) -> None:
        while self._writer is not None:
            self._wanted.wait()
            self._wanted.clear()
            self.write_tables()

    def close(self) -> None:
        """The writer stopped and the tables brought up to date with every row appended."""
        writer, self._writer = self._writer, None
        if writer is not None:
            self._wanted.set()
            writer.join()
        self.write_tables()

    def frame(self):
        """Every finished run as a DataFrame, in plan order (then earlier runs of the folder)."""
        import pandas as pd
        with self._lock:
            rows = list(self.rows.values())
        ordered = sorted(rows, key=lambda r: self.order.get(r["run"], len(self.order)))
        return pd.DataFrame(ordered)

    def write_tables(self) -> None:
        with self._writing:
            frame = _typed(self.frame())
            _replace(self.directory / CSV, lambda tmp: frame.to_csv(tmp, index=False))
            _replace(self.directory / PARQUET, lambda tmp: frame.to_parquet(tmp, index=False))


def _typed(frame):
    """Columns of mixed kinds (a factor 1s,2 or a metric None/str) as strings, which Parquet can hold."""
    for column in frame.columns[frame.dtypes == object]:
        kinds = {type(v) for v in frame[column] if v is not None and v == v}
        if len(kinds) > 1:
            frame[column] = frame[column].map(lambda v: v if v is None or v != v else str(v))
    return frame


def _replace(path: Path, write) -> None:
    """Write beside `path` and rename over it, so a reader or a kill never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)
