"""How fast the simulator is at scale: prints a table, asserts nothing.

The workload of issue 11: 3 managers and N-3 workers; 10 services of N replicas each created with
`--update-parallelism 50 --stop-grace-period 1s`; wait converged; update all 10 images; wait
converged. Each size is the full `swarmsim run --trace` (the printed summary included, sent to
/dev/null) in a fresh child process, so its peak memory is its own. The same child first times a
bare SimPy timeout loop, and "x bare" is the wall time per processed SimPy event as a multiple of
that loop's: a ratio measured in the same process, so it holds on a slower machine.

    python benchmarks/scale.py                    # 100 to 1,000 nodes
    python benchmarks/scale.py --sizes 100,1000,10000
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SERVICES = 10
BARE_EVENTS = 200_000


def scenario_yaml(nodes: int, timing: str | None = None) -> str:
    lines = ["version: 1", f"name: scale-{nodes}", "seed: 1",
             f"cluster: {{managers: 3, workers: {nodes - 3}}}"]
    if timing:
        lines.append(f"timing: {{contention_scope: {timing}}}")
    lines.append("steps:")
    lines += [f"  - run: docker service create -d --name svc{s} --replicas {nodes} --update-parallelism 50 "
              f"--stop-grace-period 1s app:1" for s in range(SERVICES)]
    lines.append("  - wait: converged")
    lines += [f"  - run: docker service update -d --image app:2 svc{s}" for s in range(SERVICES)]
    lines.append("  - wait: converged")
    return "\n".join(lines) + "\n"


def bare_simpy_loop(events: int = BARE_EVENTS) -> float:
    """Wall seconds per event of one SimPy process waiting on `events` timeouts."""
    import simpy
    env = simpy.Environment()

    def loop():
        for _ in range(events):
            yield env.timeout(1)
    env.process(loop())
    start = time.perf_counter()
    env.run()
    return (time.perf_counter() - start) / events


def one(nodes: int, timing: str | None) -> dict:
    """Run one size in this process; the figures as a dict."""
    import simpy

    from swarmsim.cli import main as swarmsim
    envs: list = []
    init = simpy.Environment.__init__

    def recording_init(self, *args, **kwargs):  # once per run: counts the events afterwards, costs none
        init(self, *args, **kwargs)
        envs.append(self)
    simpy.Environment.__init__ = recording_init
    bare = bare_simpy_loop()
    envs.clear()
    with tempfile.TemporaryDirectory() as tmp:
        path, trace = Path(tmp) / "scale.yaml", Path(tmp) / "trace.jsonl"
        path.write_text(scenario_yaml(nodes, timing))
        with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
            start, cpu = time.perf_counter(), time.process_time()
            code = swarmsim(["run", str(path), "--trace", str(trace)])
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        with trace.open() as f:
            trace_events = sum(1 for _ in f) - 1
    env = envs[0]
    simpy_events = next(env._eid) - len(env._queue)  # scheduled minus still queued: processed
    return {"nodes": nodes, "tasks": SERVICES * nodes, "simpy_events": simpy_events, "trace_events": trace_events,
            "wall": wall, "cpu": cpu, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "ratio": (wall / simpy_events) / bare, "exit": code}


def table(rows: list[dict]) -> str:
    out = ["| nodes | tasks | SimPy events | trace events | wall s | CPU s | peak MB | wall per event, x bare SimPy |",
           "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    out += [f"| {r['nodes']:,} | {r['tasks']:,} | {r['simpy_events']:,} | {r['trace_events']:,} | {r['wall']:.2f} | "
            f"{r['cpu']:.2f} | {r['peak_mb']:.0f} | {r['ratio']:.1f} |" for r in rows]
    return "\n".join(out)


def slope(rows: list[dict]) -> float | None:
    """The least-squares slope of log(wall) against log(nodes): 1 is linear growth."""
    import math
    if len(rows) < 2:
        return None
    xs, ys = [math.log(r["nodes"]) for r in rows], [math.log(r["wall"]) for r in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,300,1000", help="node counts, comma-separated")
    parser.add_argument("--timing", choices=["host", "node"], help="contention_scope (default: the scenario default)")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument("--plot", type=Path, help="also draw wall time against nodes, log-log, as this PNG")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.timing)))
        return
    rows = []
    for nodes in (int(s) for s in args.sizes.split(",")):
        cmd = [sys.executable, __file__, "--one", str(nodes)] + (["--timing", args.timing] if args.timing else [])
        rows.append(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout))
        print(f"{nodes} nodes: {rows[-1]['wall']:.2f} s", file=sys.stderr)
    print(table(rows))
    if (s := slope(rows)) is not None:
        print(f"\nwall time grows as nodes^{s:.2f} (least squares over log-log)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    if args.plot:
        plot(rows, args.plot)


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    nodes, wall = [r["nodes"] for r in rows], [r["wall"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(nodes, wall, "o-", label=f"swarmsim run --trace (slope {slope(rows):.2f})")
    ax.loglog(nodes, [wall[0] * n / nodes[0] for n in nodes], ":", color="grey", label="linear (slope 1)")
    ax.set_xlabel("nodes (tasks = 10 x nodes)")
    ax.set_ylabel("wall s")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
