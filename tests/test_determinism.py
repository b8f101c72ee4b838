"""A scenario and a seed give the same trace, byte for byte, in separate processes."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCENARIO = """\
version: 1
seed: {seed}
cluster:
  nodes:
    - {{name: node1, role: manager}}
    - {{name: node2, labels: {{zone: a}}}}
    - {{name: node3, labels: {{zone: b}}}}
    - {{name: node4, labels: {{zone: b}}}}
images: {{bad: {{exit_after: 2s, exit_code: 1}}}}
steps:
  - run: docker service create --name web --replicas 7 --placement-pref spread=node.labels.zone busybox
  - run: docker service create -d --name flaky --replicas 2 --restart-delay 1s bad
  - run: docker service update --image busybox:2 web
  - fail: {{node: node4, kind: crash}}
  - wait: 30s
"""
DUMP = ("import sys; from swarmsim.scenario import loads_scenario; from swarmsim.backend import run_scenario, "
        "SimBackend; sys.stdout.write(run_scenario(loads_scenario(sys.stdin.read()), SimBackend()).dumps())")
ROOT = Path(__file__).resolve().parents[1]


def trace_text(seed: int) -> str:
    done = subprocess.run([sys.executable, "-c", DUMP], input=SCENARIO.format(seed=seed), capture_output=True,
                          text=True, cwd=ROOT, check=True, timeout=60)
    return done.stdout


def test_same_seed_same_bytes_in_two_processes():
    first, second = trace_text(3), trace_text(3)
    assert first and first == second


def test_a_different_seed_may_differ():
    assert len({trace_text(seed) for seed in (3, 4, 5)}) > 1
