"""The simulation environment: a SimPy clock plus named, seeded random streams.

Every source of randomness has its own stream derived from the scenario seed by
a stable hash, so adding a draw in one component leaves the others unchanged and
the same seed always gives the same trace (no wall clock, no global RNG).
"""
from __future__ import annotations

import hashlib
import random
import string
from heapq import heappush
from operator import attrgetter

import simpy
from simpy.core import NORMAL, URGENT, EmptySchedule, StopSimulation

from ..model.limits import LimitExceeded, Limits

_ID_ALPHABET = string.ascii_lowercase + string.digits


class RngStreams:
    def __init__(self, seed: int):
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def stream(self, name: str) -> random.Random:
        if name not in self._streams:
            digest = hashlib.blake2b(f"{self.seed}:{name}".encode(), digest_size=8).digest()
            self._streams[name] = random.Random(int.from_bytes(digest, "big"))
        return self._streams[name]


class Waiters:
    """An event's callbacks, in SimPy's list order, with a removal that does not scan the list.

    When a condition (`a | b`) fires, SimPy takes its callback off each of its events with list.remove. An
    updater's stop event is in every worker's condition: 5,000 workers made that quadratic (46 % of a run
    with 30 updates of 5,000 slots at once). Only the methods SimPy uses on `callbacks` are here.
    """

    __slots__ = ("_order", "_where", "_next")

    def __init__(self) -> None:
        self._order: dict[int, object] = {}          # arrival number -> callback
        self._where: dict[object, list[int]] = {}    # callback -> its arrival numbers, the earliest first
        self._next = 0

    def append(self, callback) -> None:
        self._next += 1
        self._order[self._next] = callback
        self._where.setdefault(callback, []).append(self._next)

    def remove(self, callback) -> None:
        arrivals = self._where.get(callback)
        if not arrivals:
            raise ValueError("Waiters.remove(x): x not in the callbacks")
        del self._order[arrivals.pop(0)]
        if not arrivals:
            del self._where[callback]

    def __contains__(self, callback) -> bool:
        return callback in self._where

    def __iter__(self):
        return iter(list(self._order.values()))

    def __len__(self) -> int:
        return len(self._order)


class SimEnv:
    """Clock, random streams and Docker-style object IDs for one simulated swarm."""

    def __init__(self, seed: int = 0, events: int = Limits.events):
        self.env = simpy.Environment()
        self.rng = RngStreams(seed)
        self._ids = self.rng.stream("ids")
        self.event_limit = self.events_left = events

    def run(self, until: float | simpy.Event):
        """`env.run(until)` within the run's budget of events (`limits.events`): a scenario whose events
        never thin out (a crash loop, a 1 ns heartbeat) ends with LimitExceeded instead of running for
        hours. A time not after now returns at once (a `wait: 0s`). The loop is SimPy's own, counted."""
        env = self.env
        if not isinstance(until, simpy.Event):
            if until <= env.now:
                return None
            at, until = until, simpy.Event(env)  # as SimPy schedules it: before the timeouts due then
            until._ok, until._value = True, None
            env.schedule(until, URGENT, at - env.now)
        elif until.callbacks is None:
            return until.value
        until.callbacks.append(StopSimulation.callback)
        step, done = env.step, 0
        try:
            for done in range(1, self.events_left + 1):
                step()
        except StopSimulation as stop:
            self.events_left -= done
            return stop.args[0]
        except EmptySchedule:
            raise RuntimeError(f"no events left but {until} was not triggered") from None
        self.events_left = 0
        raise LimitExceeded(f"the run reached its limit of {self.event_limit:,} SimPy events at t={env.now:.2f}s")

    now = property(attrgetter("env._now"), doc="The simulated time (read about a million times a 1,000-node run: "
                   "one C-level lookup, not SimPy's property behind one of ours).")

    def new_id(self) -> str:
        """A 25-character base-36 ID like swarmkit's identity.NewID()."""
        n = self._ids.getrandbits(128)
        digits = []
        for _ in range(25):
            n, d = divmod(n, 36)
            digits.append(_ID_ALPHABET[d])
        return "".join(digits)

    def shared_event(self) -> simpy.Event:
        """An event that thousands of conditions may wait on at once (see Waiters)."""
        event = self.env.event()
        event.callbacks = Waiters()
        return event

    def timeout(self, delay: float):
        return self.env.timeout(max(0.0, delay))

    def process(self, generator):
        return self.env.process(generator)

    def call_at(self, when: float, fn, *args) -> None:
        """Run `fn(*args)` at time `when` (or now, if that has passed): queued as a Timeout would be, at the
        same place in SimPy's order, but as a `_Call` (a hundred thousand a 1,000-node run; nothing waits
        on them, so they need none of an Event's machinery)."""
        env = self.env
        now = env._now  # now + delay, as Timeout's schedule adds them (not `when`: the float sum can differ)
        heappush(env._queue, (now + max(0.0, when - now), NORMAL, next(env._eid), _Call(fn, args)))

    def soon(self, fn, *args) -> None:
        """Run `fn(*args)` at the current instant, after what is already queued for it."""
        self.call_at(self.env.now, fn, *args)


def _fire(call: "_Call") -> None:
    call.fn(*call.args)


class _Call:
    """What `SimEnv.call_at` queues: SimPy's step reads `callbacks` and `_ok`, and nothing else."""

    __slots__ = ("fn", "args", "callbacks")
    _ok = True
    _FIRE = (_fire,)

    def __init__(self, fn, args: tuple) -> None:
        self.fn, self.args, self.callbacks = fn, args, self._FIRE
