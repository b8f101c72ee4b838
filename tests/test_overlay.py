"""Overlay address pools: a VIP per service, an address per live task; none left means NEW."""
from pathlib import Path

from hypothesis import given, strategies as st

from swarmsim.analysis import metrics
from swarmsim.backend import SimBackend, run_scenario
from swarmsim.net.ipam import AddressPool, SubnetPools, take_all
from swarmsim.scenario import load_scenario, loads_scenario as load_scenario_text

EXAMPLE = Path(__file__).parent.parent / "examples" / "overlay-exhaustion.yaml"


def test_default_subnets_are_consecutive_slash_24s_of_ten_slash_eight():
    pools = SubnetPools()
    got = [pools.take(f"n{i}") for i in range(257)]
    assert [got[i] for i in (0, 1, 255, 256)] == ["10.0.0.0/24", "10.0.1.0/24", "10.0.255.0/24", "10.1.0.0/24"]


def test_a_pool_hands_out_all_but_three_addresses_and_take_all_is_all_or_nothing():
    small, big = AddressPool("10.9.0.0/29"), AddressPool("10.8.0.0/24")
    assert small.capacity == 5 and big.capacity == 253
    assert all(take_all([big, small], f"t{i}") for i in range(5))
    assert not take_all([big, small], "t5") and "t5" not in big.owners
    assert small.release("t0") and take_all([big, small], "t5")


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 7)), max_size=40))
def test_each_owner_gets_the_first_free_address_after_the_last_one_given(ops):
    """libnetwork's serial allocation: from the last address given onwards, then round from the lowest."""
    pool, held, cursor = AddressPool("10.9.0.0/29"), {}, 2
    for take, n in ops:
        owner = f"t{n}"
        if take and owner not in held and pool.free:
            free = sorted(set(range(2, 7)) - set(held.values()))
            expected = next((a for a in free if a >= cursor), free[0])
            assert pool.take(owner) and pool.address(owner) == f"10.9.0.{expected}/29"
            held[owner], cursor = expected, expected + 1
        elif not take:
            assert pool.release(owner) == (held.pop(owner, None) is not None)
            assert pool.address(owner) is None
    assert {o: pool.address(o) for o in held} == {o: f"10.9.0.{a}/29" for o, a in held.items()}


def test_every_node_holds_an_ingress_address_for_its_load_balancer():
    backend = SimBackend()
    run_scenario(load_scenario_text("version: 1\ncluster: {managers: 1, workers: 2}\nsteps:\n"
                                    "  - run: docker service create -d --name web -p 8080:80 nginx\n"), backend)
    swarm = backend.swarm
    assert swarm.manager.allocator.vips(swarm.service("web")) == [("ingress", "10.0.0.5/24")]  # after .2-.4


def test_tasks_beyond_the_pool_stay_new_until_a_scale_down_frees_addresses():
    trace = run_scenario(load_scenario(EXAMPLE), SimBackend())
    at_first = metrics.task_states_at(trace, metrics.step_time(trace, 2))
    assert sorted(e["state"] for e in at_first.values()).count("new") == 3  # 13 usable, one for the VIP
    assert sum(metrics.placement(trace)["api"].values()) == 10
