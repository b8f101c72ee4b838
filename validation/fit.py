"""Refit latency constants on the kept real runs: a grid over Timing fields, scored on the suite's rows.

    python -m validation.fit ingress_setup_slowdown=1,1.5,2,2.5,3 container_create=0.18,0.22
    python -m validation.fit ingress_setup_slowdown=1,2,3 --only i_restart_on_failure p5_global_join
    python -m validation.fit network_create=0.8,1.2 --only validation/measurements/overlay_setup/ov_b.yaml

Every point of the grid simulates the suite's scenarios with those constants (over their own `timing:`)
and merges the rows against validation/observed/ as the suite does. The score of a point is the mean
relative error of all timing rows and timeline events, so that `swarmsim calibrate`'s single-milestone
fits can be checked and the constants no milestone isolates (contention, the ingress setup) fitted on
whole timelines. Each node starts at the age the real runs recorded (suite.as_replayed). Printed best first, with the rows that miss the 10 % tolerance. A scenario given as a
path (a measurement's, outside the suite) is scored on the real runs beside it, STEM.r1.jsonl, ...
"""
from __future__ import annotations

import argparse
import itertools
from dataclasses import fields, replace
from pathlib import Path
from statistics import mean

from swarmsim.backend import SimBackend, run_scenario
from swarmsim.model.scenario import Timing
from swarmsim.scenario import load_scenario
from swarmsim.trace import read_trace

from .rows import TOLERANCE, compare_traces, merge_runs
from .suite import SCENARIOS, SUITE, _runs_in, as_replayed, kept_runs


def scenario_path(name: str) -> Path:
    return Path(name) if name.endswith(".yaml") else SCENARIOS / f"{name}.yaml"


def real_runs(name: str) -> list:
    """The suite's kept runs of a suite scenario; those beside a scenario given as a path."""
    if not name.endswith(".yaml"):
        return kept_runs(name)
    path = Path(name)
    return [read_trace(run) for run in _runs_in(path.parent, f"{path.stem}.r*.jsonl")]


def errors(rows: list[dict]) -> list[tuple[str, float]]:
    """(quantity, |relative error|) of each timing row, and of each event of each timeline row."""
    out = []
    for r in rows:
        if r.get("kind") == "timing" and r["p"] is not None and r["o"]:
            out.append((r["quantity"], abs(r["p"] - r["o"]) / r["o"]))
        elif r.get("kind") == "timeline" and r["p"] and len(r["p"]) == len(r["o"]):
            out += [(r["quantity"], abs(p - o) / o) for p, o in zip(r["p"], r["o"]) if o > 0]
    return out


def score(point: dict[str, float], names: list[str], observed: dict) -> tuple[float, list[str]]:
    errs = []
    for name in names:
        scenario = as_replayed(load_scenario(scenario_path(name)), observed[name])
        scenario = replace(scenario, timing=replace(scenario.timing, **point))
        predicted = run_scenario(scenario, SimBackend())
        errs += [(f"{name}: {q}", e) for q, e in errors(merge_runs([compare_traces(predicted, o) for o in observed[name]]))]
    return mean(e for _, e in errs), [f"{q} {100 * e:.0f} %" for q, e in errs if e > TOLERANCE]


def parse_axis(text: str) -> tuple[str, list[float]]:
    name, _, values = text.partition("=")
    if name not in {f.name for f in fields(Timing)} or not values:
        raise SystemExit(f"expected FIELD=V1,V2,... with a Timing field, got {text!r}")
    kind = int if getattr(Timing(), name).__class__ is int else float
    return name, [kind(v) for v in values.split(",")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m validation.fit", description=__doc__.splitlines()[0])
    parser.add_argument("axes", nargs="+", metavar="FIELD=V1,V2,...")
    parser.add_argument("--only", nargs="+", metavar="SCENARIO", help="score these scenarios only")
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args(argv)
    axes = [parse_axis(a) for a in args.axes]
    observed = {n: real_runs(n) for n in args.only or SUITE}
    names = [n for n, runs in observed.items() if runs]
    results = []
    for values in itertools.product(*(v for _, v in axes)):
        point = dict(zip((n for n, _ in axes), values))
        s, misses = score(point, names, observed)
        results.append((s, point, misses))
        print(f"{100 * s:6.2f} %  {point}  ({len(misses)} over {TOLERANCE:.0%})", flush=True)
    results.sort(key=lambda r: r[0])
    print("\nbest first:")
    for s, point, misses in results[: args.top]:
        print(f"{100 * s:6.2f} %  {point}")
        for m in misses:
            print(f"           {m}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
