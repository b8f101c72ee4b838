"""What docker printed for its swarm tutorials on a real swarm against what the simulator prints.

The fixture tests/fixtures/cli_output/tutorial.txt holds the real outputs, normalised
(tests/cli_capture.py says how and how it was recorded; PROVENANCE.md when). Each step runs
in the simulator in the same order on a scenario shaped like the real swarm (three nodes, node1 the
manager at the same address, two CPUs and the same memory each), and its output, normalised the same
way, must be the fixture's.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

import cli_capture as cc
from swarmsim import SimBackend, run_scenario
from swarmsim.dockercli.parse import CommandError, parse_command_line
from swarmsim.model.jointoken import JoinTokens
from swarmsim.scenario import load_scenario
from swarmsim.scenario.loader import ScenarioError

FIXTURES = Path(__file__).parent / "fixtures" / "cli_output"
SEED = 3
MEMORY = 25275990016  # the local swarm's nodes: 23.54GiB, two CPUs


def _scenario_text() -> str:
    join = f"docker swarm join --token {JoinTokens.for_seed(SEED).worker} {cc.SWARM_ADDR}:2377"
    lines = [f"version: 1\nseed: {SEED}\ncluster:\n  nodes:"]
    lines += [f"    - {{name: node{i}, joined: false, cpus: 2, memory: {MEMORY}"
              + (", role: manager}" if i == 1 else "}") for i in (1, 2, 3)]
    lines += ["images:\n  swarmsim/busybox:1:\n    logs: {start: [hello]}", "steps:"]
    for node, line, how in cc.STEPS:
        if line.startswith("SLEEP"):
            lines.append(f"  - wait: {line.split()[1]}s")
        elif _in_scenario(how):
            lines.append(f"  - run: {json.dumps(join if line == 'JOIN' else line)}\n    on: {node}")
    return "\n".join(lines) + "\n"


def _in_scenario(how: str) -> bool:
    """Steps the scenario loader refuses (a mistake it reports with its line) or cannot parse stay out."""
    return how != "load" and not how.startswith("unsupported")


@cache
def simulated(tmp: str) -> dict[int, str]:
    """The simulator's output of every step run in the scenario, by its index in cc.commands()."""
    for name, text in cc.FILES.items():
        (Path(tmp) / name).write_text(text)
    path = Path(tmp) / "tutorial.yaml"
    path.write_text(_scenario_text())
    trace = run_scenario(load_scenario(path), SimBackend())
    outputs = [s["output"] for s in trace.steps() if s["step"].startswith("run:")]
    indexes = [i for i, (_, _, how) in enumerate(cc.commands()) if _in_scenario(how)]
    return dict(zip(indexes, outputs, strict=True))


REAL = cc.load((FIXTURES / "tutorial.txt").read_text())
COMPARED = [(i, step) for i, step in enumerate(cc.commands()) if _in_scenario(step[2]) and
            not step[2].startswith("skip")]


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    return simulated(str(tmp_path_factory.mktemp("tutorial")))


def test_the_fixture_has_every_step():
    assert [(e["node"], e["line"]) for e in REAL] == [(n, line) for n, line, _ in cc.commands()]


@pytest.mark.parametrize("index, step", COMPARED, ids=[f"{i}: {s[1][:60]}" for i, s in COMPARED])
def test_the_simulator_prints_what_docker_printed(sim, index, step):
    _, _, how = step
    assert cc.comparable(sim[index], how) == REAL[index]["out"]
