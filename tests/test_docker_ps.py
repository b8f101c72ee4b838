"""`docker ps` on a swarm node: the containers of the tasks it runs, as docker 20.10.24 lists them on a fresh
one-node swarm (tests/fixtures/cli_output/docker_ps.txt; `python tests/test_docker_ps.py RAW.json` writes it,
tests/one_node.py)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import cli_capture as cc
import one_node
from swarmsim import SimBackend, loads_scenario, run_scenario
from swarmsim.model.errors import DAEMON_DOWN

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "docker_ps.txt"
_C = f"--no-resolve-image --stop-grace-period 1s {cc.IMAGE}"
_TAG = "docker tag swarmsim/busybox:1 swarmsim/busybox:false"  # an image whose workload exits at once, with 1
IMAGES = "{swarmsim/busybox:false: {exit_after: 0s, exit_code: 1}}"  # what the simulator knows of it
PS_STEPS = (
    _TAG,
    f"docker service create -d --name web --replicas 2 {_C} sleep 100000",
    f"docker service create -d --name hp --publish mode=host,published=8080,target=80 {_C} sleep 100000",
    f"docker service create -d --name hc --health-cmd true --health-interval 1s {_C} sleep 100000",
    f"docker service create -d --name bad --restart-condition none {_C.replace(':1', ':false')} false",
    f"docker service create -d --name ep --entrypoint /bin/sh {_C} -c 'sleep 100000; echo a very long command line'",
    "SLEEP 8",
    "docker ps",
    "docker ps -a",
    "docker ps -q",
    "docker ps -aq --no-trunc",
    "docker ps --no-trunc --format '{{.ID}} {{.Command}} {{.Names}}'",
    "docker ps --format '{{.Names}}\t{{.Image}}\t{{.Status}}\t{{.Ports}}'",
    "docker ps -f name=web --format '{{.Names}}'",
    "docker ps -a -f status=exited --format '{{.Names}} {{.Status}}'",
    "docker ps -f label=com.docker.swarm.service.name=hp --format '{{.Names}} {{.Label \"com.docker.swarm.task.name\"}}'",
    "docker ps --format 'table {{.ID}}\t{{.Names}}\t{{.RunningFor}}'",
    "docker container ls -n 1 --format '{{.Names}}'",
    "docker ps -l --format '{{.Names}}'",
    "docker service rm web",
    "SLEEP 3",
    "docker ps -a --format '{{.Names}} {{.Status}}'",
)


_HEX = re.compile(r"(?<![0-9a-z])(?:[0-9a-f]{64}|[0-9a-f]{12})(?![0-9a-z])")


def comparable(text: str) -> str:
    """Normalised as the tutorial's, container IDs (12 or 64 hex digits, docker's are random) as x's."""
    return cc.normal(_HEX.sub(lambda m: "x" * len(m.group(0)), text))


def _rows(text: str) -> list[str]:
    """A listing's header, then its rows sorted: containers created within the same few milliseconds on the
    real node come in the order they happened to be created in (the simulator's own order is tested below)."""
    lines = text.splitlines()
    head = lines[:1] if lines and lines[0].startswith("CONTAINER ID") else []
    return head + sorted(lines[len(head):])


def test_the_simulator_prints_what_docker_printed():
    real = [e for e in cc.load(FIXTURE.read_text()) if e["line"] != _TAG]
    assert [e["line"] for e in real] == one_node.commands([s for s in PS_STEPS if s != _TAG])
    outputs = one_node.simulated([s for s in PS_STEPS if s != _TAG], images=IMAGES)
    for entry, output in zip(real, outputs, strict=True):
        if entry["line"] in _NEWEST:  # which of the containers made together is newest is the same noise
            assert len(comparable(output).splitlines()) == len(entry["out"].splitlines()) == 1, entry["line"]
            continue
        assert _rows(comparable(output)) == _rows(entry["out"]), entry["line"]


_NEWEST = ("docker container ls -n 1 --format '{{.Names}}'", "docker ps -l --format '{{.Names}}'")


def _ps(steps: list[str], images: str = "") -> list[str]:
    outs = one_node.simulated(steps, images=images)
    return [out for line, out in zip(one_node.commands(steps), outs, strict=True) if "docker ps" in line]


def test_containers_are_listed_newest_first_and_removed_with_their_task():
    late = f"docker service create -d --name late {_C} sleep 100000"
    first, newest, after_rm = _ps([f"docker service create -d --name early {_C} sleep 100000", "SLEEP 5", late,
                                   "SLEEP 5", "docker ps --format '{{.Names}}'", "docker ps -n 1 --format "
                                   "'{{.Names}}'", "docker service rm late", "SLEEP 3",
                                   "docker ps -a --format '{{.Names}}'"])
    assert [n.split(".")[0] for n in first.split()] == ["late", "early"]
    assert newest.split(".")[0] == "late" and after_rm.split(".")[0] == "early" and len(after_rm.split()) == 1


def test_a_container_that_exited_stays_in_ps_a_with_its_code_till_its_task_goes():
    (running, every) = _ps([f"docker service create -d --name bad --restart-condition none "
                            f"{_C.replace(':1', ':false')} false", "SLEEP 5", "docker ps -q",
                            "docker ps -a --format '{{.State}} {{.Status}}'"], images=IMAGES)
    assert running == "" and every.startswith("exited Exited (1) ") and every.endswith(" ago\n")


if __name__ == "__main__":
    one_node.record(Path(sys.argv[1]), FIXTURE, PS_STEPS, comparable)


CRASH = f"""version: 1
seed: 1
cluster: {{managers: 1, workers: 1}}
steps:
  - run: docker service create -d --name w --constraint node.role==worker {_C} sleep 100000
  - wait: 5s
  - fail: {{node: node2, kind: crash}}
  - run: docker ps
    on: node2
  - fail: {{node: node2, kind: recover}}
  - wait: 20s
  - run: docker ps -a --format '{{{{.Status}}}}'
    on: node2
"""


def test_a_crashed_daemon_answers_nothing_and_comes_back_with_its_killed_container_exited_255():
    trace = run_scenario(loads_scenario(CRASH), SimBackend())
    down, after = [s for s in trace.steps() if s["step"].startswith("run: docker ps")]
    assert not down["ok"] and down["output"] == DAEMON_DOWN
    statuses = after["output"].splitlines()
    assert statuses[0].startswith("Up ") and statuses[1].startswith("Exited (255) ")
