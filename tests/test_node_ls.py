"""`docker node ls` with `-f` and `--format`: the daemon's node filters and the CLI's node formatter, as docker
20.10.24 printed them on a fresh one-node swarm (tests/fixtures/cli_output/node_ls.txt; `python
tests/test_node_ls.py RAW.json` writes it, tests/one_node.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import cli_capture as cc
import one_node

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "node_ls.txt"
NODE_STEPS = (
    "docker node update --label-add zone=a --label-add tier node1",
    "docker node ls -f role=manager",
    "docker node ls -f role=worker",
    "docker node ls -f role=boss",
    "docker node ls -q -f node.label=zone=a",
    "docker node ls -f node.label=zone=b",
    "docker node ls -f node.label=tier --format '{{.Hostname}}'",
    "docker node ls -f name=node --format '{{.Hostname}}'",
    "docker node ls -f name=ode1 --format '{{.Hostname}}'",
    "docker node ls -f name=node1 -f role=worker --format '{{.Hostname}}'",
    "docker node ls -f role=worker -f role=manager --format '{{.Hostname}}'",
    "docker node ls -f membership=accepted --format '{{.Hostname}} {{.Self}}'",
    "docker node ls -f membership=pending",
    "docker node ls -f membership=maybe",
    "docker node ls -f bogus=1",
    "docker node ls -f label=x",
    "docker node ls -f id=zzz",
    "docker node ls --format '{{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}} {{.EngineVersion}} "
    "{{.TLSStatus}} {{.Self}}'",
    "docker node ls --format 'table {{.Hostname}}\\t{{.ManagerStatus}}\\t{{.Availability}}'",
    "docker node ls --format '{{json .}}'",
)


def test_the_simulator_prints_what_docker_printed():
    for entry, output in one_node.pairs(FIXTURE, NODE_STEPS):
        assert cc.normal(output) == entry["out"], entry["line"]


if __name__ == "__main__":
    one_node.record(Path(sys.argv[1]), FIXTURE, NODE_STEPS, cc.normal)
