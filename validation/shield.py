"""Cleanup that a second Ctrl-C cannot cut short.

A user who presses Ctrl-C during a replay usually presses it again while swarmsim removes what it
created; a second KeyboardInterrupt in the middle of that cleanup would leave dockerds, namespaces,
mounts, iptables rules or services behind. Inside `shielded()` SIGINT, SIGTERM and SIGHUP only print
that cleanup is under way; SIGKILL cannot be caught, which is what `swarmsim cluster down` and
`swarmsim replay --cleanup` are for.
"""
from __future__ import annotations

import contextlib
import signal
import sys
import threading

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_depth = 0


def _patient(signum, frame) -> None:
    print(f"swarmsim: cleaning up what this run created; {signal.Signals(signum).name} ignored until it is "
          "done", file=sys.stderr, flush=True)


@contextlib.contextmanager
def shielded():
    """Run the block with interrupting signals held off (a no-op off the main thread, where Python
    cannot set handlers, and when already inside a shielded block)."""
    global _depth
    if threading.current_thread() is not threading.main_thread() or _depth:
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
        return
    previous = {sig: signal.signal(sig, _patient) for sig in SIGNALS}
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        for sig, handler in previous.items():
            signal.signal(sig, handler)
