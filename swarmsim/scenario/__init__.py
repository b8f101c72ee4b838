"""The scenario file: YAML read with its lines kept, checked once, into a frozen `Scenario`.

`loader` reads the file and its steps; `build` assembles the same from Python calls; `compose` reads the compose-style `services:` and
`networks:` and stack files as `docker stack deploy` reads them.
"""
from .build import ScenarioBuilder
from .loader import ScenarioError, load_scenario, loads_scenario

__all__ = ["ScenarioBuilder", "ScenarioError", "load_scenario", "loads_scenario"]
