"""Factorial plans: every combination of factor values, each a validated scenario.

A factor is a dotted path into the scenario's YAML (`services.web.deploy.replicas`,
`timing.container_start`), a bare name that fills `{name}` placeholders in the file's
text (so `run:` strings can vary too), or `seed`. Placeholders are filled and paths set
before the scenario is checked, on the user's own text, so an error names the user's
file and line. From Python, `build(function, factors)` calls a function that returns a
`Scenario` for each combination instead.
"""
from __future__ import annotations

import dataclasses
import enum
import hashlib
import itertools
import json
import math
import re
from dataclasses import dataclass
from typing import Callable, Iterable

import yaml

from ..inputs import file_limit
from ..model.scenario import Scenario
from ..scenario import ScenarioError, loads_scenario

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Run:
    """One point of the sweep: its factor values, its seed and the scenario they make."""

    factors: dict
    seed: int
    scenario: Scenario
    scenario_hash: str

    @property
    def params(self) -> dict:
        return {**self.factors, "seed": self.seed}

    @property
    def key(self) -> str:
        """What identifies the run in a results store, so a rerun knows it is done."""
        return json.dumps(self.params, sort_keys=True, default=str)


def scenario_hash(scenario: Scenario) -> str:
    """A digest of everything a run simulates but its seed, stable across processes; the file's name and the
    lines of its steps are left out, so a comment added to the file does not make its runs another scenario."""
    plain = _canonical(dataclasses.replace(scenario, seed=0, source=None))
    return hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()[:16]


def _canonical(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {type(value).__name__: {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)
                                       if f.name != "line"}}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    return value


MAX_RUNS = 100_000  # each run is checked up front and kept as a row: a bound on what one sweep holds


INT64 = (-2**63, 2**63 - 1)  # a seed, or a factor's value, is a column of the results table (parquet int64)


def too_many_runs(factors: dict[str, list], seeds: int | Iterable[int] | None) -> str | None:
    """Why the sweep is refused before any run is expanded: more than MAX_RUNS runs, or a seed that is not
    an int64; None if neither."""
    count = math.prod(len(v) for v in factors.values()) * (
        1 if seeds is None else seeds if isinstance(seeds, int) else len(list(seeds)))
    if count > MAX_RUNS:
        return (f"the sweep asks for {count:,} runs, over the limit of {MAX_RUNS:,} (expected fewer factor values "
                "or seeds, or several sweeps)")
    if seeds is not None and "seed" in factors:
        return "give the seeds once: either a seed factor or seeds"
    listed = factors.get("seed", []) + ([] if seeds is None or isinstance(seeds, int) else list(seeds))
    for seed in listed:
        if isinstance(seed, bool) or not isinstance(seed, int) or not INT64[0] <= seed <= INT64[1]:
            return f"seed {seed!r}: expected an integer between {INT64[0]} and {INT64[1]}"
    if isinstance(seeds, int) and seeds < 1:
        return f"{seeds} seeds: expected a number of seeds >= 1"
    return None


def _check_size(factors: dict[str, list], seeds: int | Iterable[int] | None, source: str) -> None:
    if problem := too_many_runs(factors, seeds):
        raise ScenarioError(source, None, "", problem)


def seed_list(seeds: int | Iterable[int] | None) -> list[int] | None:
    """`--seeds N` means seeds 0..N-1; a list is taken as it is; None keeps the scenario's own seed."""
    if seeds is None:
        return None
    return list(range(seeds)) if isinstance(seeds, int) else list(seeds)


def _combinations(factors: dict[str, list], seeds: list[int] | None) -> Iterable[tuple[dict, int | None]]:
    factors = dict(factors)
    seeds = factors.pop("seed", seeds)
    names = list(factors)
    for values in itertools.product(*(factors[n] for n in names)):
        for seed in (seeds if seeds is not None else [None]):
            yield dict(zip(names, values)), seed


def _label(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def fill(text: str, source: str, values: dict) -> str:
    """`text` with its `{name}` placeholders replaced, line for line; a placeholder without a value is an error."""
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("#"):
            continue
        for match in PLACEHOLDER.finditer(line):
            if match.group(1) not in values:
                raise ScenarioError(source, number, "", f"placeholder {match.group(0)} has no factor (give "
                                                        f"--factor {match.group(1)}=V1,V2,...)")
    shown = {name: str(value) for name, value in values.items()}
    size = len(text) + sum(len(shown[m.group(1)]) - len(m.group(0)) for m in PLACEHOLDER.finditer(text)
                           if m.group(1) in shown)
    if size > (limit := file_limit()):
        raise ScenarioError(source, None, "", f"the factors' values fill the scenario to {size:,} characters, over "
                                              f"the limit of {limit:,} (expected shorter values; "
                                              "SWARMSIM_MAX_FILE_BYTES raises the limit)")
    return PLACEHOLDER.sub(lambda m: shown.get(m.group(1), m.group(0)), text)


def expand(text: str, source: str, factors: dict[str, list], seeds: int | Iterable[int] | None = None) -> list[Run]:
    """Every combination of the factors (and seeds) applied to the scenario text, each checked."""
    for name in factors:
        if problem := missing_placeholder(text, name):
            raise ScenarioError(source, None, "", problem)
    _check_size(factors, seeds, source)
    runs = []
    for values, seed in _combinations(factors, seed_list(seeds)):
        overrides = {k: v for k, v in values.items() if "." in k}
        filled = fill(text, source, values)
        try:
            scenario = loads_scenario(filled, source, overrides)
        except ScenarioError as err:
            run = f" (in the run with {_label(values)})" if values else ""
            raise ScenarioError(err.source, err.line, err.path, err.message + run) from None
        runs.append(_run(values, scenario, seed))
    return runs


def build(function: Callable[..., Scenario], factors: dict[str, list], seeds: int | Iterable[int] | None = None,
          where: Callable[[dict], bool] | None = None, name: str | None = None) -> list[Run]:
    """Every combination of the factors for which `where(values)` holds (all if None), each scenario made
    here by `function(**values)`, then given its seed; the scenarios, not the function, go to the workers.
    `name` (default: the function's) is what an error about the plan's size names."""
    _check_size(factors, seeds, name or getattr(function, "__name__", "build"))
    runs = []
    for values, seed in _combinations(factors, seed_list(seeds)):
        if where is not None and not where(values):
            continue
        scenario = function(**values)
        if not isinstance(scenario, Scenario):
            raise ValueError(f"{getattr(function, '__name__', function)}({_label(values)}) returned "
                             f"{type(scenario).__name__} (expected a Scenario)")
        runs.append(_run(values, scenario, seed))
    return runs


def _run(values: dict, scenario: Scenario, seed: int | None) -> Run:
    if seed is not None:
        scenario = dataclasses.replace(scenario, seed=seed)
    return Run(values, scenario.seed, scenario, scenario_hash(scenario))


def parse_factor(text: str) -> tuple[str, list]:
    """`path=v1,v2,...` with values read as YAML scalars (numbers, durations stay strings)."""
    name, sep, values = text.partition("=")
    if not sep or not name or not values:
        raise ValueError(f"factor {text!r}: expected NAME=VALUE1,VALUE2,... e.g. "
                         "services.web.deploy.update_config.parallelism=1,2,4")
    words = values.split(",")
    if len(words) > MAX_RUNS:  # counted before each is read as YAML
        raise ValueError(f"factor {name}: {len(words):,} values, over the limit of {MAX_RUNS:,} runs")
    return name, [_plain_value(name, word) for word in words]


PLAIN = "expected a plain value: a number, a string, a duration"


def plain_problem(value: object) -> str | None:
    """What is wrong with `value` as a factor's value, or None: text, a number that fits the results'
    int64 columns, a boolean or null (not a mapping, a list, a date or bytes)."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return None
    if isinstance(value, int):
        return None if INT64[0] <= value <= INT64[1] else f"{value:.3e} is out of range (expected an integer " \
                                                            f"between {INT64[0]} and {INT64[1]})"
    return f"a {type(value).__name__} ({PLAIN})"


def _plain_value(name: str, word: str) -> object:
    """One value of a `--factor`, read as a YAML scalar (as a sweep file's values are)."""
    shown = word if len(word) <= 60 else word[:57] + "..."
    try:
        value = yaml.safe_load(word)
    except yaml.YAMLError as err:
        problem = getattr(err, "problem", None) or "not YAML"
        raise ValueError(f"factor {name}: value {shown!r}: {problem} ({PLAIN})") from None
    except (ValueError, TypeError, AttributeError, OverflowError, KeyError):  # PyYAML's own, for `!!bool 1`
        raise ValueError(f"factor {name}: value {shown!r} is not what its tag says ({PLAIN})") from None
    if problem := plain_problem(value):
        raise ValueError(f"factor {name}: value {shown!r}: {problem}")
    return value


def missing_placeholder(text: str, name: str) -> str | None:
    """Why factor `name` has nothing to fill in the scenario `text`: a bare name needs a `{name}`; None if it
    does not need one or has one."""
    if "." in name or name == "seed" or name in _placeholders(text):
        return None
    return (f"factor {name}: the file has no {{{name}}} placeholder (a bare name fills placeholders; a key of the "
            "scenario is a dotted path such as services.web.deploy.replicas)")


def _placeholders(text: str) -> set[str]:
    return {m.group(1) for line in text.splitlines() if not line.lstrip().startswith("#")
            for m in PLACEHOLDER.finditer(line)}
