"""The docs agree with the code.

- Every YAML scenario in the docs loads; fragments use only top-level scenario keys.
- Every key in docs/reference/scenario.md's key tables appears in a scenario there that loads, and
  every key the loader accepts is documented; the documented timing defaults are Timing()'s.
- Every `run:` command and flag documented exists in swarmsim.dockercli.parse, and all of them are documented.
- Every field a simulated trace carries is documented in docs/reference/trace.md.
- Every relative link (and #anchor) in the docs resolves; every module path named exists.
"""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
import yaml

from swarmsim import SimBackend, run_scenario
from swarmsim.scenario import compose, loader as scenario_module
from swarmsim.dockercli.parse import COMMANDS, CommandError
from swarmsim.model.scenario import Timing
from swarmsim.scenario import loads_scenario

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
OWN = ["architecture.md", "tutorial.md", "fidelity.md", "reference/scenario.md", "reference/trace.md",
       "reference/cli.md"]
SCENARIO_MD = DOCS / "reference" / "scenario.md"
TRACE_MD = DOCS / "reference" / "trace.md"


def _text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", text, re.S | re.M)


def _spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def _tables(text: str, first: str) -> list[list[str]]:
    """Rows (as cell lists) of every table whose header's first cell is `first`."""
    rows, inside = [], False
    for line in text.splitlines():
        if not line.startswith("|"):
            inside = False
            continue
        cells = _cells(line)
        if not inside and cells and cells[0] == first:
            inside = True
            continue
        if inside and not set(line) <= set("|- "):
            rows.append(cells)
    return rows


def _sections(text: str) -> dict[str, str]:
    """`## heading` -> its text."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


# -- scenarios ----------------------------------------------------------------------------------------

def _is_scenario(block: str) -> bool:
    return any(line.startswith("version:") for line in block.splitlines())


def _write_files(text: str, where: Path) -> None:
    """Blocks starting `# file: NAME` are files other blocks refer to (e.g. a stack file)."""
    for block in _blocks(text, "yaml"):
        first = block.splitlines()[0]
        if first.startswith("# file: "):
            (where / first.removeprefix("# file: ").strip()).write_text(block)


@pytest.mark.parametrize("name", OWN)
def test_yaml_blocks_load(name, tmp_path):
    text = _text(name)
    _write_files(text, tmp_path)
    for block in _blocks(text, "yaml"):
        if block.startswith("# file: "):
            continue
        if _is_scenario(block):
            loads_scenario(block, str(tmp_path / "scenario.yaml"))
        elif block.startswith("scenario: "):  # a sweep file, next to the base scenario it names
            from swarmsim.sweep import load_sweep
            base = yaml.safe_load(block)["scenario"]
            (tmp_path / base).write_text((ROOT / "experiments" / base).read_text())
            (tmp_path / "sweep.yaml").write_text(block)
            load_sweep(tmp_path / "sweep.yaml")
        else:  # a fragment of a scenario: top-level keys only
            data = yaml.safe_load(block)
            assert isinstance(data, dict) and set(data) <= set(scenario_module.TOP_KEYS), block


# user-chosen names at these paths; their keys are not part of the schema
_NAMED = {"services": "NAME", "networks": "NAME", "images": "IMAGE", "services.NAME.networks": "NAME"}
# free-form mappings whose keys are the user's
_OPAQUE = ("labels", "engine_labels", "environment", "driver_opts")


def _paths(data: object, prefix: str = "") -> set[str]:
    out = set()
    if isinstance(data, dict):
        for key, value in data.items():
            key = _NAMED.get(prefix, key)
            path = f"{prefix}.{key}" if prefix else str(key)
            out.add(path)
            if str(key) not in _OPAQUE:
                out |= _paths(value, path)
    elif isinstance(data, list):
        for item in data:
            out |= _paths(item, prefix + "[]")
    return out


def _documented_keys() -> dict[str, list[str]]:
    return {_spans(row[0])[0]: row for row in _tables(SCENARIO_MD.read_text(), "key")}


def _example_paths(tmp_path: Path) -> set[str]:
    text = SCENARIO_MD.read_text()
    _write_files(text, tmp_path)
    out = set()
    for block in _blocks(text, "yaml"):
        if _is_scenario(block) and not block.startswith("# file: "):
            loads_scenario(block, str(tmp_path / "scenario.yaml"))
            out |= _paths(yaml.load(block, Loader=yaml.BaseLoader))  # keys as written (`on:` is not True)
    return out


def test_every_documented_key_is_in_a_loading_example(tmp_path):
    documented, used = set(_documented_keys()), _example_paths(tmp_path)
    missing = sorted(documented - used)
    assert not missing, f"documented in scenario.md but in no example there that loads: {missing}"


def test_every_accepted_key_is_documented():
    documented = set(_documented_keys())
    expected = {*scenario_module.TOP_KEYS,
                *(f"cluster.nodes[].{k}" for k in scenario_module.NODE_KEYS),
                *(f"cluster.{k}" for k in scenario_module.SHORTHAND_KEYS),
                *(f"traffic[].{k}" for k in scenario_module.TRAFFIC_KEYS),
                *(f"steps[].{k}" for k in scenario_module.ACTIONS + ("on", "timeout") if k not in ("fail",)),
                "steps[].fail.node", "steps[].fail.kind",
                *(f"services.NAME.{k}" for k in compose.SERVICE_KEYS),
                *(f"services.NAME.deploy.{k}" for k in compose.DEPLOY_KEYS
                  if k not in ("placement", "resources", "restart_policy", "update_config")),
                *(f"services.NAME.deploy.update_config.{k}" for k in compose.UPDATE_KEYS),
                *(f"images.IMAGE.{k}" for k in compose.WORKLOAD_KEYS),
                *(f"timing.{f.name}" for f in dataclasses.fields(Timing))}
    missing = sorted(expected - documented)
    assert not missing, f"accepted by the loader but not documented in docs/reference/scenario.md: {missing}"


def test_timing_defaults_are_the_code_defaults():
    base = Timing()
    for path, row in _documented_keys().items():
        if not path.startswith("timing."):
            continue
        name, cell = path.removeprefix("timing."), _spans(row[2])[0]
        value = getattr(base, name)
        if isinstance(value, tuple):
            assert tuple(float(x) for x in cell.strip("[]").split(",")) == value, path
        elif isinstance(value, str):
            assert cell == value, path
        else:
            assert float(cell) == value, f"{path}: documented {cell}, Timing() has {value}"


# -- commands -----------------------------------------------------------------------------------------

def _flag_rows() -> list[tuple[list[str], list[str]]]:
    rows = []
    for row in _tables(SCENARIO_MD.read_text(), "flag"):
        flags = [s for s in _spans(row[0]) if s.startswith("-")]
        commands = _spans(row[1])
        rows.append((flags, commands))
    return rows


def test_documented_commands_exist_and_all_are_documented():
    documented = [_spans(row[0])[0] for row in _tables(SCENARIO_MD.read_text(), "command")]
    unknown = [c for c in documented if c not in COMMANDS]
    assert not unknown, f"documented commands dockercli.parse does not accept: {unknown}"
    missing = [c for c in COMMANDS if c not in documented]
    assert not missing, f"commands dockercli.parse accepts but docs/reference/scenario.md does not list: {missing}"


def test_documented_flags_are_accepted():
    for flags, commands in _flag_rows():
        for command in commands:
            spec = COMMANDS[command]
            for flag in flags:
                try:
                    if flag.startswith("--"):
                        spec.long(flag[2:])
                    else:
                        spec.short(flag[1:], flag)
                except CommandError as err:
                    pytest.fail(f"docs say `docker {command}` takes {flag}: {err}")


def test_every_flag_is_documented():
    documented = {(c, f) for flags, commands in _flag_rows() for c in commands for f in flags}
    missing = [f"{path} {flag.label}" for path, spec in COMMANDS.items() for flag in spec.flags
               if (path, f"--{flag.name}") not in documented]
    assert not missing, f"flags not in the flag table of docs/reference/scenario.md: {missing}"


# -- the trace ----------------------------------------------------------------------------------------

def _trace_fields() -> dict[str, set[str]]:
    sections = _sections(TRACE_MD.read_text())
    fields = {name: {_spans(row[0])[0] for row in _tables(body, "field")} for name, body in sections.items()}
    common = fields["Fields of every event"]
    return {kind: fields[kind] | common for kind in ("task", "service", "node", "step", "request")} | {
        "header": fields["Header"]}


def test_trace_fields_are_documented():
    documented = _trace_fields()
    scenario = loads_scenario("""
version: 1
cluster: {managers: 1, workers: 2}
services:
  web: {image: web:1, ports: ["8080:80"], deploy: {replicas: 3}}
images:
  web:1: {}
traffic: [{port: 8080, rate: 2}]
steps:
  - run: docker service update --image web:2 web
  - wait: converged
    timeout: 1m
""")
    trace = run_scenario(scenario, SimBackend())
    assert set(trace.header) <= documented["header"], set(trace.header) - documented["header"]
    for event in trace.events:
        extra = set(event) - documented[event["kind"]]
        assert not extra, f"{event['kind']} events carry undocumented fields {sorted(extra)}"


def test_trace_example_is_valid_json_with_documented_fields():
    documented = _trace_fields()
    for block in _blocks(TRACE_MD.read_text(), "json"):
        for line in block.splitlines():
            event = json.loads(line)
            assert set(event) <= documented[event["kind"]], line


# -- links and paths ----------------------------------------------------------------------------------

def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


@pytest.mark.parametrize("name", OWN)
def test_links_resolve(name):
    doc = DOCS / name
    text = re.sub(r"^```.*?^```", "", doc.read_text(encoding="utf-8"), flags=re.S | re.M)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        assert path.exists(), f"{name} links to {target}, which does not exist"
        if anchor and path.suffix == ".md":
            assert anchor in _anchors(path), f"{name} links to {target}: no such heading"


@pytest.mark.parametrize("name", OWN)
def test_module_paths_exist(name):
    """Every `something.py` path in a code span names a file of this repository."""
    for span in set(_spans(_text(name))):
        if not re.fullmatch(r"[\w./-]+\.py", span) or "/" not in span:
            continue
        candidates = [ROOT / span, ROOT / "swarmsim" / span]
        assert any(p.exists() for p in candidates), f"{name} names {span}, which does not exist"


def test_compose_key_table_is_the_loader_table():
    from swarmsim.scenario.composeschema import KEYS
    rows = _tables(SCENARIO_MD.read_text(), "compose key")
    documented = {_spans(row[0])[0]: (row[1], row[2], row[3]) for row in rows}
    assert documented == {k.path: (k.since, k.status, k.type) for k in KEYS.values()}
