"""Human forms of durations, sizes and CPU counts, parsed once at the edge.

Docker accepts Go durations ("1m30s", "300ms", "2h"), byte sizes with binary or
decimal suffixes ("256MiB", "512m", "1g", "1.5GB") and fractional CPU counts
("0.5"). Inside swarmsim time is float seconds and resources are integers
(nano CPUs, bytes), like swarmkit's api.Resources.
"""
from __future__ import annotations

import re

NANO = 1_000_000_000

_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")
_SIZE_UNITS = {
    "": 1, "b": 1,
    "k": 1024, "kb": 1000, "kib": 1024,
    "m": 1024**2, "mb": 1000**2, "mib": 1024**2,
    "g": 1024**3, "gb": 1000**3, "gib": 1024**3,
    "t": 1024**4, "tb": 1000**4, "tib": 1024**4,
}


def parse_duration(value: str | int | float) -> float:
    """Seconds from a Go duration ("1m30s") or a bare number of seconds."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 5s or 1m30s, got {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"expected a non-negative duration, got {value!r}")
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text:
        raise ValueError(f"expected a duration such as 5s, 300ms or 1m30s, got {value!r}")
    return total


def parse_bytes(value: str | int) -> int:
    """Bytes from a docker size ("256MiB", "512m", "1g"); a bare number is bytes."""
    if isinstance(value, bool):
        raise ValueError(f"expected a size such as 256MiB, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"expected a non-negative size, got {value!r}")
        return value
    match = _SIZE.match(str(value))
    unit = match.group(2).lower() if match else None
    if not match or unit not in _SIZE_UNITS:
        raise ValueError(f"expected a size such as 256MiB, 512m or 1g, got {value!r}")
    return int(float(match.group(1)) * _SIZE_UNITS[unit])


def parse_cpus(value: str | int | float) -> int:
    """Nano CPUs from a CPU count ("0.5" -> 500_000_000)."""
    try:
        cpus = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number of CPUs such as 0.5 or 2, got {value!r}") from None
    if cpus < 0 or isinstance(value, bool):
        raise ValueError(f"expected a non-negative number of CPUs, got {value!r}")
    return round(cpus * NANO)


def format_duration(seconds: float) -> str:
    """Go's time.Duration.String() for whole and fractional seconds ("1m30s", "500ms")."""
    if seconds == 0:
        return "0s"
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
    """docker's units.BytesSize style used by `inspect --pretty` ("256MiB")."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.4g}{unit}"
        value /= 1024
    raise AssertionError("unreachable")
