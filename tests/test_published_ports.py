"""Published ports as the swarm allocates them: a port picked from 30000-32767 for an ingress port given none,
sticky while the ports stay the same, refused when another service holds it (net/ports.py,
controlapi checkPortConflicts).

The fixture tests/fixtures/cli_output/ports.txt is what docker 20.10.24 printed for PORT_STEPS on a
one-node local swarm (recorded by `python tests/test_published_ports.py RAW.json`, RAW.json a list of
{line, stdout, stderr, rc} per command from a fresh one-node swarm); the simulator must print the same after normalising.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import cli_capture as cc
from swarmsim import SimBackend, run_scenario
from swarmsim.model import PortConfig
from swarmsim.net import ports
from swarmsim.scenario import load_scenario

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "ports.txt"
_C = f"--no-resolve-image --stop-grace-period 1s {cc.IMAGE} sleep 100000"
PORT_STEPS = (
    f"docker service create -d --name web -p 80 {_C}",
    f"docker service create -d --name web2 -p 80 -p 8080:81 {_C}",
    "SLEEP 2",
    "docker service ls",
    "docker service inspect --format '{{json .Endpoint.Ports}}' web2",
    "docker service inspect --pretty web",
    "docker service rm web",
    f"docker service create -d --name web3 -p 80 {_C}",
    "docker service inspect --format '{{json .Endpoint.Ports}}' web3",
    f"docker service create -d --name web4 -p 30003:80 {_C}",
    f"docker service create -d --name web5 -p 80 -p 80/udp {_C}",
    "docker service inspect --format '{{json .Endpoint.Ports}}' web5",
    f"docker service create -d --name x -p 30001:80 {_C}",
    f"docker service create -d --name h --publish mode=host,published=9000,target=80 {_C}",
    f"docker service create -d --name i -p 9000:80 {_C}",
    f"docker service create -d --name h2 --publish mode=host,published=8080,target=80 {_C}",
    f"docker service create -d --name h3 --publish mode=host,published=9000,target=80 {_C}",
    "docker service update -d --publish-add 9090:82 web2",
    "docker service inspect --format '{{json .Endpoint.Ports}}' web2",
    "docker service update -d --env-add A=1 web2",
    "docker service inspect --format '{{json .Endpoint.Ports}}' web2",
    "docker service update -d --publish-rm 80 web2",
    "docker service inspect --format '{{json .Endpoint.Ports}}' web2",
    "docker service update -d --publish-add 80 web2",
    "docker service inspect --format '{{json .Endpoint.Ports}}' web2",
    f"docker service create -d --name m -p 80 --publish mode=host,target=81 -p 7000:82 {_C}",
    "docker service inspect --format '{{json .Endpoint.Ports}}' m",
    "docker service update -d --publish-add mode=host,published=7001,target=83 m",
    "docker service inspect --format '{{json .Endpoint.Ports}}' m",
    "docker service ls",
)
COMMANDS = [line for line in PORT_STEPS if not line.startswith("SLEEP")]


def _simulated(tmp_path) -> list[str]:
    lines = ["version: 1", "seed: 1", "cluster: {managers: 1, workers: 0}", "steps:"]
    for line in PORT_STEPS:
        lines.append(f"  - wait: {line.split()[1]}s" if line.startswith("SLEEP") else f"  - run: {json.dumps(line)}")
    path = tmp_path / "ports.yaml"
    path.write_text("\n".join(lines) + "\n")
    trace = run_scenario(load_scenario(path), SimBackend())
    return [s["output"] for s in trace.steps() if s["step"].startswith("run:")]


def comparable(text: str) -> str:
    """Normalised as the tutorial's outputs are, and a table's REPLICAS left out: how many tasks run by
    then depends on how fast the real node started them, which is not what this compares."""
    text = cc.normal(text)
    rows = cc.split_table(text)
    if rows is None or rows[0][3:4] != ["REPLICAS"]:
        return text
    return cc.table([row[:3] + row[4:] for row in rows])


def test_the_simulator_prints_what_docker_printed(tmp_path):
    real = cc.load(FIXTURE.read_text())
    assert [e["line"] for e in real] == COMMANDS
    for entry, output in zip(real, _simulated(tmp_path), strict=True):
        assert comparable(output) == entry["out"], entry["line"]


# --- the allocator's rules, alone -------------------------------------------------------------------

def _ingress(target: int, published: int = 0, protocol: str = "tcp") -> PortConfig:
    return PortConfig(target=target, published=published, protocol=protocol)


def test_picked_ports_go_on_from_the_last_one_and_wrap_round():
    allocator = ports.PortAllocator()
    first = [allocator.allocate([_ingress(80)]) for _ in range(ports.DYNAMIC_END - ports.DYNAMIC_START + 1)]
    assert [p[0].published for p in first[:3]] == [30000, 30001, 30002]
    assert first[-1][0].published == 32767
    assert allocator.allocate([_ingress(80)]) is None  # the range is spent
    assert allocator.allocate([_ingress(81, 8080), _ingress(80)]) is None
    assert allocator.allocate([_ingress(81, 8080)]) is not None  # nothing of the failed call was kept
    allocator.free(first[5])
    allocator.free(first[2])
    assert allocator.allocate([_ingress(80)])[0].published == 30002  # after the wrap: the lowest free one
    assert allocator.allocate([_ingress(80)])[0].published == 30005


def test_a_port_given_in_the_range_is_skipped_by_the_picking():
    allocator = ports.PortAllocator()
    assert allocator.allocate([_ingress(80, 30000)]) is not None
    assert allocator.allocate([_ingress(80)])[0].published == 30001
    assert allocator.allocate([_ingress(80, 30001)]) is None
    assert allocator.allocate([_ingress(80, published=0, protocol="udp")])[0].published == 30000


def test_reconcile_keeps_picked_ports_and_puts_the_given_ones_first():
    spec = [_ingress(80), PortConfig(target=81, mode="host"), _ingress(82, 7000)]
    held = (_ingress(80, 30007), PortConfig(target=81, mode="host"), _ingress(82, 7000))
    assert ports.is_allocated(spec, held)
    changed = [_ingress(80), PortConfig(target=81, mode="host"), _ingress(83, 7000)]
    assert not ports.is_allocated(changed, held)
    assert ports.reconcile(changed, held) == [PortConfig(target=81, mode="host"), _ingress(83, 7000),
                                              _ingress(80, 30007)]
    assert ports.reconcile(spec + [_ingress(84)], held) == spec + [_ingress(84)]  # a new count: no stickiness


_PORT = st.builds(PortConfig, target=st.integers(1, 5), published=st.sampled_from([0, 0, 0, 7000, 7001, 30001]),
                  protocol=st.sampled_from(["tcp", "udp"]), mode=st.sampled_from(["ingress", "ingress", "host"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.lists(_PORT, max_size=4)), max_size=25))
def test_no_two_services_ever_hold_one_ingress_port(calls):
    """Services 0-3 allocated and reallocated at random: each ingress port is held once; what a service
    holds answers its spec; a reallocation with the same ports keeps every picked port."""
    allocator, held = ports.PortAllocator(), {}
    for service, spec in calls:
        old = held.get(service)
        if ports.is_allocated(spec, old):
            continue
        todo = ports.reconcile(spec, old)
        allocator.free(old or ())
        got = allocator.allocate(todo)
        if got is None:
            held.pop(service, None)
            continue
        held[service] = got
        assert ports.is_allocated(spec, got)
        assert all(ports.DYNAMIC_START <= p.published <= ports.DYNAMIC_END
                   for p, s in zip(got, todo) if s.mode == "ingress" and not s.published)
        taken = [(p.protocol, p.published) for ps in held.values() for p in ps if p.mode == "ingress"]
        assert len(taken) == len(set(taken))
        again = ports.reconcile(spec, got)
        allocator.free(got)
        assert allocator.allocate(again) == tuple(again)  # every port comes back as it was
        held[service] = tuple(again)


if __name__ == "__main__":  # python tests/test_published_ports.py RAW.json: RAW.json's captures -> the fixture
    raw = json.loads(Path(sys.argv[1]).read_text())
    if [r["line"] for r in raw] != COMMANDS:
        raise SystemExit("the captures are not of PORT_STEPS")
    FIXTURE.write_text(cc.dump([{"node": "node1", "line": r["line"], "rc": r["rc"],
                                 "out": comparable(r["stdout"] + r["stderr"])} for r in raw]))


def test_host_mode_ports_given_none_are_picked_by_the_node_and_listed_twice(tmp_path):
    """What docker 20.10.24 printed on a fresh one-node swarm (2026-12-02): a host-mode port given none gets the
    node's next ephemeral port from 32768, and `service ps` lists every binding of the container's ports, the
    IPv4 and the IPv6 one: hm.1 `*:32768->81/tcp,*:32768->81/tcp`, hm2.1 `*:9003->83/tcp,*:9003->83/tcp,
    *:32769->82/tcp,*:32769->82/tcp` (its ports in Go map order: compared as a set)."""
    steps = [f"docker service create -d --name hm --publish mode=host,target=81 {_C}",
             f"docker service create -d --name hm2 --publish mode=host,target=82 --publish mode=host,target=83,"
             f"published=9003 {_C}", "SLEEP 10", "docker service ps --format '{{.Name}} {{.Ports}}' hm hm2",
             "docker service inspect --format '{{json .Endpoint.Ports}}' hm"]
    lines = ["version: 1", "seed: 1", "cluster: {managers: 1, workers: 0}", "steps:"]
    lines += [f"  - wait: {s.split()[1]}s" if s.startswith("SLEEP") else f"  - run: {json.dumps(s)}" for s in steps]
    path = tmp_path / "host.yaml"
    path.write_text("\n".join(lines) + "\n")
    ps, inspect = [s["output"] for s in run_scenario(load_scenario(path), SimBackend()).steps()][-2:]
    listed = {name: sorted(ports.split(",")) for name, ports in (line.split() for line in ps.splitlines())}
    assert listed == {"hm.1": ["*:32768->81/tcp"] * 2, "hm2.1": ["*:32769->82/tcp"] * 2 + ["*:9003->83/tcp"] * 2}
    assert inspect.strip() == '[{"Protocol":"tcp","TargetPort":81,"PublishMode":"host"}]'  # the spec's, unpicked
