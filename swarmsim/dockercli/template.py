"""`--format` templates: the subset of Go's text/template the docker CLI's listings are written in.

docker/cli `cli/command/formatter`: a format starting with `table` prints a header row (each
`{{.Field}}` replaced by its column name) and the rows through the same tabwriter as the default
tables; any other format is executed once per item, no header. `\\t` and `\\n` written in the format
are a tab and a newline. Field chains (`{{.Field}}`, `{{.Path.To.Field}}`), `{{json .}}` (every field, keys sorted, as encoding/json
writes a map), `{{json .Field}}` and a method given one string (`{{.Label "KEY"}}`) are run here; a format with
any other action (range, if, with, variables, pipes, functions) goes through gotemplate.py. An inspect's template runs
over the object as Docker's Go type holds it (`inspect`, gotypes.py); execution errors are text/template's,
placed at a field chain's last field.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence

from . import gotemplate, gotypes

ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
FIELD = re.compile(r"(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.")


class TemplateError(ValueError):
    """A format the CLI would refuse; str() is its message."""


_METHOD = re.compile(r'((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s+"((?:[^"\\]|\\.)*)"')
TYPED = "typed"  # an inspect's object, decoded into Docker's Go type (gotypes.py)
RAW = "raw"    # an inspect's JSON document as a map, missing keys refused (inspector.go tryRawInspectFallback)


def _action(text: str, context: str, pos: int) -> Callable[[object], str]:
    """One `{{...}}` at byte `pos` of the format (where text/template's errors say it is)."""
    method = _METHOD.fullmatch(text)
    if method and context in (TYPED, RAW):  # an API object has no such method
        field = _action(method.group(1), context, pos)
        name = method.group(1).rsplit(".", 1)[-1]
        at = f'template: :1:{pos}: executing "" at <{method.group(1)}>: '

        def refused(item: object) -> str:
            field(item)
            raise gotypes.GoError(at + f"{name} has arguments but cannot be invoked as function")
        return refused
    if method:  # a method of the row given one string, as `{{.Label "KEY"}}`: the row maps it to a lookup
        field, key = _action(method.group(1), context, pos), json.loads(f'"{method.group(2)}"')
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
    # text/template places a field chain's errors at its last field
    at = f'template: :1:{pos + (text.index(path) if as_json else 0) + path.rfind(".")}: executing "" at <{path}>: '
    if context == TYPED:
        return _typed(names, as_json, at)
    if context == RAW:
        return _raw(names, as_json, at)

    def value(item: Mapping[str, object]) -> str:
        found: object = item
        for name in names:
            if not (type(found) is dict or isinstance(found, Mapping)) or name not in found:  # dict: no ABC check
                raise TemplateError(f"template parsing error: {at}can't evaluate field {name} in type {context}")
            found = found[name]
        if as_json:  # a listing's row is a map: its keys sorted
            return json.dumps(dict(sorted(found.items())) if isinstance(found, Mapping) else found,
                              separators=(",", ":"), ensure_ascii=False)
        return _go_text(found)
    return value


def _typed(names: list[str], as_json: bool, at: str) -> Callable[[gotypes.Value], str]:
    def value(item: gotypes.Value) -> str:
        found = item
        try:
            for name in names:
                found = gotypes.field(found, name)
        except gotypes.GoError as err:
            raise gotypes.GoError(at + str(err)) from None
        if as_json:
            return json.dumps(gotypes.marshal(found), separators=(",", ":"), ensure_ascii=False)
        return gotypes.text(found)
    return value


def _raw(names: list[str], as_json: bool, at: str) -> Callable[[object], str]:
    def value(item: object) -> str:
        found = item
        for i, name in enumerate(names):
            if not isinstance(found, Mapping):
                raise gotypes.GoError(at + f"can't evaluate field {name} in type "
                                           f"{'map[string]interface {}' if i == 0 else 'interface {}'}")
            if name not in found:
                raise gotypes.GoError(at + f'map has no entry for key "{name}"')
            found = found[name]
        if as_json:
            return json.dumps(gotemplate.sorted_json(found), separators=(",", ":"), ensure_ascii=False)
        return "<no value>" if found is None else _go_text(found)
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
    """(is a table, the template's parts: literal text or a function of one item). A listing's format loses its
    `table` word and outer spaces and has `\\t`, `\\n` made a tab and a newline (formatter.go preFormat);
    an inspect's is parsed as written."""
    listing = context not in (TYPED, RAW)
    table = listing and fmt.startswith("table")
    body = (fmt[len("table"):] if table else fmt).strip(" ").replace("\\t", "\t").replace("\\n", "\n") \
        if listing else fmt
    actions = list(_actions(body))
    if not all(_simple(m, context) for m in actions):
        return table, [_engine(body, actions, context)]
    parts: list = []
    pos = 0
    for match in actions:
        parts.append(_literal(body[pos:match.start()]))
        parts.append(_action(match.group(1), context, match.start(1)))
        pos = match.end()
    parts.append(_literal(body[pos:]))
    return table, parts


def _simple(match: re.Match, context: str) -> bool:
    """An action of the simple path: a field chain, `json` of one, or a one-string method, untrimmed."""
    whole, text = match.group(0), match.group(1)
    if whole.startswith("{{-") or whole.endswith("-}}"):
        return False
    words = text.split()
    path = words[1] if len(words) == 2 and words[0] == "json" else text
    return bool(FIELD.fullmatch(path) or _METHOD.fullmatch(text))


def _engine(body: str, actions: list, context: str) -> Callable[[object], str]:
    """The format through gotemplate's parser: control structures, variables, pipelines and functions."""
    for i, match in enumerate(actions):
        _literal(body[actions[i - 1].end() if i else 0:match.start()])
    _literal(body[actions[-1].end():])
    try:
        tree = gotemplate.parse(body, actions)
    except gotemplate.ParseError as err:
        raise TemplateError(f"template parsing error: template: :1: {err}") from None
    get = _GETTERS.get(context) or _row_getter(context)

    def run(item: object) -> str:
        try:
            return gotemplate.run(tree, gotemplate.numbers(item) if context == RAW else item, get,
                                  header=isinstance(item, _Headers))
        except gotemplate.ExecError as err:
            if context in (TYPED, RAW):
                raise gotypes.GoError(str(err)) from None
            raise TemplateError(f"template parsing error: {err}") from None
    return run


def _typed_field(value: object, name: str) -> object:
    if not isinstance(value, gotypes.Value):
        raise gotemplate.ExecError(f"can't evaluate field {name} in type {gotemplate.go_type(value)}")
    try:
        return gotypes.field(value, name)
    except gotypes.GoError as err:
        raise gotemplate.ExecError(str(err)) from None


def _raw_field(value: object, name: str) -> object:
    if not isinstance(value, Mapping):
        raise gotemplate.ExecError(f"can't evaluate field {name} in type interface {{}}")
    if name not in value:
        raise gotemplate.ExecError(f'map has no entry for key "{name}"')
    return value[name]


def _row_getter(context: str) -> Callable[[object, str], object]:
    def get(value: object, name: str) -> object:
        if not isinstance(value, Mapping) or name not in value:
            raise gotemplate.ExecError(f"can't evaluate field {name} in type {context}")
        return value[name]
    return get


_GETTERS = {TYPED: _typed_field, RAW: _raw_field}


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


_RAW_RETRY = ("network", "secret", "config")  # the inspect commands whose getRef hands the raw JSON on


def inspect(fmt: str, docs: Sequence[Mapping[str, object]], kind: str) -> str:
    """`docker KIND inspect -f`: the template over each object decoded into Docker's Go type; where that fails,
    a network's, secret's or config's JSON document as a map (their CLI passes the raw JSON for a second try,
    the service and node commands do not). The objects that fail are named after the others' output, as
    inspect.Inspect collects its errors (the step fails); service, node, secret and config inspect wrap that
    StatusError in another, which prints as `Status: ..., Code: 1`."""
    return _inspect(fmt, [(kind, doc) for doc in docs], kind in _RAW_RETRY,
                    kind in ("service", "node", "secret", "config"))


def inspect_objects(fmt: str, objects: Sequence[tuple[str, Mapping[str, object]]]) -> str:
    """`docker inspect -f`: each (kind, document) as its Go type, then as a map: every getRef of the generic
    command hands the raw JSON on, and its errors are not wrapped."""
    return _inspect(fmt, objects, True, False)


def _inspect(fmt: str, objects: Sequence[tuple[str, Mapping[str, object]]], raw_retry: bool, wrap: bool) -> str:
    typed = compile_format(fmt, TYPED)[1]
    raw = compile_format(fmt, RAW)[1] if raw_retry else None
    out, errors = [], []
    for kind, doc in objects:
        try:
            out.append(_run(typed, gotypes.Value(gotypes.root(kind), doc)) + "\n")
            continue
        except gotypes.GoError as err:
            failed = str(err)
        if raw is not None:
            try:
                out.append(_run(raw, doc) + "\n")
                continue
            except gotypes.GoError as err:
                failed = str(err)
        errors.append("template parsing error: " + failed)
    if errors:  # the Flush of an inspector with nothing to show writes a newline
        message = "\n".join(errors)
        raise TemplateError(("".join(out) or "\n") + (f"Status: {message}, Code: 1" if wrap else message))
    return "".join(out)


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
