"""Published ports as the swarm allocates them: a port picked from 30000-32767 for an ingress port given none,
sticky while the ports stay the same, refused when another service holds it (net/ports.py,
controlapi checkPortConflicts).

The fixture tests/fixtures/cli_output/ports.txt is what docker 20.10.24 printed for PORT_STEPS on a
fresh one-node swarm (tests/one_node.py: `python tests/test_published_ports.py RAW.json` writes it); the
simulator must print the same after normalising.
"""
from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

import cli_capture as cc
import one_node
from swarmsim.model import PortConfig
from swarmsim.net import ports

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


def comparable(text: str) -> str:
    """Normalised as the tutorial's outputs are, and a table's REPLICAS left out: how many tasks run by
    then depends on how fast the real node started them, which is not what this compares."""
    text = cc.normal(text)
    rows = cc.split_table(text)
    if rows is None or rows[0][3:4] != ["REPLICAS"]:
        return text
    return cc.table([row[:3] + row[4:] for row in rows])


def test_the_simulator_prints_what_docker_printed():
    for entry, output in one_node.pairs(FIXTURE, PORT_STEPS):
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


if __name__ == "__main__":  # python tests/test_published_ports.py RAW.json: the fixture (tests/one_node.py)
    one_node.record(Path(sys.argv[1]), FIXTURE, PORT_STEPS, comparable)


def test_an_endpoint_once_made_keeps_its_mode_when_the_last_port_or_network_goes():
    """What docker 20.10.24 printed for `inspect --format '{{json .Endpoint}}'` after `--publish-rm` of a
    service's only port and `--network-rm` of its only network (the flag comparison of 2026-12-02): the
    allocator keeps the Endpoint it made. A service never given a port or a network has none."""
    steps = ["docker network create -d overlay net1",
             f"docker service create -d --name u020 -p 8104:80 {_C}",
             "docker service update -d --no-resolve-image --publish-rm 8104:80 u020",
             f"docker service create -d --name v006 -p 8110:80 {_C}",
             "docker service update -d --no-resolve-image --publish-rm 80/tcp v006",
             f"docker service create -d --name v035 --network net1 {_C}",
             "docker service update -d --no-resolve-image --network-rm net1 v035",
             f"docker service create -d --name plain {_C}",
             "docker service inspect --format '{{json .Endpoint}}' u020 v006 v035 plain"]
    assert one_node.simulated(steps)[-1] == '{"Spec":{"Mode":"vip"}}\n' * 3 + '{"Spec":{}}\n'
