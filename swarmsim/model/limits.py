"""The bounds of one run: what a scenario may ask the simulator to hold and to do.

A scenario may come from someone else, and a simulation has no wall clock to stop it: a crash loop,
a 1 ns heartbeat or a traffic client over a simulated year would run for hours and fill memory.
Each bound here is named in docs/reference/scenario.md ("Bounds and Docker's value checks"); the
ones a scenario may raise are its `limits:` block.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_PREFERENCES = 100  # placement preferences of one service: each is a level of the scheduler's tree, walked by
                       # recursion (Go's stacks grow, Python's end near 1,000 frames); real services have one or two
EXPANDED_TEXT = 64 << 20  # characters one stack file may expand to: its interpolated values and the env_file
                          # lines of its services (an alias of '${A}' used 20,000 times, one env_file per service)
OUTPUT_LIMIT = 128 << 20  # characters all the steps of a run may print (each kept in the trace)
CLI_WAIT_LIMIT = 600.0  # s of simulated time a command without -d waits; docker's CLI would wait for ever
DEFAULT_CONVERGE_TIMEOUT = 600.0  # s, `wait: converged` without a timeout


@dataclass(frozen=True)
class Limits:
    """What one scenario may ask for; `limits:` raises them."""

    tasks: int = 500_000          # the replicas of all services together, at every step
    nodes: int = 10_000
    steps: int = 10_000
    time: float = 30 * 86400.0    # s of simulated time the steps may reach, counted on load (longest case)
    events: int = 20_000_000      # SimPy events one run may process (about 40 per task; ~45 us and ~350 B each)
    text: int = 256 << 20         # characters of text the services' specs hold together, counted on load (env,
                                  # labels, args...: 10,000 services with one 1 MiB env_file each would be 10 GiB)


def text_size(value: object) -> int:
    """The characters of text in a spec: its strings, in its tuples, mappings and dataclass fields."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (tuple, list, frozenset, set)):
        return sum(text_size(v) for v in value)
    if isinstance(value, dict):
        return sum(text_size(k) + text_size(v) for k, v in value.items())
    fields = getattr(type(value), "__dataclass_fields__", None)
    if fields:
        return sum(text_size(getattr(value, name)) for name in fields)
    return 0


def too_many_preferences(spec) -> str | None:
    """Why a service spec asks for more placement preferences than can be simulated; None if it does not."""
    count = len(spec.task.placement.preferences)
    if count > MAX_PREFERENCES:
        return (f"{count:,} placement preferences, over the limit of {MAX_PREFERENCES} (expected fewer: each is "
                "a level of the scheduler's decision tree)")
    return None


class LimitExceeded(ValueError):
    """A run went past `limits.events`: bad input found while running, so a ValueError like the loader's."""
