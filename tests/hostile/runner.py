"""Run one hostile case through `swarmsim.cli.main` in a forked child, under a time and memory limit.

A fork costs milliseconds (the parent has already imported swarmsim), so hundreds of cases fit in a
test run; the limits turn a hang or a memory blow-up into a visible failure instead of a stuck CI.
"""
from __future__ import annotations

import os
import resource
import signal
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

TIME_LIMIT = 15        # seconds of wall time per case
MEMORY_LIMIT = 1 << 30  # bytes of address space a case may add to the parent's
MESSAGE_LIMIT = 2_000  # characters of the one message: the longest of docker's own lists fit


@dataclass
class Case:
    """One hostile input: the files it needs (bytes, or "FIFO" / "DIR" for special files) and the argv."""

    name: str
    klass: str
    argv: list[str]
    files: dict[str, bytes | str] = field(default_factory=dict)
    names: str = ""  # what the one message must name (default: the first argv path)
    accepted: bool = False  # Docker takes it: swarmsim must run it to the end, within the limits


@dataclass
class Outcome:
    code: int | None     # exit code; None when killed
    signal: int | None
    stdout: str
    stderr: str
    seconds: float


def _address_space() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def lay_out(case: Case, where: Path) -> None:
    for rel, content in case.files.items():
        path = where / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content == "FIFO":
            os.mkfifo(path)
        elif content == "DIR":
            path.mkdir()
        else:
            path.write_bytes(content if isinstance(content, bytes) else content.encode())


def run(case: Case, where: Path) -> Outcome:
    from swarmsim import cli
    lay_out(case, where)
    out, err = where / ".stdout", where / ".stderr"
    limit = _address_space() + MEMORY_LIMIT
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: limits, redirected output, the command, and out
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            os.chdir(where)
            for fd, path in ((1, out), (2, err)):
                handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(handle, fd)
                os.close(handle)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(TIME_LIMIT)
            import sys
            sys.stdout = open(1, "w", closefd=False)
            sys.stderr = open(2, "w", closefd=False)
            code = cli.main(case.argv)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code if isinstance(code, int) else 0)
        except BaseException:  # noqa: BLE001 - whatever escaped main is the finding
            import traceback
            traceback.print_exc()
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    seconds = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    read = lambda p: p.read_text(errors="replace") if p.exists() and stat.S_ISREG(p.stat().st_mode) else ""
    return Outcome(code if code >= 0 else None, -code if code < 0 else None, read(out), read(err), seconds)


def problems(case: Case, outcome: Outcome) -> list[str]:
    """What is wrong with how swarmsim answered: the contract of a refusal (exit 2, one line naming the
    file, no traceback, no internal error, within the limits)."""
    found = []
    if outcome.signal is not None:
        found.append(f"killed by signal {outcome.signal} after {outcome.seconds:.1f}s (hang or memory)")
        return found
    if case.accepted:
        if outcome.code != 0 or "Traceback" in outcome.stderr:
            found.append(f"exit {outcome.code} for an input Docker accepts: {outcome.stderr.strip()[-200:]}")
        return found
    if outcome.code != 2:
        found.append(f"exit {outcome.code}, expected 2")
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    if "Traceback" in outcome.stderr:
        found.append("a traceback")
    if "internal error" in outcome.stderr:
        found.append("an internal error")
    if len(lines) != 1:
        found.append(f"{len(lines)} lines on stderr, expected one")
    if lines and len(lines[-1]) > MESSAGE_LIMIT:
        found.append(f"a message of {len(lines[-1]):,} characters (a value echoed in full?)")
    names = case.names or next((a for a in case.argv[1:] if not a.startswith("-")), "")
    if lines and names and names not in lines[-1]:
        found.append(f"the message does not name {names!r}")
    return found
