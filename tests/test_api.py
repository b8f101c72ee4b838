"""The Python API for what-if work: scenarios built without YAML, checked as files are, traces as DataFrames."""
from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest

import swarmsim
from swarmsim import ScenarioBuilder, ScenarioError, frames, load_scenario, simulate
from swarmsim.sweep.factorial import scenario_hash

ROOT = Path(__file__).parent.parent
HERE = Path(__file__).resolve()


def node_failure() -> ScenarioBuilder:
    """examples/node-failure.yaml, call for call."""
    s = ScenarioBuilder("node-failure", seed=3).cluster(managers=1, workers=3)
    s.service("web", image="nginx:1.25", deploy={"replicas": 6})
    s.wait_converged().run("docker service ps web").fail("node2", "crash").wait("30s")
    s.run("docker node ls").run("docker service ps web").fail("node2", "recover").wait("25s")
    return s.run("docker node ls").run("docker service ps web")


def test_a_built_scenario_is_the_same_scenario_as_its_file():
    built, loaded = node_failure().build(), load_scenario(ROOT / "examples" / "node-failure.yaml")
    assert scenario_hash(built) == scenario_hash(loaded) and built.seed == loaded.seed
    assert simulate(built).events == simulate(loaded).events


def line_of(text: str) -> int:
    return next(i for i, line in enumerate(HERE.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize("make, marker, expected", [
    (lambda: ScenarioBuilder("x").cluster(managers=0, workers=2),  # no-manager
     "# no-manager", "cluster: no manager"),
    (lambda: ScenarioBuilder("x").cluster(1, 1).service("web", image="a").run("docker service scale wbe=3"),  # typo
     "# typo", "steps[0].run: wbe: Error: No such service: wbe (expected one of the services at this step: web)"),
    (lambda: ScenarioBuilder("x").cluster(1, 1).service("web", image="a", deploy={"replicas": "6"}),  # str
     "# str", "services.web.deploy.replicas: expected an integer, got a string"),
    (lambda: ScenarioBuilder("x").cluster(1, 1).wait("soon"),  # wait
     "# wait", "steps[0].wait: expected converged or a duration such as 30s, got 'soon'"),
])
def test_a_mistake_is_one_error_at_the_line_of_the_call(make, marker, expected):
    with pytest.raises(ScenarioError) as err:
        make().build()
    assert str(err.value).startswith(f"{HERE}:{line_of(marker)}: {expected}")


def test_a_scenario_made_in_python_without_a_manager_says_so_rather_than_stopiteration():
    scenario = dataclasses.replace(load_scenario(ROOT / "examples" / "node-failure.yaml"), nodes=())
    with pytest.raises(ValueError, match="no manager"):
        scenario.leader


def test_a_trace_reads_as_dataframes():
    trace = simulate(node_failure().build())
    tasks = frames.tasks(trace)
    assert {"t", "task", "service", "node", "state", "desired"} <= set(tasks.columns)
    assert tasks["t"].is_monotonic_increasing and len(tasks) == sum(1 for _ in trace.tasks())
    nodes = frames.nodes(trace)
    assert list(nodes.loc[nodes["status"] == "down", "node"]) == ["node2"]
    recovery = frames.recovery(trace)
    assert list(recovery["node"]) == ["node2"] and recovery["time_to_recover"].iloc[0] > 0
    assert frames.placement(trace).loc["web"].sum() == 6
    assert frames.updates(trace).empty and list(frames.updates(trace).columns)[0] == "service"
    assert frames.requests(trace).empty


def test_every_public_name_is_documented():
    for name in swarmsim.__all__:
        value = getattr(swarmsim, name)
        if callable(value) or inspect.ismodule(value):
            assert inspect.getdoc(value), f"swarmsim.{name} has no docstring"
