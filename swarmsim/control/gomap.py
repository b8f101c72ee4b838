"""The order Go's `range` visits a map in (Go runtime/map.go; docker 20.10 is built with Go 1.19).

Go randomises map iteration on purpose, but not uniformly. Up to 8 entries live in one bucket of 8
cells, filled in insertion order, and `range` starts at a random cell and wraps around: the entries
come in insertion order, rotated, and unrotated more often than not (3 entries: 6 times in 8). A
deleted entry leaves its cell empty, so it still shifts the rotations. A bigger map spreads its
entries over 2^B buckets by a hash seeded per map; `range` starts at a random bucket and at the same
random cell in every bucket, and each bucket keeps its entries in insertion order (8 cells, then an
overflow bucket). Go 1.24's Swiss tables range over a small map the same way.
"""
from __future__ import annotations

import random
from collections.abc import Hashable, Iterable, Sequence

CELLS = 8          # bucketCnt: entries per bucket
LOAD_FACTOR = 6.5  # a map grows when a new entry would push it past this many entries per bucket


def bucket_bits(entries: int) -> int:
    """B of a map that grew by inserts up to `entries` (overLoadFactor: more than 8 and than 6.5 * 2^B)."""
    bits = 0
    while entries > CELLS and entries > LOAD_FACTOR * (1 << bits):
        bits += 1
    return bits


def range_order(inserted: Sequence[Hashable], rng: random.Random,
                deleted: Iterable[Hashable] = ()) -> list:
    """The keys of a map built by inserting `inserted` (distinct, in that order) and then deleting
    `deleted`, in the order one `range` over it visits them."""
    gone = set(deleted)
    bits = bucket_bits(len(inserted))
    buckets: list[list[Hashable]] = [[] for _ in range(1 << bits)]
    for key in inserted:  # the seeded hash: a uniform bucket per key
        buckets[rng.randrange(len(buckets)) if bits else 0].append(key)
    start = rng.randrange(len(buckets)) if bits else 0
    offset = rng.randrange(CELLS)
    order = []
    for b in range(len(buckets)):
        cells = buckets[(start + b) % len(buckets)]
        for chain in range(0, len(cells), CELLS):  # the bucket, then its overflow buckets
            block = cells[chain:chain + CELLS]
            for i in range(CELLS):
                cell = (i + offset) % CELLS
                if cell < len(block) and block[cell] not in gone:
                    order.append(block[cell])
    return order
