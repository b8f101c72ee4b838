"""Human forms of durations, sizes and CPU counts, parsed once at the edge.

Docker accepts Go durations ("1m30s", "300ms", "2h"), memory sizes as go-units
RAMInBytes reads them ("256MiB", "512m", "1g", "1.5GB", all 1024-based), and CPU
counts as exact rationals ("0.5", "1/4"). Inside swarmsim time is float seconds and resources are integers
(nano CPUs, bytes), like swarmkit's api.Resources.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Callable

NANO = 1_000_000_000
INT64_MAX = 2**63 - 1

#: time.ParseDuration's units in nanoseconds (µ is U+00B5, μ U+03BC)
DURATION_UNITS = {"ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 1_000_000, "s": NANO,
                  "m": 60 * NANO, "h": 3600 * NANO}
_DURATION_MAX = 1 << 63  # the magnitude ParseDuration's uint64 may reach (a negative duration's)
# `\d+(\.\d*)?`, not `\d+\.?\d*`: the same numbers, without the two runs of digits that made a long number
# that fails at its end take quadratic time to refuse
_GO_FLOAT = re.compile(r"[+-]?(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_RATIONAL = re.compile(r"[+-]?(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?\d+/\d+")
_BINARY = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
_DECIMAL = {"k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4, "p": 1000**5}
_BINARY_ABBRS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")


def go_quote(text: str) -> str:
    """time's quote: in double quotes, `"` and `\\` escaped, each byte of a non-ASCII or control character
    as \\xNN."""
    out = []
    for char in text:
        if ord(char) >= 0x80 or ord(char) < 0x20:
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8", "surrogatepass"))
        else:
            out.append("\\" + char if char in '"\\' else char)
    return '"' + "".join(out) + '"'


def _leading_digits(text: str) -> tuple[str, str]:
    """The ASCII digits `text` starts with, and the rest."""
    end = 0
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    return text[:end], text[end:]


def go_duration(text: str) -> int:
    """Nanoseconds from time.ParseDuration (Go 1.19, which builds docker 20.10), or ValueError in its words:
    `[-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+`, `0` alone needing no unit, int64 nanoseconds at most, each
    fraction through a float64 as Go computes it (so `1.0000000001s` and `1s` differ by a nanosecond or not
    exactly as in Go)."""
    invalid = ValueError(f"time: invalid duration {go_quote(text)}")
    rest, negative = text, text[:1] == "-"
    if text[:1] in "-+":
        rest = text[1:]
    if rest == "0":
        return 0
    if not rest:
        raise invalid
    total = 0
    while rest:
        if not (rest[0] == "." or "0" <= rest[0] <= "9"):
            raise invalid
        whole, rest = _leading_digits(rest)
        if len(whole.lstrip("0")) > 19 or int(whole or "0") > _DURATION_MAX:  # leadingInt's overflow
            raise invalid
        value = int(whole or "0")
        fraction, scale, post = 0, 1.0, False
        if rest[:1] == ".":
            digits, rest = _leading_digits(rest[1:])
            post = bool(digits)
            for digit in digits:  # leadingFraction: digits past int64 precision are dropped
                if fraction > (_DURATION_MAX - 1) // 10 or fraction * 10 + int(digit) > _DURATION_MAX:
                    break
                fraction, scale = fraction * 10 + int(digit), scale * 10
        if not whole and not post:
            raise invalid  # no digits (".s", "-.s")
        end = 0
        while end < len(rest) and not (rest[end] == "." or "0" <= rest[end] <= "9"):
            end += 1
        if end == 0:
            raise ValueError(f"time: missing unit in duration {go_quote(text)}")
        unit, rest = rest[:end], rest[end:]
        if unit not in DURATION_UNITS:
            raise ValueError(f"time: unknown unit {go_quote(unit)} in duration {go_quote(text)}")
        size = DURATION_UNITS[unit]
        if value > _DURATION_MAX // size:
            raise invalid
        value *= size
        if fraction > 0:
            value += int(float(fraction) * (float(size) / scale))
            if value > _DURATION_MAX:
                raise invalid
        total = (total + value) % (1 << 64)  # Go's uint64 sum wraps; each part is checked, the sum only here
        if total > _DURATION_MAX:
            raise invalid
    if negative:
        return -total
    if total > _DURATION_MAX - 1:
        raise invalid
    return total


def parse_duration(value: str | int | float, signed: bool = False) -> float:
    """Seconds from a Go duration ("1m30s", as time.ParseDuration reads it) or a bare number of seconds (a
    scenario's own form); a negative one only if `signed` (docker takes them, and the daemon judges)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 5s or 1m30s, got {value!r}")
    if isinstance(value, (int, float)):
        if value < 0 or value != value:
            raise ValueError(f"expected a non-negative duration, got {value!r}")
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    try:
        seconds = go_duration(text) / NANO
    except ValueError as err:
        raise ValueError(f"expected a duration such as 5s, 300ms or 1m30s, got {value!r} ({err})") from None
    if seconds < 0 and not signed:
        raise ValueError(f"expected a non-negative duration, got {value!r}")
    return seconds


def _go_float(text: str) -> float:
    """Go's strconv.ParseFloat for decimal text, with its error texts."""
    if not _GO_FLOAT.fullmatch(text):
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": invalid syntax')
    value = float(text)
    if math.isinf(value):
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": value out of range')
    return value


def _parse_size(text: str, multipliers: dict[str, int]) -> int:
    """go-units parseSize (v0.5.0, what docker/cli vendors): a number, one optional space, and an optional
    case-insensitive suffix B, K, KB or KiB (M, G, T, P likewise) whose letter alone decides the multiple."""
    sep = max(text.rfind(c) for c in "0123456789. ")
    if sep == -1:
        raise ValueError(f"invalid size: '{text}'")
    num, suffix = (text[:sep], text[sep + 1:]) if text[sep] == " " else (text[:sep + 1], text[sep + 1:])
    size = _go_float(num)
    if size < 0:
        raise ValueError(f"invalid size: '{text}'")
    lower = suffix.lower()
    if suffix and len(suffix) <= 3 and lower != "b":
        if lower[0] not in multipliers or (len(lower) > 1 and lower[1:] not in ("b", "ib")):
            raise ValueError(f"invalid suffix: '{lower}'")
        size *= multipliers[lower[0]]
    elif len(suffix) > 3:
        raise ValueError(f"invalid suffix: '{suffix}'")
    if size > INT64_MAX:  # Go's int64() of such a float is undefined: refused here
        raise ValueError(f"invalid size: '{text}'")
    return int(size)


def _sized(parse: Callable[[str], int], value: str | int) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or (isinstance(value, int) and value < 0):
        raise ValueError(f"invalid size: '{value}'")
    return value if isinstance(value, int) else parse(value)


def ram_in_bytes(value: str | int) -> int:
    """go-units RAMInBytes, which docker reads memory with (--reserve-memory, --limit-memory, compose
    `memory:`): K, M, G, T, P are 1024-based whether written k, KB or KiB ("1050MB" is 1050 MiB);
    a bare number is bytes."""
    return _sized(lambda text: _parse_size(text, _BINARY), value)


def from_human_size(value: str | int) -> int:
    """go-units FromHumanSize: the same forms read as SI multiples ("50MB" and "50MiB" are 50,000,000), for
    amounts of data such as an image's size; a bare number is bytes."""
    return _sized(lambda text: _parse_size(text, _DECIMAL), value)


def parse_cpus(value: str | int | float) -> int:
    """docker/cli opts.ParseCPUs: nano CPUs from an exact rational ("0.5", "1/4", "2e-3"); more precision
    than a nano CPU is an error, not a rounding."""
    text = repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, bool) or not _RATIONAL.fullmatch(text):
        raise ValueError(f"failed to parse {text} as a rational number")
    try:
        nano = Fraction(text) * NANO
    except ZeroDivisionError:
        raise ValueError(f"failed to parse {text} as a rational number") from None
    if nano.denominator != 1:
        raise ValueError("value is too precise")
    if abs(nano) > INT64_MAX:  # Go's Int64() of such a number is undefined: refused here
        raise ValueError(f"{text} is out of range (nano CPUs are an int64)")
    return int(nano)


def format_duration(seconds: float) -> str:
    """Go's time.Duration.String() for whole and fractional seconds ("1m30s", "500ms")."""
    if seconds == 0:
        return "0s"
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds < 1:
        ms = seconds * 1000
        return f"{ms:g}ms"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = ""
    if hours:
        out += f"{int(hours)}h"
    if hours or minutes:
        out += f"{int(minutes)}m"
    return out + f"{secs:g}s"


def format_bytes(n: int) -> str:
    """go-units BytesSize, what `inspect --pretty` prints: four significant digits of the largest
    1024-multiple not above the value ("1.025GiB" for 1050 MiB)."""
    value, unit = float(n), 0
    while value >= 1024 and unit < len(_BINARY_ABBRS) - 1:
        value, unit = value / 1024, unit + 1
    return f"{value:.4g}{_BINARY_ABBRS[unit]}"
