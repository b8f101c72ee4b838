"""`--format` templates: the subset of Go's text/template the docker CLI's listings are written in.

docker/cli `cli/command/formatter`: a format starting with `table` prints a header row (each
`{{.Field}}` replaced by its column name) and the rows through the same tabwriter as the default
tables; any other format is executed once per item, no header. `\\t` and `\\n` written in the format
are a tab and a newline. Supported actions: `{{.Field}}`, `{{json .}}` (every field, keys sorted, as
encoding/json writes a map) and `{{json .Field}}`. Anything else is refused with a parse error.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence

ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
FIELD = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)")


class TemplateError(ValueError):
    """A format the CLI would refuse; str() is its message."""


def _action(text: str, context: str) -> Callable[[Mapping[str, object]], str]:
    if text == "json .":
        return lambda item: json.dumps(dict(sorted(item.items())), separators=(",", ":"), ensure_ascii=False)
    words = text.split()
    json_field = len(words) == 2 and words[0] == "json"
    name_text = words[1] if json_field else text
    match = FIELD.fullmatch(name_text)
    if not match:
        raise TemplateError(f"template parsing error: template: :1: function \"{words[0]}\" not defined"
                            if words and not words[0].startswith(".") else
                            f"template parsing error: template: :1: unexpected \"{text}\" in command")
    name = match.group(1)

    def value(item: Mapping[str, object]) -> str:
        if name not in item:
            raise TemplateError(f"template: :1:2: executing \"\" at <.{name}>: can't evaluate field {name} in type "
                                f"{context}")
        found = item[name]
        return json.dumps(found, ensure_ascii=False) if json_field else str(found)
    return value


def compile_format(fmt: str, context: str) -> tuple[bool, list]:
    """(is a table, the template's parts: literal text or a function of one item)."""
    table = fmt.startswith("table")
    body = (fmt[len("table"):] if table else fmt).strip(" ").replace("\\t", "\t").replace("\\n", "\n")
    parts: list = []
    pos = 0
    for match in ACTION.finditer(body):
        parts.append(body[pos:match.start()])
        parts.append(_action(match.group(1), context))
        pos = match.end()
    parts.append(body[pos:])
    return table, parts


def _run(parts: list, item: Mapping[str, object]) -> str:
    return "".join(p if isinstance(p, str) else p(item) for p in parts)


def execute(fmt: str, items: Sequence[Mapping[str, object]], headers: Mapping[str, str], context: str,
            table: Callable[[list[list[str]]], str]) -> str:
    """`items` (field -> value) through `fmt`; `table(rows)` lays out a table format's cells."""
    is_table, parts = compile_format(fmt, context)
    lines = [_run(parts, item) for item in items]
    if not is_table:
        return "".join(line + "\n" for line in lines)
    header = _run(parts, _Headers(headers))
    rows = [line.split("\t") for line in [header, *lines]]
    width = max(len(r) for r in rows)
    return table([r + [""] * (width - len(r)) for r in rows])


class _Headers(dict):
    """A header row knows every field: an unknown one is named by itself upper-cased, as docker leaves it."""

    def __init__(self, headers: Mapping[str, str]):
        super().__init__(headers)

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> str:
        return key.upper()
