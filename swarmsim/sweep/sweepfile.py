"""The sweep file: a base scenario, its factors, seeds and the metrics to keep, in YAML.

    scenario: update_parallelism.yaml    # relative to this file
    factors:
      parallelism: [1, 2, 4]             # fills {parallelism} in the scenario's text
      services.web.deploy.replicas: [6, 12]
    seeds: 5                             # 0..4, or a list [3, 7]
    metrics: ["update0.*", "end"]        # glob patterns; all metrics when absent
    out: results/update_parallelism      # relative to the working directory

Read like a scenario file: every error names this file, its line and what was expected.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..inputs import InputError, read_text
from ..scenario.compose import Field
from ..scenario.loader import Document, ScenarioError
from .factorial import missing_placeholder, plain_problem, too_many_runs

KEYS = ("scenario", "factors", "seeds", "metrics", "out")


@dataclass(frozen=True)
class SweepFile:
    scenario: Path
    factors: dict[str, list]
    seeds: int | list[int] | None
    metrics: list[str] | None
    out: str | None


def is_sweep_file(path: str | Path) -> bool:
    """A sweep file has a `scenario:` key at its top, a scenario file never does."""
    try:
        doc = Document.parse(read_text(path, "sweep file"), str(path))
    except (InputError, ScenarioError):
        return False
    return isinstance(doc.root.value, dict) and "scenario" in doc.root.value


def _values(f: Field) -> list:
    items = f.items()
    if not items:
        raise f.fail("expected at least one value, e.g. [1, 2, 4]")
    for item in items:
        if problem := plain_problem(item.value):
            raise item.fail(problem)
    return [item.value for item in items]


def _factor(name: str, f: Field, scenario_text: str) -> list:
    """A factor's values; a bare name must have its `{name}` in the scenario (said here, at this file's line)."""
    if problem := missing_placeholder(scenario_text, name):
        raise f.fail(problem)
    return _values(f)


def _seeds(f: Field) -> int | list[int]:
    if isinstance(f.value, list):
        if not f.value:
            raise f.fail("expected at least one seed, e.g. [3, 7], or a number of seeds")
        return [item.integer(minimum=None) for item in f.items()]
    return f.integer(minimum=1)


def load_sweep(path: str | Path) -> SweepFile:
    """The sweep file at `path`, checked; its `scenario:` is resolved beside it and must exist."""
    try:
        text = read_text(path, "sweep file")
    except InputError as err:
        raise ScenarioError(str(path), err.line, "", err.message) from None
    doc = Document.parse(text, str(path))

    def read() -> SweepFile:
        root = doc.root
        root.mapping(KEYS)
        scenario = Path(path).parent / root.require("scenario", Field.text, "the base scenario file")
        try:
            text = read_text(scenario, "scenario file")
        except InputError as err:  # said at this file's line: "cannot read the scenario file: a FIFO ..."
            raise Field(None, ("scenario",)).fail(str(err)) from None
        factors = root.get("factors", lambda f: {k: _factor(k, v, text) for k, v in f.mapping().items()}, {})
        metrics = root.get("metrics", lambda f: list(f.strings()), None)
        seeds = root.get("seeds", _seeds, None)
        if problem := too_many_runs(factors, seeds):  # said at this file's line, before the scenario is read
            raise Field(None, ("seeds",) if seeds is not None else ("factors",)).fail(problem)
        return SweepFile(scenario, factors, seeds, metrics, root.get("out", Field.text, None))
    return doc.read(read)
