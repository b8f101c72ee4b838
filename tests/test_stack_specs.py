"""Every real stack file of tests/stacks/ as docker 20.10.24 deployed it: each service's Spec and each stack
network's `network inspect` (tests/fixtures/stack_specs.json, captured on a local swarm of one manager and two
workers; `python tests/test_stack_specs.py RAWDIR` writes it from the captures, tests/fixtures/cli_output/
PROVENANCE.md), against the simulator's after the same deploy.

Compared whole, after removing what differs from run to run: object IDs (a network by its name, swarmkit's
predefined `host` and `bridge`, which no `network ls` lists, by a placeholder), the stack file's folder in a bind
mount's source, a network's subnet, gateway and VXLAN ID (handed out in the order the CLI creates networks,
a Go map's), its creation time, containers and peers.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from test_stack import CORPUS, _deploy_real_file

FIXTURE = Path(__file__).parent / "fixtures" / "stack_specs.json"
_SPEC = "docker service inspect --format '{{json .Spec}}' "
_NET = "docker network inspect --format '{{json .}}' "
_SWARM_ID = re.compile(r"[0-9a-z]{25}")


def _spec(spec: dict, names: dict[str, str], folder: str) -> dict:
    task = spec.get("TaskTemplate", {})
    for net in task.get("Networks") or []:
        net["Target"] = names.get(net["Target"], "<predefined>" if _SWARM_ID.fullmatch(net["Target"]) else "?")
    container = task.get("ContainerSpec", {})
    for key, ident in (("Secrets", "SecretID"), ("Configs", "ConfigID")):
        for ref in container.get(key) or []:
            ref.pop(ident, None)
    for mount in container.get("Mounts") or []:
        if mount["Type"] == "bind" and mount.get("Source", "").startswith(folder + "/"):
            mount["Source"] = "STACK" + mount["Source"][len(folder):]
    return spec


def _network(doc: dict) -> dict:
    doc = {k: v for k, v in doc.items() if k not in ("Id", "Created", "Containers", "Peers")}
    for config in (doc.get("IPAM") or {}).get("Config") or []:
        config.update({k: f"<{k.lower()}>" for k in ("Subnet", "Gateway") if k in config})
    options = doc.get("Options") or {}
    if "com.docker.network.driver.overlay.vxlanid_list" in options:
        options["com.docker.network.driver.overlay.vxlanid_list"] = "<vxlan>"
    return doc


REAL = json.loads(FIXTURE.read_text()) if FIXTURE.exists() else {}


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_the_simulator_deploys_each_real_file_as_docker_did(path, tmp_path):
    real = REAL[path.name]
    swarm, steps = _deploy_real_file(path, tmp_path, wait=False, after=tuple(
        [_SPEC + name for name in real["services"]] + [_NET + name for name in real["networks"]]))
    names = {net.id: name for name, net in swarm.networks.items()}  # as `network ls --no-trunc` lists them
    shown = [json.loads(s["output"]) for s in steps[-len(real["services"]) - len(real["networks"]):]]
    services = {spec["Name"]: _spec(spec, names, str(tmp_path / "stack")) for spec in shown[:len(real["services"])]}
    networks = {doc["Name"]: _network(doc) for doc in shown[len(real["services"]):]}
    assert sorted(s.name for s in swarm.store.services.values()) == sorted(real["services"])
    for name, spec in real["services"].items():
        assert services[name] == spec, name
    for name, doc in real["networks"].items():
        assert networks[name] == doc, name


def record(raw: Path) -> None:
    """The fixture from the captures: one RAWDIR/FILE.json per stack file, its steps each a {kind, line, stdout,
    stderr, rc} (kinds: networks, the `network ls --no-trunc --format '{{.ID}}\\t{{.Name}}'` after the deploy;
    service, a Spec; network, a network's inspect) and `folder`, where its stack file was."""
    fixture = {}
    for path in CORPUS:
        capture = json.loads((raw / f"{path.name}.json").read_text())
        steps = capture["steps"]
        names = dict(line.split("\t", 1) for s in steps if s["kind"] == "networks"
                     for line in s["stdout"].splitlines() if "\t" in line)
        specs = [json.loads(s["stdout"]) for s in steps if s["kind"] == "service" and s["rc"] == 0]
        nets = [json.loads(s["stdout"]) for s in steps if s["kind"] == "network" and s["rc"] == 0]
        fixture[path.name] = {"services": {spec["Name"]: _spec(spec, names, capture["folder"]) for spec in specs},
                              "networks": {doc["Name"]: _network(doc) for doc in nets}}
    FIXTURE.write_text(json.dumps(fixture, indent=None, separators=(",", ":"), sort_keys=False) + "\n")


if __name__ == "__main__":
    record(Path(sys.argv[1]))
