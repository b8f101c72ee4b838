"""docs/reference/api.md is generated from the docstrings of the public API and must be current.

`python tests/test_api_doc.py --update` rewrites it after a change to a public name or its docstring.
"""
from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "reference" / "api.md"
INTRO = """# Python API reference

*Reference.* Generated from the docstrings by `python tests/test_api_doc.py --update` (a test checks that it
is current). Everything here is importable from `swarmsim`; nothing else is needed, and nothing private.
For the ideas: [architecture](../architecture.md); for the files: [scenario](scenario.md), [trace](trace.md).
"""

SUMMARISED = {"metrics"}  # tuned often by other work: the page gives its docstring, not each function's


def _doc(value) -> str:
    """Its own docstring (a class's, not the one it inherits)."""
    own = vars(value).get("__doc__") if inspect.isclass(value) else value.__doc__
    return inspect.cleandoc(own) if own else ""


def _signature(name: str, value) -> str:
    try:
        return f"{name}{inspect.signature(value)}"
    except (TypeError, ValueError):
        return name


def _entry(level: str, name: str, value) -> list[str]:
    return [f"{level} `{_signature(name, value)}`", "", _doc(value), ""]


def render() -> str:
    import swarmsim
    out = [INTRO]
    for name in sorted(n for n in swarmsim.__all__ if n != "__version__"):
        value = getattr(swarmsim, name)
        if inspect.ismodule(value):
            out += [f"## `swarmsim.{name}`", "", _doc(value), ""]
            if name in SUMMARISED:
                out += [f"Its functions are listed by `help(swarmsim.{name})`.", ""]
                continue
            for fname, fn in inspect.getmembers(value, inspect.isfunction):
                if not fname.startswith("_") and fn.__module__ == value.__name__:
                    out += _entry("###", f"{name}.{fname}", fn)
        elif inspect.isclass(value):
            out += [f"## `swarmsim.{name}`", "", _doc(value), ""]
            for mname, member in vars(value).items():
                if not mname.startswith("_") and inspect.isfunction(member) and value.__module__.startswith("swarmsim"):
                    out += _entry("###", f"{name}.{mname}", member)
        else:
            out += _entry("##", f"swarmsim.{name}", value)
    text = "\n".join(line.rstrip() for line in "\n".join(out).splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def test_the_api_page_is_current():
    assert PAGE.read_text() == render(), "docs/reference/api.md is stale: run python tests/test_api_doc.py --update"


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    PAGE.write_text(render())
    print(f"written {PAGE}")
