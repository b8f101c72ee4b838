"""`docker node update --availability drain node2 && docker service ps web`, back to back, as a real swarm
printed it (tests/fixtures/drain_ps/, recorded on the local swarm with the 20.10 CLI).

Each `run:` step costs the CLI's round trip before its request acts (Timing.cli_start), so the second
command sees what the first one caused: the drained node's tasks already desired Shutdown and their
replacements Ready and Assigned. Before that cost existed, `service ps` showed the state before the drain.
"""
from __future__ import annotations

import re
from pathlib import Path

from swarmsim.backend import SimBackend, run_scenario
from swarmsim.scenario import loads_scenario

FIXTURES = Path(__file__).parent / "fixtures" / "drain_ps"
SCENARIO = """version: 1
seed: 27
cluster: {managers: 1, workers: 2}
timing: {contention_scope: host}
steps:
  - run: docker service create -d --no-resolve-image --name web --replicas 4 --stop-grace-period 1s swarmsim/busybox:1 sleep 100000
  - wait: 3s
  - run: docker service ps web
  - run: docker node update --availability drain node2
  - run: docker service ps web
"""


def rows(table: str) -> list[tuple[str, ...]]:
    """Each task line without what differs from run to run (IDs, which node got a replacement, ages):
    its name, whether it ran on the drained node, desired state and current state."""
    out = []
    for line in table.splitlines()[1:]:
        name = re.search(r"(\\_ )?web\.\d", line).group(0)
        cells = re.split(r"\s{2,}", line[line.index(name) + len(name):].strip())
        _, node, desired, current = cells[:4]
        out.append((name, node == "node2", desired, current.split()[0]))
    return sorted(out)


def simulated() -> list[str]:
    return [step["output"] for step in run_scenario(loads_scenario(SCENARIO), SimBackend()).steps()]


def test_the_same_swarm_before_the_drain():
    before = simulated()[2]
    real = (FIXTURES / "before.txt").read_text()
    assert before.splitlines()[0].split() == real.splitlines()[0].split()
    assert rows(before) == rows(real)


def test_service_ps_right_after_a_drain_shows_what_docker_showed():
    after = simulated()[4]
    real = (FIXTURES / "drain_then_ps.txt").read_text().split("\n", 1)[1]  # the drain printed the node name
    assert rows(after) == rows(real)
    assert ("\\_ web.1", True, "Shutdown", "Running") in rows(after)
    assert ("web.1", False, "Ready", "Assigned") in rows(after)
