"""The daemon's warning when it cannot pin a service's image to a digest (the registry does not have it), as
docker 20.10.24 printed it on a fresh one-node swarm with no registry reachable
(tests/fixtures/cli_output/digest_warning.txt; `python tests/test_digest_warning.py RAW.json` writes it,
tests/one_node.py): on `service create` and on an update that changes `--image`, unless `--no-resolve-image`; on
a stack redeploy's updates (a stack's creates print their answers not at all), unless `--resolve-image` keeps
the image; for an image given by digest too (the client asks the registry for its manifest all the same)."""
from __future__ import annotations

import sys
from pathlib import Path

import cli_capture as cc
import one_node

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "digest_warning.txt"
STACKS = Path(__file__).parent / "fixtures" / "stacks"
_DIGEST = "swarmsim/busybox@sha256:" + "0" * 64
_C = f"--stop-grace-period 1s {cc.IMAGE} sleep 100000"
#: what the simulator is told of the registry: it has none of these images (the local swarm reaches no registry)
IMAGES = ("{swarmsim/busybox:1: {pullable: false}, swarmsim/busybox:latest: {pullable: false}, "
          f"'{_DIGEST}': {{pullable: false}}}}")
STEPS = (
    f"docker service create -d --name a {_C}",
    "docker service update -d --image swarmsim/busybox:1 a",
    "docker service update -d --env-add X=1 a",
    "docker service update -d --no-resolve-image --image swarmsim/busybox:1 a",
    f"docker service create -d --name c --no-resolve-image {_C}",
    "docker service create -d --name d swarmsim/busybox sleep 100000",
    f"docker service create -d --name e {_DIGEST} sleep 100000",
    "docker service rm d e",
    f"docker service create --name b {_C}",
    "docker stack deploy -c STACKS/busybox.yml st",
    "docker stack deploy -c STACKS/busybox.yml st",
    "docker stack deploy --resolve-image changed -c STACKS/busybox.yml st",
    "docker stack deploy --resolve-image never -c STACKS/busybox.yml st",
    "docker service ls --format '{{.Name}} {{.Image}}'",
)


def _steps(steps):
    return [line.replace("STACKS", str(STACKS)) for line in steps]


def _terminal(capture: dict) -> str:
    """A capture's streams in the order a terminal shows them: `service create` and `update` print the daemon's
    warnings before the service's ID (create.go, update.go); a stack deploy prints its lines as it goes, an
    update's warnings after that update's line."""
    if capture["line"].startswith("docker service"):
        return capture["stderr"] + capture["stdout"]
    return capture["stdout"] + capture["stderr"]


def _head(line: str, text: str) -> str:
    """Of an attached create, what comes before its progress (captured without a terminal, the progress is
    another text: tests/test_cli_output.py holds it to docker's)."""
    return text.partition("overall progress")[0] if "-d" not in line.split() else text


def test_the_simulator_warns_where_docker_warned():
    for entry, output in one_node.pairs(FIXTURE, STEPS, _steps(STEPS), images=IMAGES):
        line = entry["line"]
        assert _head(line, cc.normal(output)) == _head(line, entry["out"]), line


def test_the_warning_names_the_image_as_the_client_sent_it():
    (create,) = one_node.simulated(["docker service create -d --name d swarmsim/busybox sleep 1"], images=IMAGES)
    assert create.startswith("image swarmsim/busybox:latest could not be accessed on a registry to record\n")
    assert create.split("\n")[4:6] == ["", create.split("\n")[5]] and len(create.split("\n")[5]) == 25


def test_an_image_the_registry_has_gets_no_warning():
    (create,) = one_node.simulated([f"docker service create -d --name a {_C}"])
    assert "registry" not in create


if __name__ == "__main__":
    one_node.record(Path(sys.argv[1]), FIXTURE, _steps(STEPS), cc.normal, STEPS, merged=_terminal)
