"""Reading the user's files with bounds: a regular file, of a bounded size, in UTF-8.

A scenario, stack file, sweep file or trace may come from someone else. Reading `/dev/zero`, a FIFO
or a 10 GB file must end at once with a clear message, not with a hang or a memory blow-up, so every
user file is opened here: without blocking, checked to be a regular file, and read only up to a
limit (raised by the SWARMSIM_MAX_FILE_BYTES environment variable).
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterator

DEFAULT_LIMIT = 1 << 20  # a scenario or stack file: real ones are a few kB, 10,000 nodes listed ~600 kB
TRACE_LIMIT = 4 << 30     # a trace of 10,000 nodes is about 1 GB
LINE_LIMIT = 64 << 20     # a line of a file read line by line (a sweep's row of 20,000 services is a few MB)


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x20), *range(0x7f, 0xa0)] if chr(c) not in "\n"}
_CONTROL.update({ord("\t"): "\\t", ord("\r"): "\\r"})
_CONTROL_BUT_TABS = {**_CONTROL, ord("\t"): "\t"}


def printable(text: str, tabs: bool = False) -> str:
    """`text` with control characters escaped (`\\x1b`, `\\t`, `\\r`): a name or message from a user's
    file is echoed to a terminal, where an escape sequence would repaint it or a CR hide the line.
    `tabs` keeps tabs (docker's output has them)."""
    return text.translate(_CONTROL_BUT_TABS if tabs else _CONTROL)


LONG_WORD = 120       # a value echoed in a message is cut past this many characters ...
LONG_MESSAGE = 1_500  # ... and a message past this: a 1 MB value, or a 100 kB --format, makes a readable error


def _elided(text: str, limit: int, head: int, tail: int) -> str:
    return text if len(text) <= limit else f"{text[:head]}...{text[-tail:]} ({len(text):,} characters)"


def one_line(message: str) -> str:
    """`message` as a refusal prints it: control characters escaped, on one line, and of a readable length
    (each long word, then the whole, cut in the middle, the end kept: it says what was expected)."""
    words = " ".join(_elided(word, LONG_WORD, 60, 20) for word in printable(message).split())
    return _elided(words, LONG_MESSAGE, 1_000, 400)


class InputError(ValueError):
    """A user file that cannot be read; str() is `FILE[:LINE]: message`."""

    def __init__(self, path: str | Path, message: str, line: int | None = None):
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


def _limit(default: int) -> int:
    raised = os.environ.get("SWARMSIM_MAX_FILE_BYTES", "")
    return int(raised) if raised.isdigit() else default


def file_limit() -> int:
    """The most bytes a scenario or stack file may hold (text made from one, such as a filled sweep scenario, too)."""
    return _limit(DEFAULT_LIMIT)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _open(path: str | Path, what: str, limit: int) -> int:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as err:
        raise InputError(path, f"cannot read the {what}: {err.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise InputError(path, f"cannot read the {what}: {_kind(info.st_mode)} (expected a regular file)")
    if info.st_size > limit:
        os.close(fd)
        raise InputError(path, f"the {what} is {info.st_size:,} bytes, over the limit of {limit:,} (expected a "
                               f"smaller file; SWARMSIM_MAX_FILE_BYTES raises the limit)")
    return fd


def _decode(path: str | Path, what: str, data: bytes, line_offset: int = 0) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = line_offset + data.count(b"\n", 0, err.start) + 1
        raise InputError(path, f"the {what} is not UTF-8 text (byte {data[err.start]:#04x})", line) from None
    if "\x00" in text:
        line = line_offset + text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(path, f"the {what} holds a NUL byte (expected text)", line)
    return text


def read_bytes(path: str | Path, what: str = "file", limit: int | None = None) -> bytes:
    """The whole of a user file of at most `limit` bytes, as it is (a config's data)."""
    limit = file_limit() if limit is None else limit
    fd = _open(path, what, limit)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # the file grew while we read it
        raise InputError(path, f"the {what} is over the limit of {limit:,} bytes")
    return data


def read_text(path: str | Path, what: str = "file", limit: int | None = None) -> str:
    """The whole text of a user file of at most `limit` bytes."""
    return _decode(path, what, read_bytes(path, what, limit))


def decode(path: str | Path, what: str, data: bytes, line: int) -> str:
    """The UTF-8 text of line `line` of a user file; bytes that are not text are named with the line."""
    return _decode(path, what, data, line - 1)


def read_raw_lines(path: str | Path, what: str, line_limit: int = LINE_LIMIT,
                   limit: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes with their newline) of each line of a user file of at most `limit` bytes, read as a
    stream; a line over `line_limit` bytes is refused when its first `line_limit` bytes are read (a file of
    zeros has one line of gigabytes). The last line may lack its newline (torn by a kill): the caller judges."""
    fd = _open(path, what, _limit(TRACE_LIMIT) if limit is None else limit)
    with os.fdopen(fd, "rb") as handle:
        number = 0
        while raw := handle.readline(line_limit + 1):
            number += 1
            if len(raw) > line_limit:
                raise InputError(path, f"the {what} has a line of over {line_limit:,} bytes (expected shorter lines)",
                                 number)
            yield number, raw


def read_lines(path: str | Path, what: str = "trace") -> Iterator[tuple[int, str]]:
    """(line number, text) of each line of a large user file, read as a stream."""
    fd = _open(path, what, _limit(TRACE_LIMIT))
    with os.fdopen(fd, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            yield number, _decode(path, what, raw, number - 1)


def _held_open(info: os.stat_result) -> bool:
    """Whether this process already holds the pipe `info` is of: `--trace /dev/stdout | jq`, or a shell's
    `>(gzip > t.gz)`, is a pipe with a reader, unlike a named FIFO found on the disk."""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3))
    for fd in fds:
        try:
            held = os.fstat(fd)
        except OSError:
            continue
        if (held.st_dev, held.st_ino) == (info.st_dev, info.st_ino):
            return True
    return False


def output_dir(path: str | Path, what: str = "folder") -> Path:
    """The folder `path`, created if missing, for what a command writes (plots, a sweep's results); a path
    that is a file, under a file or not writable is named with the reason (an OSError's text may not say it)."""
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        reason = "a file is in the way" if isinstance(err, (FileExistsError, NotADirectoryError)) else err.strerror
        raise InputError(path, f"cannot create the {what}: {reason or err} (expected a directory)") from None
    return out


def output_file(path: str | Path, what: str = "file") -> Path:
    """`path` checked before a long run writes it there: a replay's trace lost at the end of minutes of real
    swarm work cannot be had again. Its folder is made; the file itself is left alone until it is written."""
    out = Path(path)
    if not str(path):
        raise InputError("''", f"cannot write the {what}: the path is empty (expected a file name)")
    try:
        info = out.stat()
    except (FileNotFoundError, NotADirectoryError):  # missing (a symlink to where it will be made), a file above
        info = None
    except OSError as err:  # a symlink loop, a name too long: the write at the end would fail
        raise InputError(path, f"cannot write the {what}: {err.strerror or err} (expected a file name)") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise InputError(path, f"cannot write the {what}: it is a directory (expected a file name)")
    if info is not None and (stat.S_ISFIFO(info.st_mode) or stat.S_ISSOCK(info.st_mode)) and not _held_open(info):
        # a named FIFO no one reads blocks the write at the end of the run forever
        raise InputError(path, f"cannot write the {what}: it is {_kind(info.st_mode)} (expected a regular file)")
    output_dir(out.parent, f"folder of the {what}")
    if not os.access(out if out.exists() else out.parent, os.W_OK):
        raise InputError(path, f"cannot write the {what}: permission denied (expected a writable file)")
    return out
