"""A sweep's results folder: one JSON Lines row per finished run, appended at once.

`runs.jsonl` is the record: each row is written and fsynced as its run finishes, so
Ctrl-C or SIGKILL loses at most the runs in flight, and a rerun skips every run whose
row is there. `results.csv` and `results.parquet` are rewritten from it after each new
row by a writer thread (to a temporary file, then renamed, so no reader sees half a
file); rows that arrive during a rewrite wait for the next one, so the tables trail the
record by at most one rewrite (tens of milliseconds) instead of costing one rewrite per
run, and opening a folder brings them up to date. A folder holding runs of another
scenario under the same factor values is refused rather than mixed, and so is a record
that is not one (a line that is not a row the sweep wrote, a FIFO, a device): at its line.
"""
from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path
from typing import Iterable

from .factorial import Run
from ..inputs import InputError, _kind, decode, output_dir, read_raw_lines

RECORD, CSV, PARQUET = "runs.jsonl", "results.csv", "results.parquet"


class ResultsStore:
    def __init__(self, directory: str | Path, order: Iterable[str] = ()):
        self.directory = output_dir(directory, "results folder")
        self.path = self.directory / RECORD
        self.order = {key: i for i, key in enumerate(order)}
        self._check_tables()
        self.rows: dict[str, dict] = {row["run"]: row for row in self._read()}
        self._lock, self._writing, self._wanted = threading.Lock(), threading.Lock(), threading.Event()
        self._writer: threading.Thread | None = None
        self._failed: Exception | None = None  # the writer thread's, said by close()
        import pandas  # noqa: F401  (imported here, not by the writer thread while the first rows wait)
        import pyarrow  # noqa: F401
        if self.rows:
            self.write_tables()

    def _check_tables(self) -> None:
        """The tables' paths, before any run: a directory where one is renamed to, or anything but a file where
        its temporary file is written (a FIFO would block the writer for ever)."""
        for name in (CSV, PARQUET):
            for path, follow in ((self.directory / name, False), (self.directory / (name + ".tmp"), True)):
                try:
                    mode = (os.stat if follow else os.lstat)(path).st_mode
                except FileNotFoundError:
                    continue
                except OSError as err:
                    raise InputError(path, f"cannot write the results table: {err.strerror or err} (expected a "
                                           "regular file, or none)") from None
                if stat.S_ISDIR(mode) or (follow and not stat.S_ISREG(mode)):
                    raise InputError(path, f"cannot write the results table: it is {_kind(mode)} (expected a "
                                           "regular file, or none)")

    def _read(self) -> list[dict]:
        """The rows on disk, each checked; a last line torn by a kill (no newline) is dropped from the file too."""
        if not os.path.lexists(self.path):
            return []
        rows, whole, torn = [], 0, False
        for number, raw in read_raw_lines(self.path, "sweep record"):
            if not raw.endswith(b"\n"):
                torn = True
                break
            whole += len(raw)
            text = decode(self.path, "sweep record", raw, number)
            if text.strip():
                rows.append(_row(self.path, number, text))
        if torn:
            with open(self.path, "r+b") as f:
                f.truncate(whole)
        return rows

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
            try:
                self.write_tables()
            except Exception as err:  # noqa: BLE001 - said by close(), in the main thread, not as a traceback
                self._failed = err
                return

    def close(self) -> None:
        """The writer stopped and the tables brought up to date with every row appended."""
        writer, self._writer = self._writer, None
        if writer is not None:
            self._wanted.set()
            writer.join()
        self.write_tables()  # the writer's failure again, if it lasts; a passing one is mended by this rewrite

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
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as err:  # a full disk, a folder made read-only meanwhile: named, as every other write
        raise InputError(path, f"cannot write the results table: {err.strerror or err}") from None


def _integer(text: str) -> int:
    if len(text) > 4300:  # Python's own bound on int(str); its message would name sys.set_int_max_str_digits
        raise ValueError(f"an integer of {len(text):,} digits")
    return int(text)


_DECODER = json.JSONDecoder(parse_int=_integer)


def _shown(value: object) -> str:
    """A JSON value as a message names it, short (and without encoding a deep one again)."""
    if isinstance(value, (dict, list)):
        return "a JSON object" if isinstance(value, dict) else "a JSON list"
    return json.dumps(value)[:60]


def _row(path: Path, number: int, text: str) -> dict:
    """Line `number` of the record as the row the sweep appended: a JSON object with its `run` key and the
    `scenario_hash` a rerun compares; anything else is said at its line rather than mixed into the results."""
    try:
        row = _DECODER.decode(text.rstrip("\r\n"))
    except (ValueError, RecursionError) as err:
        problem = err.msg if isinstance(err, json.JSONDecodeError) else \
            "nested too deeply" if isinstance(err, RecursionError) else str(err)
        raise InputError(path, f"not a row of a sweep ({problem}; expected one JSON object per line, as swarmsim "
                               "sweep appends them)", number) from None
    if not isinstance(row, dict):
        raise InputError(path, f"not a row of a sweep: {_shown(row)} "
                               "(expected one JSON object per line, as swarmsim sweep appends them)", number)
    for key in ("run", "scenario_hash"):
        if type(row.get(key)) is not str:
            shown = _shown(row[key]) if key in row else "missing"
            raise InputError(path, f"the row's {key!r} is {shown} (expected a string, as swarmsim sweep writes it)",
                             number)
    for key, value in row.items():  # factor values and metrics: plain values (the tables' cells)
        if isinstance(value, (dict, list)):
            raise InputError(path, f"the row's {key[:60]!r} is {_shown(value)} (expected a plain value: a "
                                   "number, a string, true, false or null, as swarmsim sweep writes them)", number)
    return row
