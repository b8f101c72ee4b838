"""Scenarios built in Python, checked exactly as a file is.

    s = ScenarioBuilder("what-if", seed=3).cluster(managers=1, workers=3)
    s.service("web", image="web:1", deploy={"replicas": 6, "update_config": {"parallelism": 2}})
    s.wait_converged().run("docker service update --image web:2 web").fail("node2", "crash").wait("30s")
    scenario = s.build()

Each call adds what the same key of a scenario file would hold (compose-style services,
docker command strings for `run`) and remembers the line it was called from. `build()`
reads the whole through the file loader, so every mistake (a cluster without a manager,
a mistyped service name in a command, a bad duration) is one `ScenarioError` naming the
Python file, the line of the call and the key, as a file's error names its line.
"""
from __future__ import annotations

import sys

from ..model.scenario import Scenario
from .loader import read_data


def _caller() -> tuple[str, int]:
    """The file and line of the first frame outside this module: the user's call."""
    frame = sys._getframe(1)
    while frame.f_code.co_filename == __file__:
        frame = frame.f_back
    return frame.f_code.co_filename, frame.f_lineno


class ScenarioBuilder:
    """A scenario assembled call by call; `build()` checks it and returns the frozen `Scenario`."""

    def __init__(self, name: str, seed: int = 0):
        self.source, line = _caller()
        self.data: dict = {"version": 1, "name": name, "seed": seed, "steps": []}
        self.lines: dict[tuple, int] = {(): line, ("name",): line, ("seed",): line, ("version",): line}

    def _at(self, path: tuple) -> None:
        file, line = _caller()
        self.lines[path] = line if file == self.source else self.lines[()]

    def cluster(self, managers: int = 1, workers: int = 0, cpus: object = None, memory: object = None
                ) -> ScenarioBuilder:
        """`managers` managers then `workers` workers, named node1, node2, ... (`cluster: {managers:, workers:}`)."""
        self._at(("cluster",))
        self.data["cluster"] = {k: v for k, v in {"managers": managers, "workers": workers, "cpus": cpus,
                                                  "memory": memory}.items() if v is not None}
        return self

    def node(self, name: str, **keys) -> ScenarioBuilder:
        """One node of `cluster: {nodes: [...]}`: role, availability, cpus, memory, labels, engine_labels, joined."""
        nodes = self.data.setdefault("cluster", {"nodes": []}).setdefault("nodes", [])
        self._at(("cluster", "nodes", len(nodes)))
        nodes.append({"name": name, **keys})
        return self

    def service(self, name: str, **compose) -> ScenarioBuilder:
        """A compose-style service: image, deploy, ports, networks, healthcheck, x-workload (as `x_workload`)..."""
        self._at(("services", name))
        self.data.setdefault("services", {})[name] = {k.replace("x_", "x-", 1) if k.startswith("x_") else k: v
                                                      for k, v in compose.items()}
        return self

    def network(self, name: str, **compose) -> ScenarioBuilder:
        self._at(("networks", name))
        self.data.setdefault("networks", {})[name] = compose
        return self

    def image(self, image: str, **workload) -> ScenarioBuilder:
        """How the containers of `image` behave (the `images:` section): exit_after, exit_code, healthy, ..."""
        self._at(("images", image))
        self.data.setdefault("images", {})[image] = workload
        return self

    def timing(self, **values) -> ScenarioBuilder:
        """Latency model overrides (`timing:`), e.g. heartbeat_period=2."""
        self._at(("timing",))
        self.data.setdefault("timing", {}).update(values)
        return self

    def traffic(self, port: int | None, rate: float, source: str | None = None, **keys) -> ScenarioBuilder:
        """A `traffic:` client: to published `port`, or (port None) `source=` a service's tasks to `target=`."""
        clients = self.data.setdefault("traffic", [])
        self._at(("traffic", len(clients)))
        clients.append({**({"port": port} if port is not None else {}), "rate": rate,
                        **({"from": source} if source is not None else {}), **keys})
        return self

    def _step(self, step: dict) -> ScenarioBuilder:
        self._at(("steps", len(self.data["steps"])))
        self.data["steps"].append(step)
        return self

    def run(self, command: str, on: str | None = None) -> ScenarioBuilder:
        """A docker command line, as typed (`run:`), on the leader or on node `on`."""
        return self._step({"run": command, **({"on": on} if on is not None else {})})

    def wait_converged(self, timeout: object = None) -> ScenarioBuilder:
        return self._step({"wait": "converged", **({"timeout": timeout} if timeout is not None else {})})

    def wait(self, duration: object) -> ScenarioBuilder:
        """Let `duration` pass (`wait: 30s`; a number is seconds)."""
        return self._step({"wait": duration})

    def at(self, time: object) -> ScenarioBuilder:
        return self._step({"at": time})

    def fail(self, node: str, kind: str = "crash") -> ScenarioBuilder:
        """A node's dockerd crashes, stops or recovers."""
        return self._step({"fail": {"node": node, "kind": kind}})

    def partition(self, *groups: list[str]) -> ScenarioBuilder:
        return self._step({"partition": [list(g) for g in groups]})

    def heal(self) -> ScenarioBuilder:
        return self._step({"heal": True})

    def build(self) -> Scenario:
        """The checked scenario; a mistake raises `ScenarioError` at the line of the call that made it."""
        return read_data(self.data, self.source, self.lines)

