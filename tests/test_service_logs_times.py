"""`docker service logs -t`, `--details` and `--since` against docker 20.10.24
(fixtures/cli_output/service_logs_times.json): one replica that printed two lines.

Times are named <TIME> (the simulation's clock is not the capture's) and IDs by their length; `--since` is
judged by which lines it keeps.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import cli_capture as cc
import one_node
from swarmsim.scenario import ScenarioError, loads_scenario

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "service_logs_times.json"
CREATE = (f"docker service create -d --name lg --replicas 1 --no-resolve-image --stop-grace-period 1s {cc.IMAGE} "
          "sh -c 'echo one; echo two; sleep 100000'")
IMAGES = f"{{{cc.IMAGE}: {{logs: {{start: [one, two]}}}}}}"
REFUSED = ("--since x",)


def comparable(text: str) -> str:
    text = re.sub(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z\b", "<TIME>", text)
    return re.sub(r"\b[a-z0-9]{12}\b", "<ID12>", re.sub(r"\b[a-z0-9]{25}\b", "<ID25>", text)).rstrip("\n")


def test_the_simulator_prints_what_docker_printed():
    real = [r for r in json.loads(FIXTURE.read_text()) if not any(f in r["line"] for f in REFUSED)]
    ours = one_node.simulated([CREATE, "SLEEP 5", *(r["line"] for r in real)], images=IMAGES)[1:]
    for r, text in zip(real, ours, strict=True):
        assert comparable(text) == comparable(r["stdout"] + r["stderr"]), r["line"]


def test_a_since_docker_cannot_read_is_refused_in_its_words():
    [real] = [r for r in json.loads(FIXTURE.read_text()) if "--since x" in r["line"]]
    with pytest.raises(ScenarioError) as err:
        loads_scenario(one_node.scenario([CREATE, "docker service logs --since x lg"]))
    assert str(err.value).endswith(real["stderr"].strip())


@pytest.mark.parametrize("since, kept", [("4s", 1), ("8s", 2), ("1970-01-01", 2), ("2026-01-01T00:00:03Z", 1),
                                         ("2026-01-01T02:00:03+02:00", 1), ("1767225603", 1), ("2099-01-01", 0)])
def test_since_keeps_the_lines_printed_at_or_after_it(since, kept):
    """A container started at 0.7 s prints one line, another at 3.7 s (a restart 2 s after exiting at 1.2 s):
    `--since 4s` at 7 s means 3 s and after (whole seconds, as the client sends a duration's time)."""
    images = "{app: {logs: {start: [hello]}, exit_after: 0.5s, exit_code: 1}}"
    steps = ["docker service create -d --name lg --restart-condition on-failure --restart-delay 2s "
             "--restart-max-attempts 1 app", "SLEEP 7", f"docker service logs --since {since} --no-task-ids lg"]
    [out] = one_node.simulated(steps, images=images)[1:]
    assert out.count("hello") == kept


@pytest.mark.parametrize("flag", ["-f", "--follow"])
def test_follow_is_refused_as_not_simulated(flag):
    """It streams until interrupted; a scenario's step must end."""
    with pytest.raises(ScenarioError, match="--follow streams the logs until it is interrupted: not simulated"):
        loads_scenario(one_node.scenario([CREATE, f"docker service logs {flag} lg"]))
