"""The trace file's task lines, written by a fast path, are exactly what json writes."""
import json

from hypothesis import given, strategies as st

from swarmsim.trace import Trace, TraceWriter

_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                     lambda inner: st.lists(inner, max_size=3), max_leaves=5)
_text = st.text() | st.sampled_from(["running", "café", "a\"b\\c", "\u202e", "\x00\n"])
_task_fields = st.fixed_dictionaries({
    "t": st.floats(min_value=0, max_value=1e9) | st.integers(0, 10**6) | st.just(float("inf")),
    "seq": st.integers(0, 10**12) | st.booleans(), "kind": st.just("task"), "task": _text,
    "gen": st.integers(0, 10**6) | _json, "service": _text, "slot": st.integers(0, 10**6) | st.booleans() | _json,
    "node": st.none() | _text, "state": _text, "desired": _text, "image": _text | _json, "msg": _text,
    "err": _text})


@given(_task_fields, st.booleans())
def test_task_lines_are_json_exactly(event, extra):
    if extra:  # a task event with a field more (as a newer schema might write) goes through json
        event = {**event, "exit_code": 1}
    expected = json.dumps(event, separators=(",", ":"), allow_nan=True) + "\n"
    assert list(Trace({}, [event]).lines())[1] == expected


@given(st.lists(st.floats(min_value=0, max_value=100).map(lambda t: round(t, 1)), max_size=30))
def test_finish_orders_by_time_then_writing_order(times):
    writer = TraceWriter({})
    for t in times:
        writer.emit_task(t, "web.1", 1, "web", 1, None, "new", "running", "nginx", "created", "")
    events = writer.finish().events
    assert [(e["t"], e["seq"]) for e in events] == sorted((e["t"], e["seq"]) for e in events)
    assert sorted(e["seq"] for e in events) == list(range(len(times)))
