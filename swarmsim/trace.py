"""The trace: JSON Lines of what happened, shared by the simulated and real backends.

The first line is a header; every other line is one event ordered by (t, seq).
The contract is docs/reference/trace.md.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii as _quote
from operator import itemgetter
from pathlib import Path
from typing import Iterator

from .inputs import InputError, read_lines

SCHEMA = "swarmsim.trace/1"


_LIVES = ("task", "deleted")


@dataclass
class Trace:
    header: dict
    events: list[dict] = field(default_factory=list)
    _kinds: tuple = field(default=(None, 0, {}), init=False, repr=False, compare=False)

    def of_kind(self, kind: str | tuple[str, ...]) -> Iterator[dict]:
        """The events of one kind (or of several, `task_lives`' pair), in order. The summary asks for a kind
        some twenty times: one pass sorts the events by kind, kept while `events` is the same list at the
        same length."""
        events, length, by_kind = self._kinds
        if events is not self.events or length != len(self.events):
            by_kind = {_LIVES: []}
            for e in self.events:
                kind_of = e["kind"]
                by_kind.setdefault(kind_of, []).append(e)
                if kind_of in _LIVES:
                    by_kind[_LIVES].append(e)
            self._kinds = (self.events, len(self.events), by_kind)
        return iter(by_kind.get(kind, ()))

    def tasks(self) -> Iterator[dict]:
        return self.of_kind("task")

    def steps(self) -> list[dict]:
        return list(self.of_kind("step"))

    def lines(self) -> Iterator[str]:
        """The file's lines, each with its newline."""
        encode = json.JSONEncoder(separators=(",", ":")).encode
        yield encode(self.header) + "\n"
        for e in self.events:
            line = _task_line(e) if e.get("kind") == "task" else None
            yield (line or encode(e)) + "\n"

    def dumps(self) -> str:
        return "".join(self.lines())

    def write(self, path: str | Path) -> None:
        """Streamed line by line: a large trace is never one string in memory."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with Path(path).open("w") as f:
            f.writelines(self.lines())


class TraceWriter:
    """Collects events as they are committed; `finish()` orders them by (t, seq)."""

    def __init__(self, header: dict):
        self.header = {"kind": "header", "schema": SCHEMA, **header}
        self._events: list[dict] = []
        self._seq = 0

    def emit(self, t: float, kind: str, **fields) -> None:
        self._events.append({"t": round(t, 6), "seq": self._seq, "kind": kind, **fields})
        self._seq += 1

    def emit_task(self, t: float, task: str, gen: int, service: str, slot: int, node: str | None, state: str,
                  desired: str, image: str, msg: str, err: str) -> None:
        """`emit(t, "task", ...)` for the most frequent kind, without building the fields twice."""
        self._events.append({"t": round(t, 6), "seq": self._seq, "kind": "task", "task": task, "gen": gen,
                             "service": service, "slot": slot, "node": node, "state": state, "desired": desired,
                             "image": image, "msg": msg, "err": err})
        self._seq += 1

    def finish(self) -> Trace:
        """The events by (t, seq): seq is the order of writing, so a stable sort on t alone gives it."""
        return Trace(self.header, sorted(self._events, key=_T))


_T = itemgetter("t")
_TASK_KEYS = ("t", "seq", "kind", "task", "gen", "service", "slot", "node", "state", "desired", "image", "msg", "err")


def _task_line(e: dict) -> str | None:
    """A task event as `json.dumps(e, separators=(",", ":"))` writes it, three times faster; None for any
    event not exactly of the shape `TraceWriter.emit_task` makes (json then writes it). A trace of 100,000
    tasks has over a million such lines: this was a tenth of a 1,000-node run."""
    if len(e) != 13 or tuple(e) != _TASK_KEYS:
        return None
    t, seq, _, task, gen, service, slot, node, state, desired, image, msg, err = e.values()
    if not (type(t) is float and t - t == 0 and type(seq) is int and type(gen) is int and type(slot) is int
            and type(task) is str and type(service) is str and (node is None or type(node) is str)
            and type(state) is str and type(desired) is str and type(image) is str and type(msg) is str
            and type(err) is str):
        return None
    return (f'{{"t":{t!r},"seq":{seq},"kind":"task","task":{_quote(task)},"gen":{gen},"service":{_quote(service)},'
            f'"slot":{slot},"node":{"null" if node is None else _quote(node)},"state":{_quote(state)},'
            f'"desired":{_quote(desired)},"image":{_quote(image)},"msg":{_quote(msg)},"err":{_quote(err)}}}')


# The contract of docs/reference/trace.md, as read_trace checks it: the fields every event of a kind
# carries, and the values its states may take. Other fields may be present (the schema grows).
class _OneOf(tuple):
    """The values a field may take (None for null), as opposed to the types it may have."""


TASK_STATES = _OneOf(("new", "pending", "assigned", "accepted", "preparing", "ready", "starting", "running",
                      "complete", "shutdown", "failed", "rejected", "remove", "orphaned"))
UPDATE_STATES = _OneOf((None, "updating", "paused", "completed", "rollback_started", "rollback_paused",
                        "rollback_completed"))
NODE_STATUSES = _OneOf(("ready", "down", "unknown", "disconnected"))
_TEXT, _INT, _NUMBER, _FLAG = "a string", "an integer", "a finite number", "true or false"
REQUIRED: dict[str, dict[str, object]] = {
    "task": {"task": _TEXT, "gen": _INT, "service": _TEXT, "slot": _INT, "node": (_TEXT, None),
             "state": TASK_STATES, "desired": TASK_STATES, "msg": _TEXT, "err": _TEXT},
    "deleted": {"task": _TEXT, "gen": _INT, "service": _TEXT, "slot": _INT, "node": (_TEXT, None),
                "state": TASK_STATES, "desired": TASK_STATES},
    "service": {"service": _TEXT, "update_state": UPDATE_STATES, "replicas": (_INT, None)},
    "node": {"node": _TEXT, "status": NODE_STATUSES, "availability": _OneOf(("active", "pause", "drain")),
             "role": _OneOf(("manager", "worker")), "leader": _FLAG},
    "step": {"index": _INT, "step": _TEXT, "ok": _FLAG, "output": _TEXT},
    "request": {"port": _INT},
}


# Fields a kind may carry (docs/reference/trace.md), checked when present: a per-request event has `ok`, an
# aggregate `count` and `failed`; the analysis adds them up and formats them.
OPTIONAL: dict[str, dict[str, object]] = {
    "request": {"via": _TEXT, "ok": _FLAG, "latency": (_NUMBER, None), "node": (_TEXT, None),
                "task": (_TEXT, None), "err": _TEXT, "attempts": _INT, "source": _TEXT, "target": _TEXT,
                "count": _INT, "failed": _INT, "interval": _NUMBER},
    "step": {"reached": (_FLAG, None)},
}
HEADER: dict[str, object] = {"backend": _TEXT, "scenario": _TEXT, "seed": _INT, "swarmsim": _TEXT}
_FLOAT_MAX = 1.7976931348623157e308


def _test(kind: object):
    """A predicate for one type of REQUIRED's rules (json gives exact types: bool is not an int here)."""
    if kind is None:
        return lambda v: v is None
    if kind == _TEXT:
        return lambda v: type(v) is str
    if kind == _FLAG:
        return lambda v: type(v) is bool
    if kind == _INT:
        return lambda v: type(v) is int
    return lambda v: (type(v) is float and math.isfinite(v)) or (type(v) is int and -_FLOAT_MAX <= v <= _FLOAT_MAX)


def _predicate(rule: object):
    if isinstance(rule, _OneOf):  # strings, and None
        values = frozenset(rule)
        return lambda v: (v is None or type(v) is str) and v in values
    tests = [_test(r) for r in (rule if isinstance(rule, tuple) else (rule,))]
    return tests[0] if len(tests) == 1 else (lambda v: any(t(v) for t in tests))


def _describe(rule: object) -> str:
    names = ["null" if r is None else str(r) for r in (rule if isinstance(rule, tuple) else (rule,))]
    return "one of " + ", ".join(names) if isinstance(rule, _OneOf) else " or ".join(names)


_CHECKS = {kind: (tuple((name, _predicate(rule), rule) for name, rule in (("t", _NUMBER), ("seq", _INT),
                                                                          *fields.items())),
                  tuple((name, _predicate(rule), rule) for name, rule in OPTIONAL.get(kind, {}).items()))
           for kind, fields in REQUIRED.items()}
_HEADER_CHECKS = tuple((name, _predicate(rule), rule) for name, rule in HEADER.items())


def check_event(event: object) -> str | None:
    """What breaks the trace contract in one event line, or None."""
    if not isinstance(event, dict):
        return "expected a JSON object"
    kind = event.get("kind")
    if kind == "header":
        return "a second header line (expected one, on the first line)"
    if not isinstance(kind, str) or kind not in _CHECKS:
        return f"unknown kind {json.dumps(kind)[:60]} (expected one of: {', '.join(REQUIRED)})"
    required, optional = _CHECKS[kind]
    for name, allowed, rule in required:
        if name not in event:
            return f"a {kind} event without {name!r}"
        if not allowed(event[name]):
            return f"{kind} field {name!r} is {json.dumps(event[name])[:60]} (expected {_describe(rule)})"
    for name, allowed, rule in optional:
        if name in event and not allowed(event[name]):
            return f"{kind} field {name!r} is {json.dumps(event[name])[:60]} (expected {_describe(rule)})"
    if event["t"] < 0 or event["seq"] < 0:
        return "negative t or seq (expected times from the scenario's start)"
    if kind == "request":
        return _check_request(event)
    return None


def _check_request(event: dict) -> str | None:
    if "ok" in event:
        return None
    if not ("count" in event and "failed" in event):
        return "a request event with neither ok nor count and failed"
    if not 0 <= event["failed"] <= event["count"]:
        return (f"an aggregate of {event['count']} requests with {event['failed']} failed (expected 0 <= failed "
                "<= count)")
    if event.get("interval", 1.0) <= 0:
        return f"an aggregate over an interval of {event['interval']} s (expected a positive interval)"
    return None


def check_header(header: dict) -> str | None:
    """What breaks the contract in the header line, or None."""
    if header.get("schema") != SCHEMA:
        return f"unsupported trace schema {header.get('schema')!r}, expected {SCHEMA}"
    for name, allowed, rule in _HEADER_CHECKS:
        if name in header and not allowed(header[name]):
            return f"header field {name!r} is {json.dumps(header[name])[:60]} (expected {_describe(rule)})"
    nodes = header.get("nodes", [])
    if not isinstance(nodes, list) or not all(type(n) is str for n in nodes):
        return f"header field 'nodes' is {json.dumps(nodes)[:60]} (expected a list of strings)"
    return None


def _parse_line(path: str | Path, number: int, line: str) -> dict:
    try:
        event = _DECODER.decode(line)
    except (json.JSONDecodeError, ValueError, RecursionError) as err:
        problem = err.msg if isinstance(err, json.JSONDecodeError) else str(err) or "nested too deeply"
        raise TraceError(path, number, f"not a swarmsim trace line ({problem}; expected one JSON object "
                                       f"per line)") from None
    if not isinstance(event, dict):
        raise TraceError(path, number, "not a swarmsim trace line (expected a JSON object)")
    return event


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _integer(text: str) -> int:
    if len(text) > 4300:  # Python's own bound on int(str); its message would name sys.set_int_max_str_digits
        raise ValueError(f"an integer of {len(text):,} digits")
    return int(text)


_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_int=_integer)  # one: json.loads makes one a line


class TraceError(ValueError):
    """A file that breaks the trace contract; str() is `FILE:LINE: what was wrong (what was expected)`."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


def read_trace(path: str | Path) -> Trace:
    """The trace in `path`, checked against the contract: one header first, known kinds and states, the
    fields each kind carries, finite times, and (t, seq) order. Any breach is one TraceError."""
    header, events, last, seen = None, [], None, set()
    try:
        for number, line in read_lines(path):
            if not line.strip():
                continue
            event = _parse_line(path, number, line)
            if header is None:
                if event.get("kind") != "header":
                    raise TraceError(path, number, "not a swarmsim trace (expected a header line first)")
                if problem := check_header(event):
                    raise TraceError(path, number, problem)
                header = event
                continue
            problem = check_event(event)
            if problem:
                raise TraceError(path, number, problem)
            order = (event["t"], event["seq"])
            if last is not None and order <= last:
                raise TraceError(path, number, f"event (t={order[0]}, seq={order[1]}) after (t={last[0]}, "
                                               f"seq={last[1]}) (expected events sorted by (t, seq), as "
                                               "swarmsim writes them)")
            if event["seq"] in seen:
                raise TraceError(path, number, f"seq {event['seq']} appears twice (expected each event written "
                                               "once, numbered in writing order)")
            seen.add(event["seq"])
            last = order
            events.append(event)
    except InputError as err:
        raise TraceError(err.path, err.line, err.message) from None
    if header is None:
        raise TraceError(path, None, "not a swarmsim trace (empty; expected a header line first)")
    return Trace(header, events)
