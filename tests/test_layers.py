"""The layers of docs/architecture.md, enforced on the import graph.

Each package of swarmsim (and validation/) may import only the layers listed for it. The pure core
(model, control, net) never sees simpy or docker; the simulator never sees the docker language, the
scenario file or the analysis; the analysis reads traces only; the real backend never imports the
simulator. `docker` and `validation` are imported lazily by the command line and nowhere else.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# layer -> the layers it may import (itself always allowed)
ALLOWED = {
    "model": set(),
    "control": {"model"},
    "net": {"model", "control"},
    "inputs": set(),
    "trace": {"inputs"},
    "sim": {"model", "control", "net", "trace", "simpy"},
    "dockercli": {"model", "control"},
    "scenario": {"model", "control", "dockercli", "inputs"},
    "analysis": {"model", "trace", "inputs"},  # inputs: the report folder made or refused in one clear line
    "backend": {"model", "control", "sim", "dockercli", "trace", "swarmsim"},
    "sweep": {"model", "analysis", "backend", "scenario", "trace", "inputs"},
    "cli": {"model", "analysis", "backend", "scenario", "sweep", "trace", "inputs", "docker", "validation"},
    "testing": {"model", "control", "analysis", "backend", "scenario", "trace"},
    "swarmsim": {"model", "analysis", "backend", "scenario", "sweep", "trace"},  # the public API, __init__.py
    "validation": {"model", "control", "dockercli", "scenario", "analysis", "backend", "trace", "swarmsim",
                   "inputs", "docker"},
}
EXTERNAL = {"simpy", "docker", "validation"}  # third-party or optional layers the table speaks of


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "swarmsim":
        return parts[1] if len(parts) > 1 else "swarmsim"
    return parts[0] if parts[0] in EXTERNAL else None


def modules() -> list[tuple[Path, str]]:
    found = []
    for path in sorted([*ROOT.glob("swarmsim/**/*.py"), *ROOT.glob("validation/*.py")]):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append((path, ".".join(parts)))
    return found


def is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.is_dir() or path.with_suffix(".py").exists()


def imports(path: Path, module: str) -> list[tuple[int, str]]:
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
                # `from . import metrics` names a module of the package; `from . import __version__` does not
                out += [(node.lineno, name + "." + alias.name if is_module(name + "." + alias.name) else name)
                        for alias in node.names]
            else:
                out.append((node.lineno, node.module))
    return out


def test_every_package_has_a_layer():
    layers = {layer_of(module) for _, module in modules()}
    assert layers <= set(ALLOWED), f"packages without a row in ALLOWED: {sorted(layers - set(ALLOWED))}"


@pytest.mark.parametrize("path,module", modules(), ids=lambda v: str(v) if isinstance(v, str) else "")
def test_imports_follow_the_layers(path, module):
    own = layer_of(module)
    wrong = []
    for line, target in imports(path, module):
        layer = layer_of(target)
        if layer is None or layer == own:
            continue
        if layer not in ALLOWED[own]:
            wrong.append(f"{path.relative_to(ROOT)}:{line}: {own} imports {target} ({layer})")
    assert not wrong, "\n".join(wrong)


def test_the_layer_check_sees_a_wrong_import(tmp_path):
    """The check itself: a model module importing simpy, and a relative import of sim from analysis."""
    bad = tmp_path / "swarmsim" / "model" / "x.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("import simpy\nfrom ..sim.agent import Host\n")
    found = [layer_of(target) for _, target in imports(bad, "swarmsim.model.x")]
    assert found == ["simpy", "sim"] and not {"simpy", "sim"} & ALLOWED["model"]


def test_architecture_page_lists_the_folders():
    """docs/architecture.md's folder picture names every package and seam of swarmsim/, and no other."""
    page = (ROOT / "docs" / "architecture.md").read_text()
    picture = page.split("```\nswarmsim/\n", 1)[1].split("```", 1)[0]
    drawn = set()
    for line in picture.splitlines():
        for word in line.split():
            if not word.endswith(("/", ".py")):
                break
            drawn.add(word)
    on_disk = {f"{p.name}/" for p in (ROOT / "swarmsim").iterdir() if (p / "__init__.py").exists()} - {"testing/"}
    on_disk |= {p.name for p in (ROOT / "swarmsim").glob("*.py") if p.name != "__init__.py"}
    assert drawn - {"validation/"} == on_disk
