"""The `swarmsim` command. Bad input exits non-zero with one clear message, never a traceback."""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace

from . import metrics
from .backend import ScenarioRefused, SimBackend, run_scenario
from .scenario import ScenarioError, load_scenario
from .trace import read_trace


def _indent(text: str, prefix: str = "           ") -> str:
    return "".join(prefix + line + "\n" for line in text.rstrip("\n").splitlines())


def print_step(index: int, text: str, result, t: float) -> None:
    mark = "" if result.ok else "  (failed)"
    print(f"[{t:8.2f}s] {text}{mark}")
    if result.output.strip():
        print(_indent(result.output), end="")


def print_summary(trace) -> None:
    summary = metrics.summary(trace)
    print("\nPlacement at the end (running tasks per node):")
    for service, per_node in summary["placement"].items():
        cells = ", ".join(f"{node}={count}" for node, count in per_node.items())
        print(f"  {service:<20} {cells}")
    if summary["updates"]:
        print("\nUpdates and rollbacks:")
        for u in summary["updates"]:
            took = "still running" if u["duration"] is None else f"{u['duration']:.2f}s"
            print(f"  {u['service']:<20} started {u['started']:.2f}s, {u['outcome']} after {took}")
    if summary["node_downs"]:
        print("\nNodes marked down:")
        for node, t in summary["node_downs"]:
            print(f"  {node:<20} at {t:.2f}s")
    print(f"\nSimulated {summary['end']:.2f}s.")


def cmd_run(args) -> int:
    scenario = load_scenario(args.scenario)
    if args.seed is not None:
        scenario = replace(scenario, seed=args.seed)
    print(f"# {scenario.name} (seed {scenario.seed}, {len(scenario.nodes)} nodes)")
    trace = run_scenario(scenario, SimBackend(), on_step=print_step)
    print_summary(trace)
    if args.trace:
        trace.write(args.trace)
        print(f"Trace written to {args.trace}")
    if args.report:
        from .plots import write_report
        for path in write_report(trace, args.report):
            print(f"Plot written to {path}")
    return 0


def cmd_compare(args) -> int:
    from .compare import compare, format_comparison
    predicted, observed = read_trace(args.predicted), read_trace(args.observed)
    print(format_comparison(compare(predicted, observed)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="swarmsim", description="Predict what a Docker Swarm will do.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="simulate a scenario file")
    run.add_argument("scenario")
    run.add_argument("--seed", type=int)
    run.add_argument("--trace", metavar="FILE.jsonl")
    run.add_argument("--report", metavar="DIR", help="write plots here")
    run.set_defaults(func=cmd_run)
    cmp = sub.add_parser("compare", help="compare a predicted trace with an observed one")
    cmp.add_argument("predicted")
    cmp.add_argument("observed")
    cmp.set_defaults(func=cmd_compare)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ScenarioError, ScenarioRefused) as err:
        print(f"swarmsim: {err}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as err:
        print(f"swarmsim: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("swarmsim: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug in swarmsim, not bad input: say so in one line
        if os.environ.get("SWARMSIM_DEBUG"):
            raise
        print(f"swarmsim: internal error: {type(err).__name__}: {err} (set SWARMSIM_DEBUG=1 for details)",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
