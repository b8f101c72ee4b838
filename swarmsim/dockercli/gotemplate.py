"""text/template beyond a field chain: `range`, `if`, `with`, `else`, variables, pipelines, and the functions
docker's templates package adds to Go's (cli/templates basicFunctions: json, join, split, upper, lower, title,
pad, truncate; Go's own: index, len, print, println, printf, eq, ne, lt, le, gt, ge, and, or, not).

A format whose actions are all field chains, `json` of one or a one-string method keeps template.py's simple
path; any other goes through this parser. Hand-written because no Python library runs Go templates; the truth,
range and printing rules are text/template's (exec.go isTrue, walkRange; fmt.Sprint).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from . import gotypes

MAX_OUTPUT = 16 << 20  # characters one execution may write: a range nested in ranges stops there
MAX_STEPS = 1_000_000  # and the actions it may run, written or not
MAX_DEPTH = 100  # blocks and parentheses nested in one another, checked as the format is parsed


class ParseError(ValueError):
    """A format text/template does not parse; str() is its words after `template: :1: `."""


class ExecError(ValueError):
    """An execution error; str() is its words after `executing "" at <...>: `."""


_TOKEN = re.compile(r"""\s*(?:
    (?P<str>"(?:[^"\\]|\\.)*")|(?P<raw>`[^`]*`)|(?P<decl>:=)|(?P<pipe>\|)|(?P<lp>\()|(?P<rp>\))|(?P<comma>,)|
    (?P<var>\$[A-Za-z0-9_]*)(?P<varpath>(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|
    (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.)|
    (?P<num>-?\d+(?:\.\d+)?)|(?P<ident>[A-Za-z_][A-Za-z0-9_]*))""", re.X)


@dataclass
class _Pipe:
    decl: list[str]
    commands: list[list[tuple[str, object]]]
    text: str
    pos: int


@dataclass
class _Block:
    kind: str  # root, if, range, with
    pipe: _Pipe | None = None
    body: list = field(default_factory=list)
    other: list = field(default_factory=list)  # the else branch
    in_else: bool = False
    chained: bool = False  # an {{else if}}: closed by its first block's {{end}}


class _Tok(NamedTuple):
    kind: str
    value: object
    start: int  # where it is in the pipe's text
    end: int


def _tokens(text: str) -> list[_Tok]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ParseError(f'unexpected "{text[pos:].strip()[:1]}" in command')
        pos = m.end()
        kind = m.lastgroup if m.lastgroup != "varpath" else "var"
        start = m.start("var") if kind == "var" else m.start(kind)
        if kind == "str":
            value: object = json.loads(m.group("str"))
            kind = "const"
        elif kind == "raw":
            kind, value = "const", m.group("raw")[1:-1]
        elif kind == "num":
            number = m.group("num")
            kind, value = "const", float(number) if "." in number else int(number)
        elif kind == "var":
            value = (m.group("var"), [n for n in (m.group("varpath") or "").split(".") if n])
        elif kind == "field":
            value = [n for n in m.group("field").split(".") if n]
        elif kind == "ident":
            word = m.group("ident")
            kind, value = ("const", {"true": True, "false": False, "nil": None}[word]) if word in \
                ("true", "false", "nil") else ("func", word)
        else:
            value = None
        out.append(_Tok(kind, value, start, pos))
    return out


def _pipeline(text: str, pos: int, allow_decl: int, known: list[set]) -> _Pipe:
    """A pipeline at `pos` of the format; `known` the variables in scope (a new declaration joins the last)."""
    tokens = _tokens(text)
    decl: list[str] = []
    if allow_decl and any(t.kind == "decl" for t in tokens):
        i = next(i for i, t in enumerate(tokens) if t.kind == "decl")
        names = [t.value[0] for t in tokens[:i] if t.kind == "var"]
        if not names or len(names) > allow_decl or any(t.kind not in ("var", "comma") for t in tokens[:i]):
            raise ParseError("too many declarations in command" if len(names) > allow_decl else
                             f'unexpected "{text.strip()}" in command')
        decl, tokens = names, tokens[i + 1:]
    commands, stack = [[]], []
    for t in tokens:
        if t.kind == "pipe":
            if not commands[-1]:
                raise ParseError("missing command")
            commands.append([])
        elif t.kind == "lp":
            if len(stack) >= MAX_DEPTH:
                raise ParseError(f"parentheses nested more than {MAX_DEPTH} deep (swarmsim's bound)")
            stack.append(commands)
            commands = [[]]
        elif t.kind == "rp":
            if not stack:
                raise ParseError("unexpected right paren")
            inner, commands = _Pipe([], commands, text, pos), stack.pop()
            commands[-1].append(_Tok("sub", inner, t.start, t.end))
        elif t.kind in ("comma", "decl"):
            raise ParseError(f'unexpected "{"," if t.kind == "comma" else ":="}" in command')
        else:
            if t.kind == "func" and t.value not in FUNCTIONS:
                raise ParseError(f'function "{t.value}" not defined')
            if t.kind == "var" and not any(t.value[0] in scope for scope in known):
                raise ParseError(f'undefined variable "{t.value[0]}"')
            commands[-1].append(t)
    if stack:
        raise ParseError("unclosed left paren")
    if not commands[-1]:
        raise ParseError("missing value for command" if len(commands) == 1 else "missing command")
    known[-1].update(decl)
    return _Pipe(decl, commands, text, pos)


def parse(body: str, actions) -> list:
    """The format's tree: text, (pipe, trimmed) actions and blocks; `actions` the matches of `{{...}}`."""
    root = _Block("root")
    stack, pos, trim_next = [root], 0, False
    known: list[set] = [{"$"}]  # the variables each open block declared
    for m in actions:
        text = body[pos:m.start()]
        if trim_next:
            text = text.lstrip(" \t\r\n")
        whole = m.group(0)
        if whole.startswith("{{- "):
            text = text.rstrip(" \t\r\n")
        trim_next = whole.endswith(" -}}")
        _branch(stack[-1]).append(text)
        pos = m.end()
        inner, at = m.group(1), m.start(1)
        word, _, rest = inner.partition(" ")
        top = stack[-1]
        if word == "end":
            if top.kind == "root" or rest.strip():
                raise ParseError("unexpected {{end}}")
            while stack.pop().chained:  # an {{else if}} chain ends with the one {{end}}
                known.pop()
            known.pop()
        elif word == "else":
            if top.kind == "root":
                raise ParseError("unexpected {{else}}")
            if top.in_else:
                raise ParseError("expected end; found {{else}}")
            top.in_else = True
            nested, _, cond = rest.strip().partition(" ")
            if nested in ("if", "with"):
                known.append(set())
                block = _Block(nested, _pipeline(cond, at + len("else ") + len(nested) + 1, 1, known), chained=True)
                top.other.append(block)
                stack.append(block)
            elif rest.strip():
                raise ParseError(f'unexpected "{rest.strip()}" in else')
        elif word in ("if", "range", "with"):
            if len(stack) > MAX_DEPTH:
                raise ParseError(f"blocks nested more than {MAX_DEPTH} deep (swarmsim's bound)")
            if not rest.strip():
                raise ParseError(f"missing value for {word}")
            known.append(set())
            block = _Block(word, _pipeline(rest, at + len(word) + 1, 2 if word == "range" else 1, known))
            _branch(top).append(block)
            stack.append(block)
        elif word in ("define", "template", "block", "break", "continue"):
            raise ParseError(f"{{{{{word}}}}} is not simulated (swarmsim runs one template, without named ones or "
                             f"loop control)")
        elif inner.startswith("/*"):
            continue
        else:
            _branch(top).append(_pipeline(inner, at, 1, known))
    if len(stack) > 1:
        raise ParseError("unexpected EOF")
    text = body[pos:]
    _branch(root).append(text.lstrip(" \t\r\n") if trim_next else text)
    return root.body


def _branch(block: _Block) -> list:
    return block.other if block.in_else else block.body


class JsonNumber(str):
    """encoding/json's Number: a raw inspect decodes every number as one (UseNumber), a string to templates."""


def numbers(value: object) -> object:
    """A raw document with its numbers as JsonNumber, as docker's raw fallback decodes it."""
    if isinstance(value, Mapping):
        return {k: numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [numbers(v) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return JsonNumber(json.dumps(value))
    return value


# -- values: a gotypes.Value (an inspect's typed object) or a Python one (a listing's row, raw JSON, a result) --

def _indirect(v: object) -> object:
    while isinstance(v, gotypes.Value) and v.type and gotypes._info(v.type)["kind"] == "ptr" and v.data is not None:
        v = gotypes.Value(gotypes._info(v.type)["elem"], v.data)
    return v


def truth(v: object) -> bool:
    """exec.go isTrue: false, 0, "", nil and empty slices and maps are false; a struct is true."""
    if isinstance(v, gotypes.Value):
        if not v.type:
            return False
        kind = gotypes._info(v.type)["kind"]
        if kind == "struct":
            return True
        if kind == "ptr":
            return v.data is not None
        return bool(v.data)
    return bool(v)  # a JsonNumber is a non-empty string: true, as Go's json.Number "0" is


def _items(v: object) -> list[tuple[object, object]]:
    """walkRange: a slice's (index, element), a map's (key, value) in key order."""
    v = _indirect(v)
    if isinstance(v, gotypes.Value):
        info = gotypes._info(v.type) if v.type else {"kind": "invalid"}
        if info["kind"] in ("slice", "array"):
            return [(i, gotypes.Value(info["elem"], item)) for i, item in enumerate(v.data or [])]
        if info["kind"] == "map":
            return [(k, gotypes.Value(info["elem"], item)) for k, item in sorted((v.data or {}).items())]
        if v.data is None and info["kind"] in ("ptr", "invalid"):
            return []
        raise ExecError(f"range can't iterate over {gotypes.text(v)}")
    if isinstance(v, list):
        return list(enumerate(v))
    if isinstance(v, Mapping):
        return sorted(v.items())
    if v is None:
        return []
    raise ExecError(f"range can't iterate over {text(v)}")


def text(v: object, nested: bool = False) -> str:
    """How text/template prints a value: a nil at the top as `<no value>`, inside a map or slice as fmt's `<nil>`."""
    if isinstance(v, gotypes.Value):
        return gotypes.text(v)
    if v is None:
        return "<nil>" if nested else "<no value>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Mapping):
        return "map[" + " ".join(f"{k}:{text(x, True)}" for k, x in sorted(v.items())) + "]"
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(text(x, True) for x in v) + "]"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e21:
        return str(int(v))
    return str(v)


def _py(v: object) -> object:
    """The value as plain data, for a function's arguments."""
    if isinstance(v, gotypes.Value):
        if not v.type:
            return None
        if v.type.lstrip("*") in ("time.Time", "time.Duration", "fs.FileMode"):
            return gotypes.text(v)
        return gotypes.marshal(v)
    return v


def sorted_json(value: object) -> object:
    """A decoded JSON value as encoding/json writes a map[string]interface{} back: keys sorted."""
    if isinstance(value, Mapping):
        return {k: sorted_json(x) for k, x in sorted(value.items())}
    if isinstance(value, list):
        return [sorted_json(x) for x in value]
    return value


def _json(v: object) -> str:
    data = gotypes.marshal(v) if isinstance(v, gotypes.Value) else sorted_json(v)
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _string(v: object) -> str:
    """An argument _PARAMS declared a string (or an element of a []string), checked before the call."""
    return _py(v)


def _int(v: object) -> int:
    """An argument _PARAMS declared an int, checked before the call."""
    return _py(v)


def go_type(v: object) -> str:
    if isinstance(v, JsonNumber):
        return "json.Number"
    return {str: "string", int: "int", float: "float64", bool: "bool", list: "[]interface {}",
            dict: "map[string]interface {}"}.get(type(v), "<nil>" if v is None else "interface {}")


def _index(item: object, *keys: object) -> object:
    """Go's index: a map's entry (its zero value if none), a slice's or a string's (a byte) element."""
    for key in keys:
        item, key = _indirect(item), _py(key)
        if isinstance(item, gotypes.Value):
            info = gotypes._info(item.type) if item.type else {"kind": "invalid"}
            if info["kind"] in ("slice", "array") and type(key) is int:
                data = item.data or []
                if not 0 <= key < len(data):
                    raise ExecError(f"error calling index: index out of range: {key}")
                item = gotypes.Value(info["elem"], data[key])
            elif info["kind"] == "map" and type(key) is str:
                data = item.data or {}
                item = gotypes.Value(info["elem"], data.get(key))
            elif info["kind"] in ("slice", "array"):
                raise ExecError(f"error calling index: cannot index slice/array with type {go_type(key)}")
            elif info["kind"] == "map":
                raise ExecError(f"error calling index: value has type {go_type(key)}; should be string")
            else:
                raise ExecError(f"error calling index: can't index item of type {item.type or 'nil'}")
        elif isinstance(item, (list, str)):  # a string (a JsonNumber too) indexes its bytes
            if type(key) is not int:
                raise ExecError(f"error calling index: cannot index slice/array with type {go_type(key)}")
            data = item.encode() if isinstance(item, str) else item
            if not 0 <= key < len(data):
                raise ExecError(f"error calling index: index out of range: {key}")
            item = data[key]
        elif isinstance(item, Mapping):
            if not isinstance(key, str) or isinstance(key, JsonNumber):
                raise ExecError(f"error calling index: value has type {go_type(key)}; should be string")
            item = item.get(key)
        else:
            raise ExecError(f"error calling index: can't index item of type {go_type(item)}")
    return item


def _len(v: object) -> int:
    v = _indirect(v)
    data = v.data if isinstance(v, gotypes.Value) else v
    if isinstance(data, (list, dict, str)):
        return len(data)
    if data is None and isinstance(v, gotypes.Value) and v.type and \
            gotypes._info(v.type)["kind"] in ("slice", "map"):
        return 0
    if data is None:
        raise ExecError("error calling len: len of nil pointer")
    raise ExecError(f"error calling len: len of type {_type_name(v)}")


def _sprint(*args: object) -> str:
    """fmt.Sprint: a space between operands when neither is a string."""
    out = ""
    for i, arg in enumerate(args):
        if i and not isinstance(_py(arg), str) and not isinstance(_py(args[i - 1]), str):
            out += " "
        out += text(arg)
    return out


def _printf(fmt: object, *args: object) -> str:
    fmt, values = _string(fmt), list(args)

    def one(m: re.Match) -> str:
        verb = m.group(1)
        if verb == "%":
            return "%"
        if not values:
            return f"%!{verb}(MISSING)"
        v = values.pop(0)
        if verb == "q":
            return json.dumps(text(v), ensure_ascii=False)
        if verb == "d" and not isinstance(_py(v), int):
            return f"%!d({go_type(_py(v))}={text(v)})"
        return text(v)
    return re.sub(r"%([svdq%])", one, fmt)


def _kind(v: object) -> str:
    """text/template's basicKind of a value: bool, int, float, string (complex and uint not modelled)."""
    if isinstance(v, gotypes.Value):
        kind = gotypes._info(v.type)["kind"] if v.type else "invalid"
        return "int" if kind.startswith(("int", "uint")) else "float" if kind.startswith("float") else kind
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return "invalid"


def _comparable(a: object, b: object, name: str) -> tuple[object, object]:
    ka, kb = _kind(a), _kind(b)
    if ka not in ("bool", "int", "float", "string") or kb not in ("bool", "int", "float", "string"):
        raise ExecError(f"error calling {name}: invalid type for comparison")
    if ka != kb:
        raise ExecError(f"error calling {name}: incompatible types for comparison")
    a, b = _py(a), _py(b)
    return (str(a), str(b)) if ka == "string" else (a, b)


def _eq(a: object, *others: object) -> bool:
    """Go's eq: true if the first argument equals any of the others."""
    return any(x == y for x, y in (_comparable(a, b, "eq") for b in others))


def _order(op: Callable[[object, object], bool], name: str) -> Callable[[object, object], bool]:
    return lambda a, b: op(*_comparable(a, b, name))


def _pad(s: str, prefix: int, suffix: int) -> str:
    """padWithSpace, its widths within what one execution may write (swarmsim's bound)."""
    if prefix + suffix > MAX_OUTPUT:
        raise ExecError(f"pad widths {prefix:,} and {suffix:,} write more than {MAX_OUTPUT:,} characters "
                        f"(swarmsim's bound)")
    return " " * prefix + s + " " * suffix if s else ""


def _title(s: object) -> str:
    """strings.Title: each word's first letter upper-cased."""
    return re.sub(r"(^|[^\w'])(\w)", lambda m: m.group(1) + m.group(2).upper(), _string(s))


FUNCTIONS: dict[str, Callable] = {
    "json": _json,
    "join": lambda items, sep: _string(sep).join(_string(x) for x in (_py(items) or [])),
    "split": lambda s, sep: _string(s).split(_string(sep)) if _py(sep) else list(_string(s)),
    "upper": lambda s: _string(s).upper(),
    "lower": lambda s: _string(s).lower(),
    "title": _title,
    "pad": lambda s, prefix, suffix: _pad(_string(s), _int(prefix), _int(suffix)),
    "truncate": lambda s, n: _string(s) if len(_string(s)) < _int(n) else _string(s)[:_int(n)],
    "index": _index,
    "len": _len,
    "print": _sprint,
    "println": lambda *args: " ".join(text(a) for a in args) + "\n",
    "printf": _printf,
    "eq": _eq,
    "ne": _order(lambda a, b: a != b, "ne"),
    "lt": _order(lambda a, b: a < b, "lt"),
    "le": _order(lambda a, b: a <= b, "le"),
    "gt": _order(lambda a, b: a > b, "gt"),
    "ge": _order(lambda a, b: a >= b, "ge"),
    "not": lambda v: not truth(v),
    "and": lambda *args: next((a for a in args if not truth(a)), args[-1]),
    "or": lambda *args: next((a for a in args if truth(a)), args[-1]),
}
# templates.go HeaderFunctions: a table's header row keeps each column's name through these
HEADER_FUNCTIONS = {**FUNCTIONS, **{name: (lambda v, *_: v) for name in
                                    ("json", "split", "join", "title", "lower", "upper", "truncate")}}
_ARITY = {"json": 1, "upper": 1, "lower": 1, "title": 1, "len": 1, "not": 1, "join": 2, "split": 2, "truncate": 2,
          "pad": 3, "ne": 2, "lt": 2, "le": 2, "gt": 2, "ge": 2}


# -- execution --------------------------------------------------------------------------------------------

class _Out:
    """What an execution wrote, and the bounds a hostile format meets (swarmsim's, not Go's)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise ExecError(f"the template runs more than {MAX_STEPS:,} actions (swarmsim's bound)")

    def write(self, s: str) -> None:
        self.size += len(s)
        if self.size > MAX_OUTPUT:
            raise ExecError(f"the template writes more than {MAX_OUTPUT:,} characters (swarmsim's bound)")
        self.parts.append(s)


def run(tree: list, dot: object, get: Callable[[object, str], object], header: bool = False) -> str:
    """The tree executed over `dot`; `get(value, name)` is a field of a value in the caller's context;
    `header`: a table's header row, whose functions leave the column names as they are."""
    out = _Out()
    _walk(tree, dot, {"$": dot, "": HEADER_FUNCTIONS if header else FUNCTIONS}, get, out)
    return "".join(out.parts)


def _walk(nodes: list, dot: object, scope: dict, get, out: _Out) -> None:
    for node in nodes:
        out.step()
        if isinstance(node, str):
            if node:
                out.write(node)
        elif isinstance(node, _Pipe):
            value = _eval_pipe(node, dot, scope, get)
            if not node.decl:
                out.write(text(value))
        elif node.kind == "range":
            try:
                items = _items(_eval_pipe(node.pipe, dot, {**scope}, get, declare=False))
            except PlacedError:
                raise
            except ExecError as err:
                raise _placed(node.pipe, err) from None
            if not items:
                _walk(node.other, dot, dict(scope), get, out)
            for key, item in items:
                inner = dict(scope)
                names = node.pipe.decl
                if len(names) == 1:
                    inner[names[0]] = item
                elif len(names) == 2:
                    inner[names[0]], inner[names[1]] = key, item
                _walk(node.body, item, inner, get, out)
        else:  # if, with
            inner = dict(scope)
            value = _eval_pipe(node.pipe, dot, inner, get)
            if truth(value):
                _walk(node.body, value if node.kind == "with" else dot, inner, get, out)
            else:
                _walk(node.other, dot, dict(scope), get, out)


class PlacedError(ExecError):
    """An execution error with the action it arose in, as text/template words it."""


def _placed(pipe: _Pipe, err: ExecError) -> PlacedError:
    return PlacedError(f'template: :1:{pipe.pos}: executing "" at <{pipe.text.strip()}>: {err}')


def _eval_pipe(pipe: _Pipe, dot: object, scope: dict, get, declare: bool = True) -> object:
    value: object = _NOTHING
    try:
        for command in pipe.commands:
            value = _eval_command(command, dot, scope, get, value, pipe)
    except PlacedError:
        raise
    except ExecError as err:
        raise _placed(pipe, err) from None
    if declare and pipe.decl:
        scope[pipe.decl[0]] = value
    return value


_NOTHING = object()


def _at(pipe: _Pipe, start: int, end: int, message: str, last_field: bool = False) -> PlacedError:
    """An error placed at a node of the pipe (a field chain's at its last field, as text/template places it)."""
    source = pipe.text[start:end]
    pos = pipe.pos + start + (source.rfind(".") if last_field else 0)
    return PlacedError(f'template: :1:{pos}: executing "" at <{source}>: {message}')


def _eval_command(command: list[_Tok], dot: object, scope: dict, get, piped: object, pipe: _Pipe) -> object:
    head, args = command[0], command[1:]
    if head.kind == "func":
        name = head.value
        operands = [_operand(a, dot, scope, get, pipe) for a in args]
        if piped is not _NOTHING:
            operands.append(piped)
        arity = _ARITY.get(name)
        if arity is not None and len(operands) != arity or not operands and name not in ("print", "println"):
            raise _at(pipe, head.start, head.end,
                      f"wrong number of args for {name}: want {arity or 'at least 1'} got {len(operands)}")
        for i, (want, value) in enumerate(zip(_PARAMS.get(name, ()), operands)):
            if not _conforms(value, want):
                node = args[i] if i < len(args) else command[-1]
                raise _at(pipe, node.start, node.end,
                          f"wrong type for value; expected {want}; got {_type_name(value)}")
        try:
            return scope[""][name](*operands)
        except PlacedError:
            raise
        except ExecError as err:
            message = str(err)
            raise _at(pipe, head.start, command[-1].end, message if message.startswith("error calling") else
                      f"error calling {name}: {message}") from None
    if args or piped is not _NOTHING:
        if head.kind in ("field", "var") and (head.value if head.kind == "field" else head.value[1]):
            name = (head.value if head.kind == "field" else head.value[1])[-1]
            raise _at(pipe, head.start, head.end, f"{name} is not a method but has arguments", last_field=True)
        raise _at(pipe, head.start, head.end, f"can't give argument to non-function {pipe.text[head.start:head.end]}")
    return _operand(head, dot, scope, get, pipe)


def _operand(token: _Tok, dot: object, scope: dict, get, pipe: _Pipe) -> object:
    if token.kind == "const":
        return token.value
    if token.kind == "sub":
        return _eval_pipe(token.value, dot, dict(scope), get)
    if token.kind == "field":
        found, path = dot, token.value
    else:
        (name, path), found = token.value, None
        found = scope[name]
    try:
        for name in path:
            found = get(found, name)
    except ExecError as err:
        raise _at(pipe, token.start, token.end, str(err), last_field=True) from None
    return found


# docker's functions' parameter types, checked before the call as reflect does (text/template evalArg)
_PARAMS = {"split": ("string", "string"), "join": ("[]string", "string"), "title": ("string",),
           "lower": ("string",), "upper": ("string",), "pad": ("string", "int", "int"), "truncate": ("string", "int"),
           "printf": ("string",)}


def _conforms(v: object, want: str) -> bool:
    if isinstance(v, gotypes.Value):
        if not v.type:
            return False
        info = gotypes._info(v.type)
        if want == "[]string":
            return info["kind"] == "slice" and gotypes._info(info["elem"])["kind"] == "string" \
                and info["elem"] == "string"
        return v.type == want
    if want == "string":
        return type(v) is str
    if want == "int":
        return type(v) is int
    return False


def _type_name(v: object) -> str:
    return v.type or "<nil>" if isinstance(v, gotypes.Value) else go_type(v)
