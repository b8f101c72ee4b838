"""SimEnv's Waiters: an event's callbacks with SimPy's list semantics, without list.remove's scan."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from swarmsim.sim.env import SimEnv, Waiters


@given(st.lists(st.tuples(st.sampled_from(["append", "remove", "in"]), st.integers(0, 6)), max_size=60))
def test_waiters_behave_as_the_list_simpy_keeps(ops):
    """Appends (repeats too), removals of the first occurrence, membership, length and order, as a list's."""
    names = [f"cb{i}" for i in range(7)]
    waiters, reference = Waiters(), []
    for op, i in ops:
        cb = names[i]
        if op == "append":
            waiters.append(cb)
            reference.append(cb)
        elif op == "remove":
            if cb in reference:
                reference.remove(cb)
                waiters.remove(cb)
        assert (cb in waiters) == (cb in reference)
        assert list(waiters) == reference and len(waiters) == len(reference) and bool(waiters) == bool(reference)


def test_conditions_on_a_shared_event_fire_in_the_order_they_were_made():
    sim = SimEnv()
    stop, seen = sim.shared_event(), []

    def worker(name, wait):
        yield sim.timeout(wait) | stop
        seen.append((name, sim.now))
    for name, wait in [("a", 5), ("b", 1), ("c", 9), ("d", 3)]:
        sim.process(worker(name, wait))
    sim.call_at(4, stop.succeed)
    sim.run(20)
    assert seen == [("b", 1), ("d", 3), ("a", 4), ("c", 4)]
