"""`docker network inspect` on a node: what docker 20.10.24 printed on a fresh one-node swarm, against the
simulator (sim/netinspect.py).

The fixture tests/fixtures/cli_output/network_inspect.txt is NET_STEPS' output on the real swarm (its own
network namespace, the image of the tutorials), normalised as the tutorial's are and with the IDs docker
draws at random (containers, endpoints, peers, local networks: 64 or 12 hex digits) and the node's address
made placeholders. Written by `python tests/test_network_inspect.py RAW.json` (tests/one_node.py; the
local swarm's nodes run with --bip, which the fixture's node did not: bridge's subnet is dockerd's own).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

import cli_capture as cc
import one_node
from swarmsim import SimBackend, loads_scenario, run_scenario
from swarmsim.scenario.loader import ScenarioError

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "network_inspect.txt"
NET_STEPS = (
    "docker network create -d overlay my-net",
    "docker network inspect my-net",
    "docker network create -d overlay --attachable --subnet 10.5.0.0/24 att-net",
    "docker network inspect att-net",
    f"docker service create -d --name web --network my-net --no-resolve-image --stop-grace-period 1s {cc.IMAGE} "
    "sleep 100000",
    "SLEEP 8",
    "docker service ps web",
    "docker network inspect my-net",
    "docker network inspect ingress",
    "docker network inspect --format '{{.Name}} {{.Driver}} {{.Scope}}' my-net ingress",
    "docker network inspect nosuch",
    "docker network inspect my-net nosuch",
    "docker network inspect bridge",
    "docker network inspect docker_gwbridge",
    "docker network inspect host",
    "docker network inspect none",
    "docker service rm web",
    "SLEEP 6",
    "docker network inspect my-net",
)
REFUSED = [line for line in one_node.commands(NET_STEPS) if "nosuch" in line]  # the loader knows the names: refused with docker's words
REAL_ADDR = "10.99.0.1"  # the real node's address

_HEX64 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
_PEER = re.compile(r'("Name": "|gateway_)[0-9a-f]{12}(?=")')
_NODE_ADDR = re.compile(r'"IP": "[\d.]+"')


def comparable(text: str) -> str:
    text = _HEX64.sub("x" * 64, text)
    text = _PEER.sub(lambda m: m[1] + "x" * 12, text)
    return cc.normal(_NODE_ADDR.sub('"IP": "<addr>"', text), nodes=True)


REAL = cc.load(FIXTURE.read_text()) if FIXTURE.exists() else []


def test_the_simulator_prints_what_docker_printed():
    assert [e["line"] for e in REAL] == one_node.commands(NET_STEPS)
    outputs = iter(one_node.simulated([s for s in NET_STEPS if s not in REFUSED]))
    for entry in REAL:
        if entry["line"] not in REFUSED:
            assert comparable(next(outputs)) == entry["out"], entry["line"]


@pytest.mark.parametrize("line", REFUSED)
def test_a_missing_network_is_refused_with_dockers_words(line):
    said = next(e["out"] for e in REAL if e["line"] == line).splitlines()[-1]
    with pytest.raises(ScenarioError) as info:
        loads_scenario(one_node.scenario(NET_STEPS[:NET_STEPS.index(line) + 1]))
    assert said in str(info.value)


def test_a_worker_sees_a_swarm_network_only_while_it_holds_a_task_of_it():
    text = """version: 1
seed: 2
cluster: {managers: 1, workers: 1}
steps:
  - run: docker network create -d overlay n
  - run: docker network inspect --format '{{.Name}}' n
    on: node2
  - run: docker service create -d --name s --network n --constraint node.hostname==node2 img
  - wait: converged
  - run: docker network inspect n
    on: node2
  - run: docker network inspect n
  - run: docker service rm s
  - wait: 10s
  - run: docker network inspect n
    on: node2
"""
    trace = run_scenario(loads_scenario(text), SimBackend())
    before, held, manager, after = [s for s in trace.steps() if "inspect" in s["step"]]
    assert (before["ok"], before["output"].strip()) == (False, "Error: No such network: n")
    (doc,) = json.loads(held["output"])
    assert sorted(c["Name"].split(".")[0] for c in doc["Containers"].values()) == ["n-endpoint", "s"]
    assert [p["IP"] for p in doc["Peers"]] == ["10.0.0.3"]  # node2 holds it, the manager does not
    (seen,) = json.loads(manager["output"])
    assert (seen["Containers"], seen["Labels"], "Peers" in seen) == (None, None, False)
    assert (after["ok"], after["output"].strip()) == (False, "[]\nError: No such network: n")


if __name__ == "__main__":  # python tests/test_network_inspect.py RAW.json: the fixture (tests/one_node.py)
    one_node.record(Path(sys.argv[1]), FIXTURE, NET_STEPS, comparable)
