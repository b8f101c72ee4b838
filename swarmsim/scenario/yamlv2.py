"""Scalars as docker reads a stack file: gopkg.in/yaml.v2 (v2.2.8, vendored by docker/cli 20.10) into interface{}.

PyYAML resolves plain scalars by YAML 1.1's regular expressions; yaml.v2 has its own table (resolve.go),
and a stack file means what yaml.v2 reads. Where they part: `y`/`Y`/`n`/`N` are booleans (but not
`yES` or `oFF`: three spellings of each word); integers take Go's base prefixes (`0x`, `0o`, `0b`, and a
leading `0` for octal) with every `_` dropped, so `08` is the float 8; `1e3` and `.5` are floats, a number
past int64 a uint64 and past uint64 a float, `1e400` (out of range) text; `1:30` (base 60 for PyYAML) and a
timestamp are text. An explicit tag must fit the value (`!!int abc` is "cannot decode !!str `abc` as a
!!int"); an unknown tag, and `!`, leave the text. The loader composes with `Resolver`, which marks each plain scalar
for `value` to read here.
"""
from __future__ import annotations

import base64
import binascii
import math
import re

import yaml

from ..dockercli.units import INT64_MAX
from ..model.gofmt import go_float

PREFIX = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (PREFIX + t for t in ("str", "int", "float", "bool", "null"))
TIMESTAMP, BINARY, MERGE = (PREFIX + t for t in ("timestamp", "binary", "merge"))
PLAIN = "tag:swarmsim,2026:plain"  # a plain scalar without a tag: yaml.v2 resolves it by its text

_RESOLVABLE = ("", STR, BOOL, INT, FLOAT, NULL, TIMESTAMP)
_WORDS: dict[str, tuple[str, object]] = {}
for _value, _tag, _spellings in (
        (True, BOOL, "y Y yes Yes YES true True TRUE on On ON"),
        (False, BOOL, "n N no No NO false False FALSE off Off OFF"),
        (None, NULL, "~ null Null NULL"), (math.nan, FLOAT, ".nan .NaN .NAN"),
        (math.inf, FLOAT, ".inf .Inf .INF +.inf +.Inf +.INF"), (-math.inf, FLOAT, "-.inf -.Inf -.INF")):
    _WORDS.update({s: (_tag, _value) for s in _spellings.split()})
_WORDS[""] = (NULL, None)
_HINTED = frozenset("+-0123456789yYnNtTfFoO~.")  # resolveTable: a first character worth a look-up
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9_]*(?:[eE][-+]?[0-9][0-9_]*)?")
_DIGITS = {2: re.compile("[01]+"), 8: re.compile("[0-7]+"), 10: re.compile("[0-9]+"),
           16: re.compile("[0-9a-fA-F]+")}
_INT64, _UINT64 = 2**63, 2**64
# the layouts yaml.v2 tries (allowedTimestampFormats): a date, then a time after T, t or a space
_TIMESTAMP = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:([Tt])|[ ])([0-9]{1,2}):([0-9]{1,2}):"
                        r"([0-9]{1,2})(?:[.,][0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})?)?")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class DecodeError(ValueError):
    """A tagged scalar yaml.v2 refuses; str() is its words without the `yaml: ` prefix."""


class Resolver(yaml.resolver.BaseResolver):
    """Tags for a composed stack file: a plain scalar is PLAIN (read by `value`), `<<` a merge key, a quoted one
    text; explicit tags stay as written."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            return (MERGE if value == "<<" else PLAIN) if implicit[0] else STR
        return super().resolve(kind, value, implicit)


_NON_SPECIFIC = re.compile(r"(?:&\S+\s+)?!(?=\s)")


def non_specific(text: str, start: int) -> bool:
    """Whether the node whose properties begin at `start` of `text` (composed without a BOM, which libyaml's
    marks do not count) carries the non-specific tag `!`, which the resolver cannot tell from no tag at all."""
    return text[start:start + 1] in ("!", "&") and _NON_SPECIFIC.match(text, start) is not None


def _short(tag: str) -> str:
    return "!!" + tag[len(PREFIX):] if tag.startswith(PREFIX) else tag


def value(tag: str, text: str) -> object:
    """The Go value yaml.v2 decodes the scalar `text` tagged `tag` to, as Python data (a timestamp stays text)."""
    if tag == STR:
        return text
    if tag == BINARY:
        try:
            return base64.b64decode(text, validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            raise DecodeError("!!binary value contains invalid base64 data") from None
    if tag == PLAIN:
        tag = ""
    if tag not in _RESOLVABLE:
        return text  # an unknown tag (and `<<` as a value): yaml.v2 keeps the text
    found, out = _resolve(tag, text)
    if tag in ("", found) or (tag == FLOAT and found == INT and out < _INT64):  # an int, not a uint64, to float
        return float(out) if tag == FLOAT else out
    raise DecodeError(f"cannot decode {_short(found)} `{text}` as a {_short(tag)}")


def _resolve(tag: str, text: str) -> tuple[str, object]:
    """resolve.go's resolve: the tag and value the text reads as, before the check against an explicit tag."""
    if text[:1] not in _HINTED and text:
        return STR, text
    if text in _WORDS:
        return _WORDS[text]
    if text[0] == ".":
        number = _dot_float(text)
        return (FLOAT, number) if number is not None else (STR, text)
    if text[0] in "yYnNtTfFoO~":
        return STR, text
    if tag in ("", TIMESTAMP) and is_timestamp(text):
        return TIMESTAMP, text
    plain = text.replace("_", "")
    for number in (go_int(plain, signed=True), go_int(plain, signed=False)):
        if number is not None:
            return INT, number
    if _YAML_FLOAT.fullmatch(plain) and math.isfinite(number := float(plain)):
        return FLOAT, number
    number = None
    if plain.startswith("0b"):  # a signed binary Go's base prefix did not read: 0b+1 and 0b-1
        number = _in_range(plain[2:], 2, signed=True)
        number = _in_range(plain[2:], 2, signed=False) if number is None else number
    elif plain.startswith("-0b"):
        number = _in_range("-" + plain[3:], 2, signed=True)
    return (INT, number) if number is not None else (STR, text)


def go_int(text: str, signed: bool) -> int | None:
    """strconv.ParseInt(text, 0, 64) (or ParseUint when not `signed`), for text without underscores."""
    body = text[1:] if signed and text[:1] in "+-" else text
    base, digits = 10, body
    if len(body) > 1 and body[0] == "0":
        base, digits = {"x": (16, body[2:]), "o": (8, body[2:]), "b": (2, body[2:])}.get(body[1].lower(),
                                                                                          (8, body[1:]))
    if not _DIGITS[base].fullmatch(digits):
        return None  # (also a sign after the prefix)
    return _in_range(text[:len(text) - len(body)] + digits, base, signed)


def _in_range(text: str, base: int, signed: bool) -> int | None:
    """strconv.ParseInt/ParseUint of `text` in `base`: digits after an optional sign (signed only), in range."""
    sign = -1 if signed and text[:1] == "-" else 1
    digits = text[1:] if signed and text[:1] in "+-" else text
    if not _DIGITS[base].fullmatch(digits) or len(digits.lstrip("0")) > 64:  # 64 binary digits at most in range
        return None
    number = sign * int(digits, base)
    low, high = (-_INT64, _INT64 - 1) if signed else (0, _UINT64 - 1)
    return number if low <= number <= high else None


def _dot_float(text: str) -> float | None:
    """strconv.ParseFloat of a text that starts with `.`: digits, an exponent, `_` only between digits."""
    if not _DOT_FLOAT.fullmatch(text) or not any(c.isdigit() for c in text.partition("e")[0].partition("E")[0]):
        return None
    if "_" in text and not underscore_ok(text):
        return None
    number = float(text.replace("_", ""))
    return number if math.isfinite(number) else None


def underscore_ok(text: str) -> bool:
    """strconv's underscoreOK: each `_` between two digits (a base prefix counts as one)."""
    body = text[1:] if text[:1] in "+-" else text
    saw, start, hexa = "^", 0, False
    if len(body) >= 2 and body[0] == "0" and body[1].lower() in "box":
        saw, start, hexa = "0", 2, body[1].lower() == "x"
    for char in body[start:]:
        if char.isdigit() and char.isascii() or hexa and char.lower() in "abcdef":
            saw = "0"
        elif char == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def is_timestamp(text: str) -> bool:
    """parseTimestamp: one of yaml.v2's layouts, a real date and time (read only to tell a timestamp apart)."""
    match = _TIMESTAMP.fullmatch(text)
    if not match:
        return False
    year, month, day, upper, hour, minute, second, zone = match.groups()
    year, month, day = int(year), int(month), int(day)
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= month <= 12 or not 1 <= day <= _MONTH_DAYS[month - 1] - (month == 2 and not leap):
        return False
    if hour is None:
        return True
    if zone is None and upper is not None or zone is not None and upper is None:
        return False  # a T needs a zone (RFC 3339), a space none
    if zone and zone != "Z" and (int(zone[1:3]) > 23 or int(zone[4:]) > 59):
        return False
    return int(hour) < 24 and int(minute) < 60 and int(second) < 60


def _loader(*parts: type) -> type:
    """A PyYAML loader made of `parts` that tags as `Resolver` does (libyaml's parser where PyYAML has it)."""
    def init(self, stream):
        parts[0].__init__(self, stream)
        for part in parts[1:]:
            part.__init__(self)
        Resolver.__init__(self)
    return type("Loader", parts + (Resolver,), {"__init__": init})


try:
    from yaml.cyaml import CParser
    Loader = _loader(CParser)
except ImportError:  # a PyYAML built without libyaml
    Loader = _loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer)


def non_string_key(where: tuple, key: object) -> str:
    """loader.convertToStringKeysRecursive: a key YAML reads as a number, boolean or null."""
    parent = "".join(f"[{p}]" if isinstance(p, int) else ("." if i else "") + str(p)
                     for i, p in enumerate(where[:-1]))
    return f"Non-string key {'in ' + parent if parent else 'at top level'}: {_go_sharp_v(key)}"


def _go_sharp_v(key: object) -> str:
    """Go's %#v of a scalar yaml.v2 decoded: `true`, `<nil>`, `8` for the float 8.0, a uint64 in hex."""
    if key is None:
        return "<nil>"
    if isinstance(key, bool):
        return str(key).lower()
    if isinstance(key, float):
        return go_float(key)
    return f"{key:#x}" if isinstance(key, int) and key > INT64_MAX else str(key)
