"""Property tests of the hostile-input contract, in-process: random docker command lines built from the real flag
table, random `--format` templates, mutated traces and mutated example scenarios either run or end in one clean
error, within bounds.

A clean error is a ScenarioError at load (a `FILE:LINE:` message), a failed step in the trace (the daemon's or
the CLI's refusal) or LimitExceeded; anything else (a TypeError, a KeyError, an OverflowError...) is the finding.
"""
from __future__ import annotations

import json
import shlex
from dataclasses import replace
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from swarmsim.backend import SimBackend, run_scenario
from swarmsim.dockercli import template
from swarmsim.dockercli.parse import COMMANDS
from swarmsim.model.limits import LimitExceeded
from swarmsim.scenario import ScenarioError, loads_scenario

SCENARIO = """version: 1
limits: {{events: 30000, time: 2h}}
cluster: {{managers: 1, workers: 2}}
images: {{bad: {{exit_after: 1ms, exit_code: 1}}}}
services:
  web: {{image: nginx, deploy: {{replicas: 2}}, ports: ['80:80']}}
networks:
  net1: {{}}
steps:
  - run: {command}
  - wait: 5s
"""

# values docker refuses, accepts at its edges, or that trip a parser: numbers past every integer type,
# non-finite and negative numbers, empty and huge strings, control and bidirectional characters, templates
HOSTILE = ["", "0", "-1", "1", "3", "2.5", "1e400", "nan", "inf", "-0s", "1ns", "1e308s", "2562047h", "5s",
           "18446744073709551615", "18446744073709551616", "9223372036854775808", "0x10", "1/4", "999999P",
           "a=b", "=", "a=", "node.role==manager", "node.labels.x!=", "spread=node.labels.zone", "1-65535:80",
           "80:80", "published=8080,target=80,mode=host", "type=volume,source=v,target=/x", "web", "net1", "node2",
           "nginx", "NGINX", "bad", "{{.ID}}", "{{json .}}", "{{range .}}{{end}}", '{{printf "%999999999d" 1}}',
           "x" * 300, "\u202eweb", "w\u200beb", "caf\xe9", "\x1b[31m", "a b", "true", "false"]
WORDS = st.sampled_from(HOSTILE)


@st.composite
def command_lines(draw) -> str:
    path = draw(st.sampled_from(sorted(COMMANDS)))
    spec = COMMANDS[path]
    words = ["docker", *path.split()]
    for flag in draw(st.lists(st.sampled_from(spec.flags), max_size=4)) if spec.flags else []:
        if flag.parse is None:
            words.append(f"--{flag.name}" + draw(st.sampled_from(["", "=true", "=false", "=maybe"])))
        else:
            words += [f"--{flag.name}", draw(WORDS)]
    words += draw(st.lists(WORDS, min_size=spec.min_args, max_size=spec.min_args + 2))
    return shlex.join(words)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command_lines())
def test_a_random_command_line_runs_or_is_refused_cleanly(line):
    try:
        scenario = loads_scenario(SCENARIO.format(command=json.dumps(line)), "cli.yaml")
    except ScenarioError as err:
        assert str(err).startswith("cli.yaml:") and "\n" not in str(err), str(err)
        return
    try:
        trace = run_scenario(scenario, SimBackend())
    except LimitExceeded as err:
        assert str(err).startswith("cli.yaml:"), str(err)
        return
    assert [s["index"] for s in trace.steps()] == [0, 1]


FIELDS = {"ID": "abc123", "Name": "web", "Spec": {"Name": "web", "Labels": {"a": "1"}, "Mode": {"Replicated": {}}},
          "Replicas": "2/2", "Ports": [], "Nested": {"List": [1, {"x": None}], "Flag": True}}
PIECES = st.sampled_from(["{{", "}}", "{{-", "-}}", " ", ".", ".ID", ".Name", ".Spec", ".Spec.Name", ".Spec.Labels",
                          ".Nested.List", ".Nested.Flag", ".Nope", ".ID.Deeper", "json", "range", "end", "if",
                          "printf", '"%999999999d"', "1", "|", "\\t", "\\n", "table", "text", "}", "{", "/*", "*/",
                          '"', "'", "$x", ":=", "(", ")", "index", "template", "define"])


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, max_size=24).map("".join))
def test_a_random_template_renders_or_is_refused_cleanly(fmt):
    """Every format either parses and renders each item (its output bounded by the format's actions, never a
    `%999999999d` or a range over something huge), or is a TemplateError with text/template's wording."""
    try:
        out = template.execute(fmt, [FIELDS, FIELDS], {"ID": "ID", "Name": "NAME"}, "formatter.serviceContext",
                               lambda rows: "\n".join("\t".join(r) for r in rows) + "\n")
    except template.TemplateError as err:
        assert str(err).startswith(("template parsing error: template: :1:", "template: :1:")), str(err)
        return
    assert len(out) <= 4 * (len(fmt) + 1) * (len(json.dumps(FIELDS)) + 8)


HEADER = {"kind": "header", "schema": "swarmsim.trace/1", "backend": "sim", "scenario": "x", "seed": 0,
          "nodes": ["n1", "n2"], "swarmsim": "0.1.0"}
EVENTS = [
    {"kind": "node", "node": "n1", "status": "ready", "availability": "active", "role": "manager", "leader": True},
    {"kind": "service", "service": "web", "update_state": None, "replicas": 2},
    {"kind": "task", "task": "web.1", "gen": 1, "service": "web", "slot": 1, "node": "n1", "state": "running",
     "desired": "running", "image": "nginx", "msg": "started", "err": ""},
    {"kind": "service", "service": "web", "update_state": "updating", "replicas": 2},
    {"kind": "task", "task": "web.1", "gen": 1, "service": "web", "slot": 1, "node": "n1", "state": "shutdown",
     "desired": "shutdown", "image": "nginx", "msg": "shutdown", "err": ""},
    {"kind": "request", "port": 80, "ok": False, "latency": None, "via": "n2", "node": None, "task": None,
     "err": "connection refused: no backend"},
    {"kind": "request", "port": 80, "via": "any", "count": 50, "failed": 3, "interval": 1.0},
    {"kind": "node", "node": "n2", "status": "down", "availability": "active", "role": "worker", "leader": False},
    {"kind": "step", "index": 0, "step": "wait: 5s", "ok": True, "output": "", "reached": True},
]
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) |
                           st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                         max_size=3), max_leaves=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.tuples(st.integers(0, len(EVENTS) - 1), st.integers(0, 20), JSON_VALUES), max_size=12),
       drops=st.lists(st.integers(0, 20), max_size=2))
def test_a_mutated_trace_is_compared_or_refused_cleanly(tmp_path_factory, picks, drops):
    """Fields of a valid trace changed to any JSON value (or dropped): read_trace refuses the file with one
    TraceError, or compare and the summary read it without any other exception."""
    from swarmsim.analysis.compare import compare, format_comparison
    from swarmsim.analysis.metrics import summary
    from swarmsim.trace import TraceError, read_trace
    events = [dict(e, t=float(i), seq=i) for i, e in enumerate(EVENTS)]
    for which, field, value in picks:
        keys = sorted(events[which])
        events[which][keys[field % len(keys)]] = value
    for field in drops:
        keys = sorted(events[field % len(events)])
        events[field % len(events)].pop(keys[field % len(keys)], None)
    path = tmp_path_factory.mktemp("t") / "a.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in [HEADER, *events]) + "\n")
    try:
        trace = read_trace(path)
    except TraceError as err:
        assert str(err).startswith(f"{path}:") and "\n" not in str(err)
        return
    summary(trace)
    format_comparison(compare(trace, trace))


ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted([*ROOT.glob("examples/*.yaml"), *ROOT.glob("validation/scenarios/*.yaml")])


def _paths(value, path=()):
    yield path
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield from _paths(child, path + (key,))


def _mutated(data, picks: list[tuple[int, object]]):
    """`data` with the value at each picked path (the n-th path, modulo their count) replaced."""
    for n, value in picks:
        where = list(_paths(data))[1:]
        *parents, key = where[n % len(where)]
        node = data
        for parent in parents:
            node = node[parent]
        node[key] = value
    return data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, len(SCENARIOS) - 1),
       picks=st.lists(st.tuples(st.integers(0, 10**6), JSON_VALUES | WORDS), min_size=1, max_size=3))
def test_a_mutated_example_scenario_runs_or_is_refused_cleanly(index, picks):
    """Any value of an example or validation scenario replaced by a hostile one (4,000 examples once: a null
    constraint and a cluster of no nodes were internal errors): a ScenarioError at load, or a run that ends
    (here within 30,000 SimPy events, else LimitExceeded)."""
    path = SCENARIOS[index]
    data = _mutated(yaml.safe_load(path.read_text()), picks)
    try:
        scenario = loads_scenario(yaml.safe_dump(data), str(path))
    except ScenarioError as err:
        assert str(err).startswith(f"{path}") and "\n" not in str(err), str(err)
        return
    try:
        run_scenario(replace(scenario, limits=replace(scenario.limits, events=30_000)), SimBackend())
    except LimitExceeded as err:
        assert str(err).startswith(f"{path}"), str(err)


STACKS = sorted(ROOT.glob("tests/stacks/*.yml"))
STACK_VALUES = JSON_VALUES | WORDS | st.sampled_from(["${X:?unset}", "${X:-${Y}}", "$$", "${", "80-90:80-90", "host",
                                                      "global", "replicated-job", "overlay"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, len(STACKS) - 1),
       picks=st.lists(st.tuples(st.integers(0, 10**6), STACK_VALUES), min_size=1, max_size=3))
def test_a_mutated_stack_file_deploys_or_is_refused_cleanly(tmp_path_factory, index, picks):
    """Any value of a real stack file replaced by a hostile one, deployed by a step (3,000 examples once: a
    non-mapping services:, networks: or service volumes: were internal errors)."""
    data = _mutated(yaml.safe_load(STACKS[index].read_text()), picks)
    folder = tmp_path_factory.mktemp("stack")
    (folder / "st.yml").write_text(yaml.safe_dump(data))
    text = ("version: 1\ncluster: {managers: 1, workers: 2}\nsteps:\n  - run: docker network create -d overlay proxy\n"
            "  - run: docker stack deploy -c st.yml app\n  - wait: 10s\n")
    try:
        scenario = loads_scenario(text, str(folder / "s.yaml"))
    except ScenarioError as err:
        assert str(err).startswith((str(folder / "s.yaml"), "st.yml")), str(err)
        return
    try:
        run_scenario(replace(scenario, limits=replace(scenario.limits, events=30_000)), SimBackend())
    except LimitExceeded:
        pass
