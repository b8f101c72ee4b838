"""`inspect -f` templates run over the API object as Docker's Go type holds it, and listing formats' execution
errors, as docker 20.10.24 printed them on a fresh one-node swarm (tests/fixtures/cli_output/inspect_templates.txt;
`python tests/test_inspect_templates.py RAW.json` writes it, tests/one_node.py): zero values for what the JSON
leaves out, nil pointers, Go's names for types, the raw-JSON second try of network inspect."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import cli_capture as cc
import one_node
from swarmsim.dockercli import gotypes

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "inspect_templates.txt"
_C = f"--no-resolve-image --stop-grace-period 1s {cc.IMAGE} sleep 100000"
STEPS = (
    f"docker service create -d --name a --update-delay 5s --label x=1 {_C}",
    "docker service inspect -f '{{.UpdateStatus}}' a",
    "docker service inspect -f '{{.UpdateStatus.State}}' a",
    "docker service inspect -f '{{.Spec.Labels}} {{.Spec.Mode.Global}} {{.Endpoint.VirtualIPs}} {{.JobStatus}}' a",
    "docker service inspect -f '{{.Spec.TaskTemplate.ContainerSpec.Env}} {{.Spec.UpdateConfig.Delay}} "
    "{{.Spec.TaskTemplate.ContainerSpec.StopGracePeriod}} {{.Spec.UpdateConfig.Monitor}}' a",
    "docker service inspect -f '{{json .Spec.Mode}} {{json .UpdateStatus}} {{json .Spec.TaskTemplate.Placement}}' a",
    "docker service inspect -f '{{json .Spec.TaskTemplate.Resources}} {{json .Spec.Labels}} {{.Spec.Mode}}' a",
    "docker service inspect -f '{{.Foo}}' a",
    "docker service inspect -f '{{.Spec.Name}} {{.Spec.Foo}}' a",
    "docker service inspect -f 'table {{.Spec.Name}}\\t{{.Spec.Name}}' a",
    f"docker service update -d --no-resolve-image --env-add A=1 a",
    "SLEEP 8",
    "docker service inspect -f '{{.UpdateStatus.State}} {{.UpdateStatus.Message}}' a",
    "docker service inspect -f '{{.PreviousSpec.TaskTemplate.ContainerSpec.Env}} "
    "{{.Spec.TaskTemplate.ContainerSpec.Env}}' a",
    "docker node inspect -f '{{.Status.State}} {{.ManagerStatus.Leader}} {{.Spec.Availability}} {{.Spec.Labels}}' self",
    "docker node inspect --format '{{.Foo}}' self",
    "docker node inspect -f '{{.Spec.Role}} {{.Description.Engine.Plugins}}' self",
    "docker network inspect -f '{{.Name}} {{.Internal}} {{.Foo}}' ingress",
    "docker network inspect -f '{{.Name}} {{.Id}}' ingress",
    "docker network create -d overlay --internal --opt encrypted --label l=v ov",
    "docker network inspect -f '{{.Internal}} {{json .Options}} {{.Labels}} {{.Peers}} {{.Services}}' ov",
    "docker network ls --format '{{.Name}} {{.Foo}}'",
    "docker node ls --format '{{.Foo}}'",
    "docker service ps --format '{{.Name}} {{.Foo}}' a",
    "docker service ls --format '{{.Foo}}'",
)
_HEX = re.compile(r"(?<![0-9a-z])[0-9a-f]{64}(?![0-9a-z])")
_VXLAN = re.compile(r'("com.docker.network.driver.overlay.vxlanid_list":")\d+')
_ADDRESS = re.compile(r"\b0xc[0-9a-f]+\b")


def comparable(text: str) -> str:
    """Normalised as the tutorial's, a 64-hex ID as x's, a VXLAN ID as N, a pointer's address (fmt prints one
    inside a struct) as 0xc..."""
    return cc.normal(_ADDRESS.sub("0xc...", _VXLAN.sub(r"\1N", _HEX.sub("x" * 64, text))))


def test_the_simulator_prints_what_docker_printed():
    for entry, output in one_node.pairs(FIXTURE, STEPS):
        assert comparable(output) == entry["out"], entry["line"]


@pytest.mark.parametrize("data, shown", [
    ("2026-12-03T12:00:01.5Z", "2026-12-03 12:00:01.5 +0000 UTC"),
    ("2026-12-03T12:00:01.123456789Z", "2026-12-03 12:00:01.123456789 +0000 UTC"),
    ("2026-12-03T12:00:01Z", "2026-12-03 12:00:01 +0000 UTC"),
    ("2026-12-03T12:00:01.100Z", "2026-12-03 12:00:01.1 +0000 UTC"),
    (None, "0001-01-01 00:00:00 +0000 UTC"),
])
def test_a_time_prints_as_go_time_string(data, shown):
    assert gotypes.text(gotypes.Value("time.Time", data)) == shown


@pytest.mark.parametrize("mode, shown", [(0o444, "-r--r--r--"), (0o755, "-rwxr-xr-x"), (0, "----------")])
def test_a_file_mode_prints_as_go_does(mode, shown):
    assert gotypes.text(gotypes.Value("fs.FileMode", mode)) == shown


def test_every_type_a_root_reaches_is_known():
    """gotypes.json is closed: each field's, element's and key's type has its own entry."""
    types = gotypes._types()["types"]
    for name, info in types.items():
        for ref in [f["type"] for f in info.get("fields", [])] + [info.get("elem"), info.get("key")]:
            assert ref is None or ref in types, (name, ref)
    assert {gotypes.root(k) for k in ("service", "node", "network", "secret", "config")} <= set(types)


if __name__ == "__main__":
    one_node.record(Path(sys.argv[1]), FIXTURE, STEPS, comparable)
