"""Secrets and configs as files (FileRef): what `--secret`/`--config` (and a stack's `secrets:`) make of them,
and `service inspect`'s Secrets, Configs and --pretty blocks, as docker 20.10.24 printed on a fresh one-node
swarm (tests/fixtures/cli_output/secret_refs.txt; `python tests/test_secret_refs.py RAW.json` writes it,
tests/one_node.py). docker/cli's ParseSecrets collects a create's references in a Go map, so two or more come
out in an order of the map's: the simulator keeps them as given, and the comparison takes them as a set."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import cli_capture as cc
import one_node
from swarmsim import loads_scenario
from swarmsim.model import FileRef
from swarmsim.scenario.loader import ScenarioError

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "secret_refs.txt"
SECRET = Path(__file__).parent / "fixtures" / "cli_output" / "secret.txt"
_C = f"--no-resolve-image --stop-grace-period 1s {cc.IMAGE} sleep 100000"
REF_STEPS = (
    "docker secret create s1 SECRET",
    "docker secret create s2 SECRET",
    "docker config create c1 SECRET",
    f"docker service create -d --name a --secret s1 --secret source=s2,target=/run/x,mode=0400,uid=5,gid=6 "
    f"--config c1 --config source=c1,target=/etc/c.conf {_C}",
    "docker service inspect --format '{{json .Spec.TaskTemplate.ContainerSpec}}' a",
    "docker service inspect --pretty a",
    f"docker service create -d --name b --secret s1 --secret source=s2,target=s1 --no-resolve-image {cc.IMAGE} "
    "sleep 100000",
    f"docker service create -d --name c --secret source=s1,mode=abc --no-resolve-image {cc.IMAGE} sleep 100000",
    "docker service update -d --secret-rm s1 --secret-add source=s1,target=t2 a",
    "docker service inspect --format '{{json .Spec.TaskTemplate.ContainerSpec.Secrets}}' a",
    "docker service update -d --secret-add source=s2,target=t2 a",
)
REFUSED = [line for line in REF_STEPS if "--name b " in line or "--name c " in line]  # the CLI's, on load


def _steps(steps):
    return [line.replace("SECRET", str(SECRET)) for line in steps]


def _unordered(text: str) -> str:
    """A ContainerSpec's reference lists as sets (the create's order is a Go map's)."""
    try:
        doc = json.loads(text)
    except ValueError:
        return text
    if isinstance(doc, dict):
        for key in ("Secrets", "Configs"):
            doc[key] = sorted(doc.get(key, []), key=json.dumps)
    return json.dumps(doc)


def _pretty_unordered(text: str) -> str:
    """--pretty's Secrets and Configs blocks with their (Target, Source) pairs sorted."""
    lines, out = text.split("\n"), []
    while lines:
        line = lines.pop(0)
        out.append(line)
        if line in ("Secrets:", "Configs:"):
            pairs = []
            while lines and lines[0].startswith(" Target:"):
                pairs.append((lines.pop(0), lines.pop(0)))
            out += [x for pair in sorted(pairs) for x in pair]
    return "\n".join(out)


def test_the_simulator_prints_what_docker_printed():
    real = cc.load(FIXTURE.read_text())
    assert [e["line"] for e in real] == one_node.commands(REF_STEPS)
    outputs = iter(one_node.simulated(_steps([s for s in REF_STEPS if s not in REFUSED])))
    for entry in real:
        if entry["line"] in REFUSED:
            continue
        got, want = cc.normal(next(outputs)), entry["out"]
        assert _pretty_unordered(_unordered(got)) == _pretty_unordered(_unordered(want)), entry["line"]


@pytest.mark.parametrize("line", REFUSED)
def test_the_clis_refusals_on_load(line):
    said = next(e["out"] for e in cc.load(FIXTURE.read_text()) if e["line"] == line).splitlines()[0]
    with pytest.raises(ScenarioError) as info:
        before = [s for s in REF_STEPS[:REF_STEPS.index(line)] if s not in REFUSED]
        loads_scenario(one_node.scenario(_steps([*before, line])))
    assert said in str(info.value)


def test_a_stack_file_sends_its_references_sorted_with_docker_defaults(tmp_path):
    (tmp_path / "s.txt").write_text("x\n")
    (tmp_path / "st.yml").write_text(
        'version: "3.8"\nservices:\n  web:\n    image: nginx\n    secrets:\n      - zz\n'
        '      - {source: aa, target: /run/a, mode: 0400}\nsecrets:\n  zz: {file: ./s.txt}\n  aa: {file: ./s.txt}\n')
    scenario = loads_scenario(f"version: 1\ncluster: {{managers: 1}}\nsteps:\n  - run: docker stack deploy -c "
                              f"{tmp_path / 'st.yml'} app\n")
    (spec,) = scenario.steps[0].parsed.stack.services
    assert spec.task.secrets == (FileRef("app_aa", "/run/a", mode=0o400), FileRef("app_zz", "zz"))


if __name__ == "__main__":
    one_node.record(Path(sys.argv[1]), FIXTURE, _steps(REF_STEPS), cc.normal, shown=REF_STEPS)
