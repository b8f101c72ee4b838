"""The trace: JSON Lines of what happened, shared by the simulated and real backends.

The first line is a header; every other line is one event ordered by (t, seq).
The contract is docs/reference/trace.md.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

SCHEMA = "swarmsim.trace/1"


@dataclass
class Trace:
    header: dict
    events: list[dict] = field(default_factory=list)

    def of_kind(self, kind: str) -> Iterator[dict]:
        return (e for e in self.events if e["kind"] == kind)

    def tasks(self) -> Iterator[dict]:
        return self.of_kind("task")

    def steps(self) -> list[dict]:
        return list(self.of_kind("step"))

    def dumps(self) -> str:
        lines = [json.dumps(self.header, sort_keys=False, separators=(",", ":"))]
        lines += [json.dumps(e, separators=(",", ":")) for e in self.events]
        return "\n".join(lines) + "\n"

    def write(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(self.dumps())


class TraceWriter:
    """Collects events as they are committed; `finish()` orders them by (t, seq)."""

    def __init__(self, header: dict):
        self.header = {"kind": "header", "schema": SCHEMA, **header}
        self._events: list[dict] = []
        self._seq = 0

    def emit(self, t: float, kind: str, **fields) -> None:
        self._events.append({"t": round(t, 6), "seq": self._seq, "kind": kind, **fields})
        self._seq += 1

    def finish(self) -> Trace:
        return Trace(self.header, sorted(self._events, key=lambda e: (e["t"], e["seq"])))


def _parse_line(path: str | Path, number: int, line: str) -> dict:
    try:
        event = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}:{number}: not a swarmsim trace line ({err.msg}; expected one JSON object "
                         f"per line)") from None
    if not isinstance(event, dict):
        raise ValueError(f"{path}:{number}: not a swarmsim trace line (expected a JSON object)")
    return event


def read_trace(path: str | Path) -> Trace:
    lines = [_parse_line(path, i, line) for i, line in enumerate(Path(path).read_text().splitlines(), 1)
             if line.strip()]
    if not lines or lines[0].get("kind") != "header":
        raise ValueError(f"{path}: not a swarmsim trace (no header line)")
    if lines[0].get("schema") != SCHEMA:
        raise ValueError(f"{path}: unsupported trace schema {lines[0].get('schema')!r}, expected {SCHEMA}")
    return Trace(lines[0], lines[1:])
