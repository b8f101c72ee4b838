"""`${VAR}` in a compose file, substituted as `docker stack deploy` does.

docker/cli `cli/compose/template` and `cli/compose/interpolation`: `$VAR`,
`${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}` (unset only),
`${VAR:?err}` / `${VAR?err}` (required), `$$` for a literal `$`. A substituted
value at a path docker types (replicas, ports' numbers, booleans such as
`external`) is cast from text, so `replicas: ${N:-2}` is the integer 2.
Every string of the file is substituted, and every bad one reported.
"""
from __future__ import annotations

import re
from typing import Callable

from .compose import FieldError, Path
from ..model.limits import EXPANDED_TEXT

Lookup = Callable[[str], str | None]

_SUBSTITUTION = r"[_a-z][_a-z0-9]*(?::?[-?][^}]*)?"
_PATTERN = re.compile(rf"\$(?:(?P<escaped>\$)|(?P<named>{_SUBSTITUTION})|{{(?P<braced>{_SUBSTITUTION})}}|(?P<invalid>))",
                      re.IGNORECASE)


class InvalidTemplate(ValueError):
    """template.InvalidTemplateError; `template` is what docker quotes in its message."""

    def __init__(self, template: str):
        super().__init__(f"Invalid template: {_go_quote(template)}")
        self.template = template


def _go_quote(text: str) -> str:
    """Go's %#v of a string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _required(name: str, rest: str, value: str | None, nonempty: bool) -> str:
    if value is None or (nonempty and value == ""):
        raise InvalidTemplate(f"required variable {name} is missing a value: {rest}")
    return value


def _resolve(substitution: str, lookup: Lookup) -> str:
    """The value of one `${...}` body; docker tries `:-`, `-`, `:?`, `?` in this order."""
    for sep in (":-", "-", ":?", "?"):
        if sep in substitution:
            name, rest = substitution.split(sep, 1)
            value = lookup(name)
            if sep == ":-":
                return rest if not value else value
            if sep == "-":
                return rest if value is None else value
            return _required(name, rest, value, nonempty=sep == ":?")
    return lookup(substitution) or ""


class _TooLong(ValueError):
    """A substitution past the characters left for the file."""


def substitute(template: str, lookup: Lookup, budget: int | None = None) -> str:
    """`template` with its variables replaced; InvalidTemplate for a bad `$`; _TooLong past `budget` characters
    (counted as the values go in, so `${A}` a hundred thousand times stops before it is built)."""
    size = len(template)

    def one(match: re.Match) -> str:
        nonlocal size
        if match["escaped"]:
            return "$"
        body = match["named"] or match["braced"]
        if not body:
            raise InvalidTemplate(template)
        value = _resolve(body, lookup)
        size += len(value)
        if budget is not None and size > budget:
            raise _TooLong(template)
        return value
    return _PATTERN.sub(one, template)


# -- whole files ---------------------------------------------------------------------------------------------------

def _integer(text: str) -> int:
    if not re.fullmatch(r"[-+]?\d+", text):
        raise ValueError(f'strconv.Atoi: parsing "{text}": invalid syntax')
    return int(text)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": invalid syntax') from None


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("y", "yes", "true", "on"):
        return True
    if lowered in ("n", "no", "false", "off"):
        return False
    raise ValueError(f"invalid boolean: {text}")


# docker/cli loader/interpolate.go interpolateTypeCastMapping: "*" any key, "[]" any list item
_S = ("services", "*")
CASTS: dict[tuple[str, ...], Callable[[str], object]] = {
    _S + ("configs", "[]", "mode"): _integer, _S + ("secrets", "[]", "mode"): _integer,
    _S + ("healthcheck", "retries"): _integer, _S + ("healthcheck", "disable"): _boolean,
    _S + ("deploy", "replicas"): _integer,
    _S + ("deploy", "update_config", "parallelism"): _integer,
    _S + ("deploy", "update_config", "max_failure_ratio"): _number,
    _S + ("deploy", "rollback_config", "parallelism"): _integer,
    _S + ("deploy", "rollback_config", "max_failure_ratio"): _number,
    _S + ("deploy", "restart_policy", "max_attempts"): _integer,
    _S + ("deploy", "placement", "max_replicas_per_node"): _integer,
    _S + ("ports", "[]", "target"): _integer, _S + ("ports", "[]", "published"): _integer,
    _S + ("ulimits", "*"): _integer, _S + ("ulimits", "*", "hard"): _integer, _S + ("ulimits", "*", "soft"): _integer,
    _S + ("privileged",): _boolean, _S + ("read_only",): _boolean, _S + ("stdin_open",): _boolean,
    _S + ("tty",): _boolean, _S + ("volumes", "[]", "read_only"): _boolean,
    _S + ("volumes", "[]", "volume", "nocopy"): _boolean,
    ("networks", "*", "external"): _boolean, ("networks", "*", "internal"): _boolean,
    ("networks", "*", "attachable"): _boolean, ("volumes", "*", "external"): _boolean,
    ("secrets", "*", "external"): _boolean, ("configs", "*", "external"): _boolean,
}


def _docker_path(path: Path) -> tuple[str, ...]:
    return tuple("[]" if isinstance(part, int) else part for part in path)


def _cast_for(path: tuple[str, ...]) -> Callable[[str], object] | None:
    for pattern, cast in CASTS.items():
        if len(pattern) == len(path) and all(p in ("*", part) for p, part in zip(pattern, path)):
            return cast
    return None


def interpolate(value: object, lookup: Lookup, path: Path = ()) -> tuple[object, list[FieldError]]:
    """`value` (plain YAML data) with every string substituted, and one error per bad string; past
    EXPANDED_TEXT characters of substituted text (an alias of `${A}` used many times) one error, and the
    rest left as written."""
    errors: list[FieldError] = []
    expanded = 0

    def walk(item: object, where: Path) -> object:
        if isinstance(item, dict):
            return {key: walk(v, where + (key,)) for key, v in item.items()}
        if isinstance(item, list):
            return [walk(v, where + (i,)) for i, v in enumerate(item)]
        if not isinstance(item, str):
            return item
        nonlocal expanded
        dotted = ".".join(_docker_path(where))
        if expanded > EXPANDED_TEXT:
            return item
        try:
            new = substitute(item, lookup, EXPANDED_TEXT - expanded)
        except _TooLong:
            expanded = EXPANDED_TEXT + 1
            errors.append(FieldError(where, f"interpolating the file makes more than {EXPANDED_TEXT:,} characters "
                                            f"of text, by {dotted} (expected fewer or shorter substitutions)"))
            return item
        except InvalidTemplate as err:
            errors.append(FieldError(where, f"invalid interpolation format for {dotted}: "
                                            f"{_go_quote(err.template)}; you may need to escape any $ with another $"))
            return item
        if new != item:
            expanded += len(new)
        cast = _cast_for(_docker_path(where)) if new != item else None
        if cast is None:
            return new
        try:
            return cast(new)
        except ValueError as err:
            errors.append(FieldError(where, f"error while interpolating {dotted}: failed to cast to expected type: "
                                            f"{err}"))
            return item

    return walk(value, path), errors
