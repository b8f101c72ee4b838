"""The generic `docker inspect NAME...` against docker 20.10.24 (fixtures/cli_output/inspect.json).

docker/cli's inspectAll tries each kind in turn (container, image, network, volume, service, task, node,
plugin, secret) and skips one that has no such object unless --type asks for it; the swarm's kinds only on a
manager. What the simulator finds it prints with the document its own `KIND inspect` prints.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import cli_capture as cc
import one_node
from swarmsim.scenario import ScenarioError, loads_scenario

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "inspect.json"
CREATE = f"docker service create -d --name web --no-resolve-image {cc.IMAGE} sleep 100000"
REFUSED_ON_LOAD = ("--type bogus", "--type config")


def _real() -> list[dict]:
    return [r for r in json.loads(FIXTURE.read_text()) if not any(f in r["line"] for f in REFUSED_ON_LOAD)]


def _simulated(lines: list[str]) -> list[str]:
    return one_node.simulated([CREATE, "SLEEP 3", *lines])[1:]


def test_names_and_kinds_are_looked_up_and_refused_as_docker_does():
    real = _real()
    for r, ours in zip(real, _simulated([r["line"] for r in real]), strict=True):
        if r["stderr"]:
            assert ours.endswith(r["stderr"].rstrip("\n")), r["line"]
        if r["stdout"] in ("[]\n", "\n", "web\n"):
            assert ours.startswith(r["stdout"].rstrip("\n")), r["line"]
        elif r["stdout"]:
            assert json.loads(ours.removesuffix(r["stderr"].rstrip("\n")))[0].keys() == \
                json.loads(r["stdout"])[0].keys(), r["line"]


@pytest.mark.parametrize("kind", ["service", "node", "network"])
def test_what_it_finds_prints_as_the_kinds_own_inspect(kind):
    name = {"service": "web", "node": "node1", "network": "ingress"}[kind]
    generic, own = _simulated([f"docker inspect {name}", f"docker {kind} inspect {name}"])
    assert generic == own


@pytest.mark.parametrize("flag", REFUSED_ON_LOAD)
def test_an_unknown_type_is_refused_in_dockers_words(flag):
    [real] = [r for r in json.loads(FIXTURE.read_text()) if flag in r["line"]]
    with pytest.raises(ScenarioError) as err:
        loads_scenario(one_node.scenario([f"docker inspect {flag} web"]))
    assert str(err.value).endswith(real["stderr"].strip())


def test_a_worker_finds_no_swarm_object_but_its_networks():
    from swarmsim import SimBackend, run_scenario
    steps = ["docker inspect web", "docker inspect -f '{{.Name}}' ingress", "docker inspect --type service web"]
    text = "version: 1\ncluster: {managers: 1, workers: 1}\nservices: {web: {image: nginx}}\nsteps:\n" + "".join(
        f"  - {{run: {json.dumps(s)}, on: node2}}\n" for s in steps)
    out = [s["output"] for s in run_scenario(loads_scenario(text), SimBackend()).steps() if s["step"].startswith("run")]
    assert out[0] == "[]\nError: No such object: web"
    assert out[1] == "ingress\n"
    assert re.search(r"This node is not a swarm manager\. Worker nodes can't be used", out[2])
