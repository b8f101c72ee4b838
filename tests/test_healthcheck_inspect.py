"""A service's healthcheck in `service inspect` (JSON, -f and --pretty): only what was set, as docker 20.10.24
printed on a fresh one-node swarm (tests/fixtures/cli_output/healthcheck.txt; `python
tests/test_healthcheck_inspect.py RAW.json` writes it, tests/one_node.py). An unset interval, timeout or retry
count is 0 in the spec and the engine's default when the container runs."""
from __future__ import annotations

import sys
from pathlib import Path

import cli_capture as cc
import one_node
from swarmsim.model import Healthcheck

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "healthcheck.txt"
_C = f"--no-resolve-image --stop-grace-period 1s {cc.IMAGE} sleep 100000"
HEALTH_STEPS = (
    f"docker service create -d --name hc --health-cmd true --health-interval 5s {_C}",
    "docker service inspect --format '{{json .Spec.TaskTemplate.ContainerSpec}}' hc",
    "docker service inspect --pretty hc",
    f"docker service create -d --name hn --no-healthcheck {_C}",
    "docker service inspect --format '{{json .Spec.TaskTemplate.ContainerSpec.Healthcheck}}' hn",
    "docker service inspect --pretty hn",
    f'docker service create -d --name hp -p 8080:80 --health-cmd "true && true" --health-retries 2 '
    f"--health-timeout 2s --health-start-period 1m30s {_C}",
    "docker service inspect --pretty hp",
    "docker service update -d --health-interval 0s --health-retries 0 hc",
    "docker service inspect --format '{{json .Spec.TaskTemplate.ContainerSpec.Healthcheck}}' hc",
    "docker service inspect hp",
)


def test_the_simulator_prints_what_docker_printed():
    for entry, output in one_node.pairs(FIXTURE, HEALTH_STEPS):
        assert cc.normal(output) == entry["out"], entry["line"]


def test_unset_values_are_the_engines_defaults_when_it_probes():
    check = Healthcheck(test=("CMD-SHELL", "true"))
    assert (check.probe_interval, check.probe_retries) == (30.0, 3)
    assert (Healthcheck(test=("CMD", "x"), interval=5.0, retries=1).probe_interval,
            Healthcheck(test=("CMD", "x"), retries=1).probe_retries) == (5.0, 1)


if __name__ == "__main__":
    one_node.record(Path(sys.argv[1]), FIXTURE, HEALTH_STEPS, cc.normal)
