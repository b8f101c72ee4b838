"""`docker service logs` flags against docker 20.10.24.

fixtures/cli_output/service_logs.json is what docker printed on a fresh one-node local swarm for STEPS
(`python tests/test_service_logs_flags.py` captures it again; root, docker.io): two replicas that print five
lines each. The simulator, given an image that prints the same five lines, must print the same once IDs are
named by their role, and each output's lines are sorted (docker interleaves the tasks as their lines arrive).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

import cli_capture as cc
import one_node
from swarmsim.scenario import ScenarioError

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "service_logs.json"
_C = f"--no-resolve-image --stop-grace-period 1s {cc.IMAGE}"
STEPS = [f"docker service create -d --name lg --replicas 2 {_C} sh -c 'for i in 1 2 3 4 5; do echo line$i; done; "
         "sleep 100000'", "SLEEP 6",
         "docker service logs --tail 2 lg", "docker service logs -n 1 --no-task-ids lg", "docker service logs --raw lg",
         "docker service logs --no-trunc --tail 1 lg", "docker service logs --no-resolve --tail 1 lg",
         "docker service logs --tail x lg", "docker service logs --tail -1 lg", "docker service logs --tail 0 lg",
         "docker service logs --tail all --no-task-ids lg", "docker service logs nosuch"]
REFUSED = ("--tail x", "--tail -1", "nosuch")  # refused when the scenario loads, in the daemon's words
IMAGES = f"{{{cc.IMAGE}: {{logs: {{start: [line1, line2, line3, line4, line5]}}}}}}"


def comparable(text: str) -> list[str]:
    text = re.sub(r"\b[a-z0-9]{25}\b", "<ID25>", text)
    return sorted(re.sub(r"\b[a-z0-9]{12}\b", "<ID12>", text).splitlines())


def test_the_simulator_prints_what_docker_printed():
    real = [r for r in json.loads(FIXTURE.read_text()) if not r["line"].startswith("docker service create")]
    assert [r["line"] for r in real] == [s for s in STEPS if s.startswith("docker service logs")]
    kept = [s for s in STEPS if not any(word in s for word in REFUSED)]
    printed = dict(zip([s for s in kept if not s.startswith("SLEEP")], one_node.simulated(kept, images=IMAGES)))
    for record in real:
        if any(word in record["line"] for word in REFUSED):
            with pytest.raises(ScenarioError) as refused:
                one_node.simulated([STEPS[0], record["line"]], images=IMAGES)
            assert record["stdout"] + record["stderr"].strip() in str(refused.value)
            continue
        assert comparable(printed[record["line"]]) == comparable(record["stdout"]), record["line"]


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(one_node.capture(STEPS), indent=1) + "\n")
