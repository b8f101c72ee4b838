"""docker/cli 20.10 opts.ParseEnvFile (opts/file.go parseKeyValueFile): the variables of an `--env-file`.

Read as Go's bufio.Scanner reads lines (split at \\n, one trailing \\r dropped, a line of 64 KiB or more is
"token too long"), each line checked for UTF-8, the first line's byte-order mark dropped, leading white
space (Go's unicode.IsSpace, not Python's) trimmed, empty and `#` lines skipped. A name alone takes its
value from the environment, or is left out when the environment has none.
"""
from __future__ import annotations

from typing import Callable

from ..model.gostrings import trim_left_space, trim_space

_BLANKS = " \t"  # opts' whiteSpaces
_MAX_TOKEN = 64 * 1024  # bufio.MaxScanTokenSize: the scanner's buffer, which must hold a line and its \n
_BOM = b"\xef\xbb\xbf"


class EnvFileError(ValueError):
    """What docker prints when it cannot read an env file."""


def _scan_lines(data: bytes):
    """bufio.ScanLines over the whole file: the lines without their \\n and one \\r, no empty last one."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        stop = len(data) if end < 0 else end
        if stop - start >= _MAX_TOKEN:
            raise EnvFileError("bufio.Scanner: token too long")
        line = data[start:stop]
        yield line[:-1] if line.endswith(b"\r") else line
        start = stop + 1


def parse_env_file(data: bytes, name: str, lookup: Callable[[str], str | None]) -> list[str]:
    """The `KEY=VALUE` entries of the file `name` holding `data`, in order; `lookup` gives a name alone its
    value (None: not set). Raises EnvFileError with docker's words."""
    out: list[str] = []
    for number, raw in enumerate(_scan_lines(data), 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise EnvFileError(f"env file {name} contains invalid utf8 bytes at line {number}: "
                               f"[{' '.join(str(b) for b in raw)}]") from None
        if number == 1:
            text = text.removeprefix(_BOM.decode())
        line = trim_left_space(text)
        if not line or line.startswith("#"):
            continue
        variable, has_value, value = line.partition("=")
        variable = variable.lstrip(_BLANKS)
        if any(c in _BLANKS for c in variable):
            raise EnvFileError(f"poorly formatted environment: variable '{variable}' contains whitespaces")
        if not variable:
            raise EnvFileError(f"poorly formatted environment: no variable name on line '{line}'")
        if has_value:
            out.append(f"{variable}={value}")
        elif (found := lookup(line)) is not None:
            out.append(f"{trim_space(line)}={found}")
    return out
