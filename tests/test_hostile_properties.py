"""Property tests of the hostile-input contract, in-process: random docker command lines built from the real flag
table and random `--format` templates either run or end in one clean error, within bounds.

A clean error is a ScenarioError at load (a `FILE:LINE:` message), a failed step in the trace (the daemon's or
the CLI's refusal) or LimitExceeded; anything else (a TypeError, a KeyError, an OverflowError...) is the finding.
"""
from __future__ import annotations

import json
import shlex

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
