"""What docker printed for its swarm tutorials on a real swarm against what the simulator prints.

The fixture tests/fixtures/cli_output/tutorial.txt holds the real outputs, normalised
(tests/cli_capture.py says how and how it was recorded; PROVENANCE.md when). Each step runs
in the simulator in the same order on a scenario shaped like the real swarm (three nodes, node1 the
manager at the same address, two CPUs and the same memory each), and its output, normalised the same
way, must be the fixture's.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import cli_capture as cc
from swarmsim import SimBackend, loads_scenario, run_scenario
from swarmsim.model.jointoken import JoinTokens
from swarmsim.scenario import load_scenario
from swarmsim.scenario.loader import ScenarioError
from swarmsim.sim.swarm import SwarmError

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


PROGRESS = cc.load((FIXTURES / "progress.txt").read_text())
PROGRESS_SCENARIO = f"""version: 1
seed: {SEED}
cluster:
  nodes:
    - {{name: node1, role: manager, cpus: 2, memory: {MEMORY}}}
    - {{name: node2, cpus: 2, memory: {MEMORY}}}
    - {{name: node3, cpus: 2, memory: {MEMORY}}}
steps:
""" + "".join(f"  - wait: {line.split()[1]}s\n" if line.startswith("SLEEP") else f"  - run: {line}\n"
              for line in cc.PROGRESS_STEPS)


def test_progress_is_the_terminals_last_screen():
    trace = run_scenario(loads_scenario(PROGRESS_SCENARIO), SimBackend())
    outputs = [s["output"] for s in trace.steps() if s["step"].startswith("run:")]
    assert [cc.normal(out) for out in outputs] == [e["out"] for e in PROGRESS]


def _refusal(tmp: Path, index: int) -> str:
    """What the scenario loader says of one mistaken step appended to the tutorial (after its file and line)."""
    node, line, _ = cc.commands()[index]
    path = tmp / "mistake.yaml"
    path.write_text(_scenario_text() + f"  - run: {json.dumps(line)}\n    on: {node}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value).split(".run: ", 1)[1]


MISTAKES = [(i, step) for i, step in enumerate(cc.commands()) if step[2] == "load"]


@pytest.mark.parametrize("index, step", MISTAKES, ids=[f"{i}: {s[1][:60]}" for i, s in MISTAKES])
def test_a_mistake_is_refused_with_dockers_words(tmp_path, index, step):
    for name, text in cc.FILES.items():
        (tmp_path / name).write_text(text)
    said = REAL[index]["out"].splitlines()
    words = said[1] if said[0] == "[]" else said[0]  # inspect prints an empty list before the error
    assert words.removeprefix("Status: ").removesuffix(", Code: 1") in _refusal(tmp_path, index)


def test_the_daemons_refusals_behind_the_loader_read_like_docker():
    """What the simulated swarm answers when a name the loader could not foresee is missing or taken."""
    backend = SimBackend()
    run_scenario(loads_scenario("version: 1\ncluster: {managers: 1}\nservices:\n  web: {image: nginx}\n"), backend)
    swarm = backend.swarm
    with pytest.raises(SwarmError) as taken:
        swarm.create_service(swarm.service("web").spec)
    assert str(taken.value) == ("Error response from daemon: rpc error: code = AlreadyExists desc = name conflicts "
                                "with an existing object: service web already exists")
    with pytest.raises(SwarmError) as missing:
        swarm.node("nosuch")
    assert str(missing.value) == "Error: No such node: nosuch"
