"""swarmsim: predict what a Docker Swarm will do, and check it against a real one.

The curated public API: load a scenario file or build one in Python, simulate it, read
the trace as events or DataFrames, measure it; sweep factors over many runs into a
resumable results folder, or ask for the distribution of outcomes over seeds.
docs/reference/api.md lists every name with its docstring.
"""
__version__ = "0.1.0"

from .analysis import frames, metrics
from .backend import Backend, ScenarioRefused, SimBackend, run_scenario
from .model.scenario import Scenario
from .scenario import ScenarioBuilder, ScenarioError, load_scenario, loads_scenario
from .sweep import build, expand, load_sweep, run_sweep
from .sweep.outcomes import Outcomes, outcomes
from .trace import Trace, read_trace


def simulate(scenario: Scenario) -> Trace:
    """The trace of `scenario` on the simulator (its own seed; `dataclasses.replace(scenario, seed=N)` for
    another)."""
    return run_scenario(scenario, SimBackend())


__all__ = ["Backend", "Outcomes", "Scenario", "ScenarioBuilder", "ScenarioError", "ScenarioRefused", "SimBackend",
           "Trace", "build", "expand", "frames", "load_scenario", "load_sweep", "loads_scenario", "metrics",
           "outcomes", "read_trace", "run_scenario", "run_sweep", "simulate", "__version__"]
