"""`--format` templates against Go's text/template with docker/cli 20.10's functions.

fixtures/go_templates.json holds Go 1.19.8's answer to each (format, document) of CASES, recorded on
2026-12-03 by fixtures/go_oracle/template/main.go (`go build -o template main.go` there, no dependencies; then
`python tests/test_go_templates.py PATH/TO/template` writes it): the output, or the parse or execution error,
unedited. The simulator runs each format over the same document as a raw
inspect's map (template.RAW: docker decodes it with json.Number for numbers and runs it with
missingkey=error) and must answer the same, word for word.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from swarmsim.dockercli import gotypes, template

FIXTURE = Path(__file__).parent / "fixtures" / "go_templates.json"
DOC = {"Name": "web", "Labels": {"b": "2", "a": "1", "com.docker.stack.namespace": "demo"},
       "Env": ["A=1", "B=two"], "Empty": [], "None": None, "Zero": 0, "Count": 3, "Ratio": 0.5, "On": True,
       "Off": False, "Text": "", "Nested": {"Mode": {"Replicated": {"Replicas": 2}}, "Ports": [
           {"Target": 80, "Published": 8080}, {"Target": 443, "Published": 8443}]},
       "Words": "alpha beta gamma", "Csv": "a,b,,c", "Upper": "MiXeD case-text"}
CASES = [
    "{{range .Env}}{{.}};{{end}}", "{{range .Env}}{{println .}}{{end}}", "{{range $i, $e := .Env}}{{$i}}={{$e}} {{end}}",
    "{{range $e := .Env}}[{{$e}}]{{end}}", "{{range .Empty}}x{{else}}empty{{end}}", "{{range .None}}x{{else}}nil{{end}}",
    "{{range $k, $v := .Labels}}{{$k}}:{{$v}},{{end}}", "{{range .Labels}}{{.}}{{end}}", "{{range .Name}}x{{end}}",
    "{{range .Count}}x{{end}}", "{{range .Nested.Ports}}{{.Target}}->{{.Published}} {{end}}",
    "{{range .Nested.Ports}}{{$.Name}}:{{.Target}} {{end}}",
    "{{if .On}}yes{{end}}", "{{if .Off}}yes{{else}}no{{end}}", "{{if .Zero}}a{{else if .Count}}b{{else}}c{{end}}",
    "{{if .Text}}a{{else if .Empty}}b{{else if .None}}c{{else}}d{{end}}", "{{if .Labels}}has{{end}}",
    "{{if .Empty}}has{{else}}none{{end}}", "{{if not .Off}}x{{end}}", "{{if and .On .Count}}both{{end}}",
    "{{if or .Off .Zero}}any{{else}}neither{{end}}", "{{and .On .Count}}", "{{or .Zero .Text}}", "{{or .Zero .Name}}",
    "{{with .Nested.Mode.Replicated}}{{.Replicas}}{{end}}", "{{with .None}}x{{else}}none{{end}}",
    "{{with $x := .Name}}{{$x}}{{end}}", "{{$n := .Name}}{{$n}}-{{$n}}",
    "{{index .Labels \"a\"}}", "{{index .Labels \"com.docker.stack.namespace\"}}", "{{index .Env 1}}",
    "{{index .Env 5}}", "{{index .Labels 1}}", "{{index .Name 0}}", "{{index .Nested.Ports 0 }}",
    "{{len .Env}} {{len .Labels}} {{len .Name}}", "{{len .Count}}", "{{len .None}}",
    "{{join .Env \", \"}}", "{{join .Name \",\"}}", "{{split .Csv \",\"}}", "{{split .Words \"\"}}",
    "{{upper .Name}} {{lower .Upper}} {{title .Words}}", "{{title .Upper}}", "{{upper .Count}}",
    "{{pad .Name 2 3}}|", "{{pad .Text 2 3}}|", "{{truncate .Words 5}}", "{{truncate .Name 10}}", "{{truncate .Name 3}}",
    "{{.Name | upper}}", "{{.Name | printf \"%s!\"}}", "{{.Env | len}}", "{{.Csv | split \",\" }}",
    "{{printf \"%s-%d\" .Name 3}}", "{{printf \"%v %v\" .Count .On}}", "{{printf \"%d\" .Name}}", "{{printf \"%q\" .Name}}",
    "{{print .Name .Count .On}}", "{{print .Count .Zero}}", "{{println .Name .Count}}",
    "{{eq .Name \"web\"}} {{eq .Name \"x\" \"web\"}} {{ne .Name \"web\"}}", "{{eq .Count 3}}", "{{eq .Name 3}}",
    "{{lt .Zero .Count}} {{gt .Zero .Count}} {{le .Count .Count}} {{ge .Zero .Count}}",
    "{{json .Labels}}", "{{json .Env}}", "{{json .None}}", "{{json .Nested}}", "{{.Labels | json}}",
    "{{- .Name -}} , {{- .Count }}", "a  {{- .Name}}  b", "{{.Name -}}   c", "{{/* a comment */}}x",
    "{{.Missing}}", "{{range .Env}}{{.Missing}}{{end}}", "{{$x}}", "{{nosuch .Name}}", "{{end}}", "{{if .On}}x",
    "{{else}}", "{{range}}x{{end}}", "{{if .On}}a{{else}}b{{else}}c{{end}}", "{{.Name .Count}}", "{{join .Env}}",
    "{{upper}}", "{{(index .Env 0)}}", "{{len (index .Nested.Ports 0)}}", "{{if (eq .Count 3)}}three{{end}}",
    "{{range $i, $e := .Env}}{{if $i}}, {{end}}{{$e}}{{end}}", "{{range .Env}}{{if eq . \"A=1\"}}one{{end}}{{end}}",
    "{{.Ratio}} {{.Count}} {{.On}} {{.Labels}} {{.Env}} {{.Empty}} {{.None}}",
    "{{.None}}", "{{.Count}}", "{{json .Count}}", "{{.Nested.Mode}}", "{{eq .Count \"3\"}}", "{{len .Count}}",
    "{{index .Labels \"zz\"}}", "{{range $x := .Env}}{{end}}{{$x}}", "{{with .Name}}{{$}}{{end}}",
]


def simulated(fmt: str, doc: object) -> tuple[str, str]:
    """The simulator's answer in the oracle's form."""
    try:
        parts = template.compile_format(fmt, template.RAW)[1]
    except template.TemplateError as err:
        return "parse", str(err).removeprefix("template parsing error: ")
    try:
        return "ok", "".join(p if isinstance(p, str) else p(doc) for p in parts)
    except (gotypes.GoError, template.TemplateError) as err:
        return "exec", str(err).removeprefix("template parsing error: ")


@pytest.mark.parametrize("case", json.loads(FIXTURE.read_text()), ids=lambda c: c["format"][:60])
def test_the_simulator_answers_as_go(case):
    assert list(simulated(case["format"], DOC)) == case["go"]


def test_every_case_is_recorded():
    assert [c["format"] for c in json.loads(FIXTURE.read_text())] == CASES


if __name__ == "__main__":
    lines = "".join(json.dumps([fmt, DOC]) + "\n" for fmt in CASES)
    answers = subprocess.run([sys.argv[1]], input=lines, capture_output=True, text=True, check=True).stdout
    FIXTURE.write_text(json.dumps([{"format": fmt, "go": json.loads(line)}
                                   for fmt, line in zip(CASES, answers.splitlines(), strict=True)], indent=1) + "\n")


def test_inspect_and_listing_formats_run_the_typed_object_and_the_rows():
    """The same actions over a service as swarm.Service holds it, and over `node ls` rows: a table's header keeps
    the column names through docker's HeaderFunctions; a named string type is no string to `upper`."""
    import one_node
    c = "--no-resolve-image busybox sleep 100000"
    out = one_node.simulated([
        f"docker service create -d --name web -p 8080:80 --label b=2 --label a=1 -e X=1 -e Y=2 {c}",
        "docker service inspect -f '{{range $k, $v := .Spec.Labels}}{{$k}}={{$v}} {{end}}"
        "{{join .Spec.TaskTemplate.ContainerSpec.Env \",\"}} {{len .Endpoint.Ports}} "
        "{{with .Spec.Mode.Replicated}}{{.Replicas}}{{end}} {{if .UpdateStatus}}u{{else}}-{{end}}' web",
        "docker node ls --format 'table {{lower .Hostname}}\\t{{if eq .Status \"Ready\"}}up{{end}}'",
        "docker node inspect -f '{{.Status.State | upper}}' self"])
    assert out[1] == "a=1 b=2 X=1,Y=2 1 1 -\n"
    assert out[2].split() == ["HOSTNAME", "node1", "up"]
    assert "wrong type for value; expected string; got swarm.NodeState" in out[3]


def test_a_format_that_runs_without_end_is_stopped():
    """Six ranges nested over 20 items would run 64 million actions, none of them writing: the bound stops it."""
    parts = template.compile_format("{{$e := .}}" + "{{range $e}}" * 6 + "{{end}}" * 6, template.RAW)[1]
    with pytest.raises(gotypes.GoError, match="more than 1,000,000 actions"):
        "".join(p if isinstance(p, str) else p(list(range(20))) for p in parts)


@pytest.mark.parametrize("fmt, said", [("{{" + "(" * 150 + ".Name" + ")" * 150 + "}}", "parentheses nested more than"),
                                       ("{{if .Name}}" * 150 + "{{end}}" * 150, "blocks nested more than")])
def test_a_format_nested_past_the_bound_is_refused_as_it_parses(fmt, said):
    with pytest.raises(template.TemplateError, match=said):
        template.check(fmt)


def test_pad_cannot_ask_for_more_than_one_execution_writes():
    parts = template.compile_format("{{pad .Name 999999999 999999999}}", template.RAW)[1]
    with pytest.raises(gotypes.GoError, match="pad widths"):
        parts[0]({"Name": "web"})
