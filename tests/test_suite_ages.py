"""The suite predicts a replayed scenario with each node's swarm age as the real runs recorded it."""
from swarmsim.scenario import loads_scenario
from swarmsim.trace import Trace
from validation.suite import as_replayed, recorded_ages

SCENARIO = """
version: 1
cluster:
  nodes:
    - {name: node1, role: manager}
    - {name: node2}
    - {name: node3, joined: false}
timing: {swarm_age: 0.3s}
steps: []
"""


def run(ages: dict | None) -> Trace:
    return Trace({"kind": "header", **({"swarm_age": ages} if ages is not None else {})})


def test_each_node_gets_the_median_of_its_recorded_ages():
    runs = [run({"node1": 1.0, "node2": 0.2}), run({"node1": 1.6, "node2": 0.4, "node3": 0.1}),
            run({"node1": 1.2, "node2": 0.3})]
    assert recorded_ages(runs) == {"node1": 1.2, "node2": 0.3, "node3": 0.1}
    nodes = {n.name: n for n in as_replayed(loads_scenario(SCENARIO), runs).nodes}
    assert (nodes["node1"].swarm_age, nodes["node2"].swarm_age) == (1.2, 0.3)
    assert nodes["node3"].swarm_age is None  # joins at a step: no age at the first one


def test_runs_that_recorded_no_ages_leave_the_scenario_as_written():
    scenario = loads_scenario(SCENARIO)
    assert as_replayed(scenario, [run(None), run(None)]) is scenario
    assert as_replayed(scenario, []) is scenario
