"""Whole simulated runs reproducing the pending-task errors a real swarm printed
(docs/measurements.md (g)(vi), (vii): node1 the drained manager, node2-4 workers, all sharing one host's memory)."""
from __future__ import annotations

import pytest

from swarmsim.analysis.metrics import placement
from swarmsim.testing.builders import final_tasks, run_yaml, scenario

HOST_MEMORY = 25_276_063_744
NODES = ", ".join([f"{{name: node1, role: manager, availability: drain, memory: {HOST_MEMORY}}}"]
                  + [f"{{name: node{i}, memory: {HOST_MEMORY}}}" for i in (2, 3, 4)])
MAX_REPLICAS = "no suitable node (max replicas per node limit exceed; 1 node not available for new tasks)"
RESOURCES = "no suitable node (insufficient resources on 3 nodes; 1 node not available for new tasks)"


def pending_errors(flags: str, seed: int) -> tuple[dict, list[str]]:
    trace = run_yaml(scenario(f"run: docker service create -d --name web {flags} busybox", "wait: 10s",
                              cluster=f"{{nodes: [{NODES}]}}", seed=seed))
    pending = [e for e in final_tasks(trace, "web") if e["state"] == "pending"]
    assert all(e["msg"] == "pending task scheduling" and e["desired"] == "running" for e in pending)
    return placement(trace).get("web", {}), [e["err"] for e in pending]


@pytest.mark.parametrize("seed", range(5))
def test_max_replicas_per_node_as_measured(seed):
    placed, errs = pending_errors("--replicas 4 --replicas-max-per-node 1", seed)
    assert placed == {"node2": 1, "node3": 1, "node4": 1}
    assert errs == [MAX_REPLICAS]


@pytest.mark.parametrize("seed", range(5))
def test_one_replica_reserving_more_than_any_node_as_measured(seed):
    placed, errs = pending_errors(f"--replicas 1 --reserve-memory {int(HOST_MEMORY * 1.5)}", seed)
    assert placed == {}
    assert errs == [RESOURCES]


@pytest.mark.parametrize("seed", range(5))
def test_four_replicas_reserving_0_6_of_a_node_as_measured(seed):
    placed, errs = pending_errors(f"--replicas 4 --reserve-memory {int(HOST_MEMORY * 0.6)}", seed)
    assert placed == {"node2": 1, "node3": 1, "node4": 1}
    assert errs == [RESOURCES]
