"""swarmsim: predict what a Docker Swarm will do, and check it against a real one.

The curated public API: load or build a Scenario, run it on a backend, read the
trace, measure it.
"""
__version__ = "0.1.0"

from .analysis import metrics
from .backend import Backend, ScenarioRefused, SimBackend, run_scenario
from .model.scenario import Scenario
from .scenario import ScenarioError, load_scenario, loads_scenario
from .trace import Trace, read_trace

__all__ = ["Backend", "Scenario", "ScenarioError", "ScenarioRefused", "SimBackend", "Trace", "load_scenario",
           "loads_scenario", "metrics", "read_trace", "run_scenario", "__version__"]
