"""The Go types an inspect's `-f` template runs over, and how text/template and fmt show their values.

`docker service inspect -f` executes the template on the API object decoded into Docker's own struct
(swarm.Service, swarm.Node, ...), not on its JSON: a field the JSON leaves out (omitempty) is still there with
its zero value (`{{.UpdateStatus}}` is `<nil>` before any update, `{{.Spec.Labels}}` `map[]`), a nil pointer
stops a path (`nil pointer evaluating *swarm.UpdateStatus.State`), a time prints as Go's time.String, a
duration as `5s`, and a field the struct lacks is refused in its type's name. The types are Docker's, as
reflection lists them (gotypes.json, written by tests/fixtures/go_oracle/typedump.go from docker/cli 20.10.24's
vendored api/types); the printing rules are Go's, kept by hand here because no library has them.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from typing import NamedTuple

from .units import format_duration

ADDRESS = "0xc000010000"  # fmt prints a pointer inside a struct as its address, which differs run to run


class GoError(ValueError):
    """An execution error of text/template; str() is its words after `executing "" at <...>: `."""


@cache
def _types() -> dict:
    return json.loads(resources.files(__package__).joinpath("gotypes.json").read_text())


def root(kind: str) -> str:
    """The Go type of an inspected object: service, node, network, secret, config, task."""
    return _types()["roots"][kind]


class Value(NamedTuple):
    """A Go value: its type's name and its data as the JSON document has it (None: nil, or absent)."""

    type: str
    data: object


def _info(name: str) -> dict:
    return _types()["types"][name]


def _json_key(field: dict) -> str:
    return field.get("json") or field["name"]


def _find(struct: str, name: str) -> list[dict] | None:
    """reflect's FieldByName: the chain of fields to `name`, promoted through embedded structs (shallowest
    first), or None."""
    fields = _info(struct).get("fields", [])
    for f in fields:
        if f["name"] == name:
            return [f]
    for f in fields:
        if f.get("embedded") and _info(f["type"])["kind"] == "struct":
            chain = _find(f["type"], name)
            if chain:
                return [f] + chain
    return None


def field(value: Value, name: str) -> Value:
    """`value.name`, as text/template's evalField takes it."""
    info = _info(value.type)
    kind = info["kind"]
    if kind == "ptr":
        elem = _info(info["elem"])
        if elem["kind"] == "struct" and _find(info["elem"], name) is not None:
            if value.data is None:
                raise GoError(f"nil pointer evaluating {value.type}.{name}")
            return field(Value(info["elem"], value.data), name)
    elif kind == "struct":
        chain = _find(value.type, name)
        if chain is not None:
            data = value.data if isinstance(value.data, dict) else {}
            for f in chain:
                if f.get("embedded") and _info(f["type"])["kind"] == "struct":
                    continue  # encoding/json flattens an embedded struct into its parent
                return Value(f["type"], None if _json_key(f) == "-" else data.get(_json_key(f)))
    elif kind == "map" and info["key"] == "string":
        data = value.data if isinstance(value.data, dict) else {}
        return Value(info["elem"], data[name]) if name in data else Value("", None)  # "": no such entry
    raise GoError(f"can't evaluate field {name} in type {value.type}")


def text(value: Value, depth: int = 0) -> str:
    """fmt.Sprint of the value as text/template prints it (a pointer at the top dereferenced first)."""
    if value.type == "":
        return "<no value>"
    info = _info(value.type)
    kind, data = info["kind"], value.data
    if info.get("stringer") and (data is not None or kind != "ptr"):
        return _stringer(value.type.lstrip("*"), data)
    if kind == "ptr":
        if data is None:
            return "<nil>"
        return text(Value(info["elem"], data), depth) if depth == 0 else ADDRESS
    if kind == "struct":
        data = data if isinstance(data, dict) else {}
        return "{" + " ".join(text(_member(f, data), depth + 1) for f in info.get("fields", [])) + "}"
    if kind in ("slice", "array"):
        if info["elem"] == "uint8":
            items = list(base64.b64decode(data)) if isinstance(data, str) else []
            return "[" + " ".join(map(str, items)) + "]"
        return "[" + " ".join(text(Value(info["elem"], item), depth + 1) for item in data or []) + "]"
    if kind == "map":
        items = sorted((data or {}).items())
        return "map[" + " ".join(f"{k}:{text(Value(info['elem'], v), depth + 1)}" for k, v in items) + "]"
    return _scalar(kind, data)


def _member(f: dict, data: dict) -> Value:
    """A struct's field: an embedded struct's fields are its parent's in the JSON."""
    if f.get("embedded") and _info(f["type"])["kind"] == "struct":
        return Value(f["type"], data)
    return Value(f["type"], None if _json_key(f) == "-" else data.get(_json_key(f)))


def _scalar(kind: str, data: object) -> str:
    if kind == "string":
        return "" if data is None else str(data)
    if kind == "bool":
        return "true" if data else "false"
    if kind.startswith("float"):
        number = float(data or 0)
        return str(int(number)) if number.is_integer() and abs(number) < 1e21 else repr(number)
    return str(int(data or 0))


def _stringer(name: str, data: object) -> str:
    """The String method of the types that have one (time, duration, file mode, ulimit)."""
    if name == "time.Time":
        return _go_time(data)
    if name == "time.Duration":
        return format_duration(int(data or 0) / 1e9)
    if name == "fs.FileMode":
        return _file_mode(int(data or 0))
    if name == "units.Ulimit":
        data = data or {}
        return f"{data.get('Name', '')}={data.get('Soft', 0)}:{data.get('Hard', 0)}"
    return json.dumps(data)  # a protobuf message's compact text: not modelled (plugin specs)


def _go_time(data: object) -> str:
    """time.Time.String of an RFC 3339 time (zero: Go's zero time): `2006-01-02 15:04:05.999999999 +0000 UTC`."""
    if not data:
        return "0001-01-01 00:00:00 +0000 UTC"
    text = str(data)
    head, _, rest = text.partition(".")
    fraction = ""
    if rest:
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits):]
        fraction = ("." + digits.rstrip("0")) if digits.rstrip("0") else ""
    else:
        head, zone = text[:19], text[19:]
    when = datetime.fromisoformat(head + (zone if zone not in ("Z", "") else "+00:00"))
    if when.utcoffset() == timezone.utc.utcoffset(None) or zone == "Z":
        return f"{when:%Y-%m-%d %H:%M:%S}{fraction} +0000 UTC"
    offset = when.strftime("%z")
    return f"{when:%Y-%m-%d %H:%M:%S}{fraction} {offset} {offset}"


def _file_mode(mode: int) -> str:
    """io/fs FileMode.String."""
    kinds = "dalTLDpSugct?"
    out = "".join(c for i, c in enumerate(kinds) if mode & (1 << (31 - i)))
    out = out or "-"
    rwx = "rwxrwxrwx"
    return out + "".join(c if mode & (1 << (8 - i)) else "-" for i, c in enumerate(rwx))


def marshal(value: Value) -> object:
    """What encoding/json writes for the value, as a Python object for json.dumps (keys in the struct's order)."""
    if value.type == "":
        return None
    info = _info(value.type)
    kind, data = info["kind"], value.data
    if value.type.lstrip("*") in ("time.Time", "time.Duration", "fs.FileMode"):
        if data is None and kind == "ptr":
            return None
        return data if data is not None else ("0001-01-01T00:00:00Z" if "Time" in value.type else 0)
    if kind == "ptr":
        return None if data is None else marshal(Value(info["elem"], data))
    if kind == "struct":
        data = data if isinstance(data, dict) else {}
        out: dict = {}
        for f in info.get("fields", []):
            member = _member(f, data)
            if f.get("embedded") and _info(f["type"])["kind"] == "struct":
                out.update(marshal(member))
                continue
            if _json_key(f) == "-" or (f.get("omitempty") and _empty(member)):
                continue
            out[_json_key(f)] = marshal(member)
        return out
    if kind in ("slice", "map"):
        if data is None:
            return None
        if info["elem"] == "uint8" or kind == "slice" and not isinstance(data, list):
            return data
        if kind == "map":
            return {k: marshal(Value(info["elem"], v)) for k, v in sorted(data.items())}
        return [marshal(Value(info["elem"], item)) for item in data]
    if kind == "string":
        return "" if data is None else data
    if kind == "bool":
        return bool(data)
    return data if data is not None else 0


def _empty(value: Value) -> bool:
    """omitempty's test: false, 0, "", a nil pointer, an empty slice or map (never a struct)."""
    kind, data = _info(value.type)["kind"], value.data
    if kind == "struct":
        return False
    if kind == "ptr":
        return data is None
    if kind in ("slice", "map", "array"):
        return not data
    return data in (None, "", 0, False)
