"""Go's map iteration order (runtime/map.go), the order swarmkit's reconcile hands slots to the updater in."""
from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, strategies as st

from swarmsim.control.gomap import bucket_bits, range_order


class Cell(random.Random):
    """An rng whose every draw is `value` (mod the range): range's start cell, one at a time."""

    def __init__(self, value: int):
        super().__init__(0)
        self.value = value

    def randrange(self, stop, *args):
        return self.value % stop


def orders(inserted, deleted=()) -> Counter:
    """How often each order comes out over the 8 equally likely start cells of a one-bucket map."""
    return Counter(tuple(range_order(inserted, Cell(cell), deleted)) for cell in range(8))


def test_five_slots_come_in_insertion_order_rotated_half_the_time_unrotated():
    """A real update of 5 replicas (docs/measurements.md (m)): the slots' task-ID order was 5 2 4 1 3 and the
    updater replaced 1 3 5 2 4 (start cell 3); all 26 real updates there were such rotations."""
    assert orders([5, 2, 4, 1, 3]) == {(5, 2, 4, 1, 3): 4, (2, 4, 1, 3, 5): 1, (4, 1, 3, 5, 2): 1,
                                       (1, 3, 5, 2, 4): 1, (3, 5, 2, 4, 1): 1}


def test_three_slots_come_unrotated_six_times_in_eight():
    assert orders([3, 1, 2]) == {(3, 1, 2): 6, (1, 2, 3): 1, (2, 3, 1): 1}


def test_a_deleted_entry_keeps_its_cell():
    """updatableAndDeadSlots deletes dead slots after filling the map: their empty cells still shift
    where a rotation can start."""
    assert orders([1, 2, 3], deleted=[2]) == {(1, 3): 6, (3, 1): 2}


@pytest.mark.parametrize("entries, bits", [(0, 0), (8, 0), (9, 1), (13, 1), (14, 2), (26, 2), (27, 3)])
def test_a_map_grows_past_8_entries_and_6_5_per_bucket(entries, bits):
    assert bucket_bits(entries) == bits


keys = st.lists(st.integers(1, 60), unique=True, max_size=40)


@given(keys, st.data(), st.integers(0, 2**32))
def test_range_visits_every_live_key_once(inserted, data, seed):
    deleted = data.draw(st.sets(st.sampled_from(inserted)) if inserted else st.just(set()))
    got = range_order(inserted, random.Random(seed), deleted)
    assert sorted(got) == sorted(set(inserted) - deleted)


@given(keys.filter(lambda k: len(k) <= 8), st.data(), st.integers(0, 2**32))
def test_a_small_map_ranges_in_insertion_order_rotated(inserted, data, seed):
    deleted = data.draw(st.sets(st.sampled_from(inserted)) if inserted else st.just(set()))
    live = [k for k in inserted if k not in deleted]
    got = range_order(inserted, random.Random(seed), deleted)
    assert any(got == live[i:] + live[:i] for i in range(max(len(live), 1)))
