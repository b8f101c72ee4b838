"""Docker's surprises, each shown by an example scenario (docs/surprises.md lists them)."""
from __future__ import annotations

from pathlib import Path

from swarmsim.analysis.metrics import placement, placement_after_step
from swarmsim.backend import SimBackend, run_scenario
from swarmsim.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def trace_of(name: str, seed: int | None = None):
    scenario = load_scenario(EXAMPLES / f"{name}.yaml")
    if seed is not None:
        from dataclasses import replace
        scenario = replace(scenario, seed=seed)
    return run_scenario(scenario, SimBackend())


def test_a_joining_node_stays_empty_until_a_forced_update_spreads_the_service():
    for seed in range(1, 6):
        trace = trace_of("no-rebalance", seed)
        after_join = placement_after_step(trace, 5)["web"]
        assert "worker3" not in after_join and sum(after_join.values()) == 6  # nothing moved to it
        final = placement(trace)["web"]
        assert final.get("worker3", 0) >= 1 and sum(final.values()) == 6
        assert max(final.values()) - min(final.get(n, 0) for n in ("manager1", "worker1", "worker2",
                                                                  "worker3")) <= 1


def test_a_node_missing_the_spread_label_is_a_group_of_its_own():
    for seed in range(1, 6):
        final = placement(trace_of("missing-label-group", seed))["web"]
        assert final["node3"] == 3  # as many as the two nodes of zone a together
        assert final.get("node1", 0) + final.get("node2", 0) == 3
