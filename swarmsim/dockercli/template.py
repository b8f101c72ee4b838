"""`--format` templates: the subset of Go's text/template the docker CLI's listings are written in.

docker/cli `cli/command/formatter`: a format starting with `table` prints a header row (each
`{{.Field}}` replaced by its column name) and the rows through the same tabwriter as the default
tables; any other format is executed once per item, no header. `\\t` and `\\n` written in the format
are a tab and a newline. Supported actions: `{{.Field}}` and `{{.Path.To.Field}}` (inspect documents),
`{{json .}}` (every field, keys sorted, as encoding/json writes a map), `{{json .Field}}` and a method
given one string (`{{.Label "KEY"}}`). Anything else is refused with a parse error.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence

ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
FIELD = re.compile(r"(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.")


class TemplateError(ValueError):
    """A format the CLI would refuse; str() is its message."""


INSPECT = "map[string]interface {}"  # the context of an inspect's -f: the API object's JSON document


_METHOD = re.compile(r'((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s+"((?:[^"\\]|\\.)*)"')


def _action(text: str, context: str) -> Callable[[Mapping[str, object]], str]:
    method = _METHOD.fullmatch(text)
    if method:  # a method of the row given one string, as `{{.Label "KEY"}}`: the row maps it to a lookup
        field, key = _action(method.group(1), context), json.loads(f'"{method.group(2)}"')
        name = method.group(1).rsplit(".", 1)[-1]
        return lambda item: _go_text(item[name][key]) if isinstance(item.get(name), Mapping) else field(item)
    words = text.split()
    as_json = len(words) == 2 and words[0] == "json"
    path = words[1] if as_json else text
    if not FIELD.fullmatch(path):
        raise TemplateError(f"template parsing error: template: :1: function \"{words[0]}\" not defined"
                            if words and not words[0].startswith(".") else
                            f"template parsing error: template: :1: unexpected \"{text}\" in command")
    names = [name for name in path.split(".") if name]

    def value(item: Mapping[str, object]) -> str:
        found: object = item
        for name in names:
            if not (type(found) is dict or isinstance(found, Mapping)) or name not in found:  # dict: no ABC check
                raise TemplateError(f"template: :1:2: executing \"\" at <{path}>: can't evaluate field {name} in "
                                    f"type {context}")
            found = found[name]
        if as_json:  # a listing's row is a map, its keys sorted; an inspect's object is a struct, in field order
            return json.dumps(dict(sorted(found.items())) if isinstance(found, Mapping) and context != INSPECT
                              else found,
                              separators=(",", ":"), ensure_ascii=False)
        return _go_text(found)
    return value


def _go_text(value: object) -> str:
    """How text/template prints a value: maps as map[k:v ...] in key order, lists as [a b]."""
    if type(value) is str:  # most cells: no ABC check (a 20,000-task `service ps` has 160,000)
        return value
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{k}:{_go_text(v)}" for k, v in sorted(value.items())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_go_text(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def compile_format(fmt: str, context: str) -> tuple[bool, list]:
    """(is a table, the template's parts: literal text or a function of one item)."""
    table = fmt.startswith("table")
    body = (fmt[len("table"):] if table else fmt).strip(" ").replace("\\t", "\t").replace("\\n", "\n")
    parts: list = []
    pos = 0
    for match in _actions(body):
        parts.append(_literal(body[pos:match.start()]))
        parts.append(_action(match.group(1), context))
        pos = match.end()
    parts.append(_literal(body[pos:]))
    return table, parts


def _actions(body: str):
    """`ACTION.finditer(body)` in linear time. The regex tried at every `{{` scans to the end of a line with no
    `}}` (quadratic over a long format); an action ends at the first `}}` after its `{{` or not at all, and one
    that fails (a newline in it) fails for every `{{` before that newline's run of whitespace too."""
    search, close = 0, -1
    while (start := body.find("{{", search)) >= 0:
        if close < start + 2:  # else the `}}` found for an earlier `{{` is still the first one after this
            close = body.find("}}", start + 2)
        if close < 0:
            return
        match = ACTION.match(body, start, close + 2)
        if match:
            yield match
            search = match.end()
            continue
        inside = start + 2 + (body.startswith("-", start + 2))
        while inside < close and body[inside].isspace():
            inside += 1
        newline = body.find("\n", inside, close)
        run = newline
        while run > inside and body[run - 1].isspace():
            run -= 1
        search = max(start + 1, run - 3)


def _literal(text: str) -> str:
    """Text between actions; an action left open is text/template's parse error."""
    if "{{" in text:
        rest = text[text.index("{{") + 2:]
        raise TemplateError("template parsing error: template: :1: " +
                            ('unexpected "}" in operand' if "}" in rest else "unclosed action"))
    return text


def check(fmt: str) -> str:
    """`fmt` if it parses (for the command line: a bad template is refused when the scenario loads)."""
    compile_format(fmt, "")
    return fmt


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
