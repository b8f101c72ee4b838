"""Go's fmt %v (and %g) for a float64, which the daemon's messages and the CLI's output both print.

The shortest digits that read back as the same float, in %e form when the exponent is below -4 or
at least 6 (strconv FormatFloat 'g' with precision -1): 0.25, 2, 1e-06, 1.234567e+06. And the longest
duration Go holds, which bounds every duration the CLI, the loader and calibrate write or read.
"""
from __future__ import annotations

from decimal import Decimal

MAX_DURATION = (2 ** 63 - 1) / 1e9  # s: Go's time.Duration is int64 nanoseconds, about 292 years


def go_float(x: float) -> str:
    x = float(x)
    if x != x or x in (float("inf"), float("-inf")):
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}[repr(x)]
    sign, digits, exponent = Decimal(repr(x)).normalize().as_tuple()
    text = "".join(map(str, digits)) if x else "0"
    point = len(text) + exponent if x else 1  # digits before the decimal point
    minus = "-" if sign else ""
    exp = point - 1
    if exp < -4 or exp >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{minus}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{text}"
    if point >= len(text):
        return f"{minus}{text}{'0' * (point - len(text))}"
    return f"{minus}{text[:point]}.{text[point:]}"
