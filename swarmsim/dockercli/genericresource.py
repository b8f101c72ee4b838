"""Generic resources as Docker spells them: `KIND=VALUE` terms, discrete counts or named items.

Hand-written after swarmkit's api/genericresource (Parse, HasEnough), because its exact rules and
error texts are the behaviour: a kind with one integer value is discrete (`SSD=3`), a kind whose
values are all non-integers is a set of named items (`GPU=UUID1`, `GPU=UUID2`), anything else is an
error. Nodes advertise both kinds (dockerd `--node-generic-resource`); a service reserves discrete
counts only (docker/cli `--generic-resource`).
"""
from __future__ import annotations

PARSE_ERROR = "could not parse GenericResource: "

Generic = dict[str, "int | tuple[str, ...]"]  # kind -> a discrete count or the names of its items (model.Node)


def _is_int(text: str) -> bool:
    """strconv.ParseInt(text, 10, 64) succeeds."""
    body = text[1:] if text[:1] in "+-" else text
    return body.isdigit() and body.isascii() and -2**63 <= int(text) < 2**63


def _go_list(values: list[str]) -> str:
    return "[" + " ".join(values) + "]"


def parse(terms: list[str]) -> Generic:
    """swarmkit genericresource.Parse: the kinds in first-seen order (Go's map order is random)."""
    tokens: dict[str, list[str]] = {}
    for term in terms:
        parts = term.split("=")
        if len(parts) != 2:
            raise ValueError(f"{PARSE_ERROR}incorrect term {term}, missing '=' or malformed expression")
        tokens.setdefault(parts[0].strip(), []).append(parts[1].strip())
    out: Generic = {}
    for kind, values in tokens.items():
        if len(values) == 1 and _is_int(values[0]):
            if int(values[0]) < 0:
                raise ValueError(f"{PARSE_ERROR}cannot ask for negative resource {kind}")
            out[kind] = int(values[0])
        elif not any(_is_int(v) for v in values):
            out[kind] = tuple(values)
        else:
            raise ValueError(f"{PARSE_ERROR}mixed discrete and named resources in expression '{kind}={_go_list(values)}'")
    return out


def check_term(value: str) -> str:
    """docker/cli ValidateSingleGenericResource, run on each flag value."""
    if "=" not in value:
        raise ValueError(f"invalid generic-resource format `{value}` expected `name=value`")
    return value


def service_request(terms: list[str]) -> tuple[tuple[str, int], ...]:
    """docker/cli ParseGenericResources: a service may reserve discrete counts only."""
    try:
        parsed = parse(terms)
    except ValueError as err:
        raise ValueError(f"invalid generic resource specification: {err}") from None
    for kind, value in parsed.items():
        if isinstance(value, tuple):
            raise ValueError(f"invalid generic-resource request `{kind}={value[0]}`, Named Generic Resources is not "
                             "supported for service create or update")
    return tuple(parsed.items())
