"""The `swarmsim` command. Bad input exits non-zero with one clear message, never a traceback."""
from __future__ import annotations

import argparse
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

from .analysis import metrics
from .backend import ScenarioRefused, SimBackend, collector_for_a_run, run_scenario
from .inputs import one_line, output_dir, output_file, printable, read_text
from .scenario import ScenarioError, load_scenario
from .trace import read_trace


def _indent(text: str, prefix: str = "           ") -> str:
    return "".join(prefix + line + "\n" for line in text.rstrip("\n").splitlines())


def print_step(index: int, text: str, result, t: float) -> None:
    mark = "" if result.ok else "  (failed)"
    print(f"[{t:8.2f}s] {text}{mark}")
    if result.output.strip():
        print(_indent(result.output), end="")


def _one_line(name: str) -> str:
    """A scenario's name in a header line: a newline in it shown escaped, not starting another line."""
    return name.replace("\n", "\\n")


def print_summary(trace, ran: str = "Simulated") -> None:
    summary = metrics.summary(trace)
    print("\nPlacement at the end (running tasks per node):")
    for service, per_node in summary["placement"].items():
        cells = ", ".join(f"{node}={count}" for node, count in per_node.items())
        print(f"  {service:<20} {cells}")
    if summary["updates"]:
        print("\nUpdates and rollbacks:")
        for u in summary["updates"]:
            if u["duration"] is None:  # still in progress at the end, as inspect --pretty's UpdateStatus says
                outcome = f"still {u['outcome']} at the end, for {summary['end'] - u['since']:.2f}s"
            else:
                outcome = f"{u['outcome']} after {u['duration']:.2f}s"
            print(f"  {u['service']:<20} started {u['started']:.2f}s, {outcome}; "
                  f"fewest running {u['min_running']}, {u['replica_seconds_lost']:.1f} replica-seconds lost")
    if summary["recovery"]:
        print("\nNodes marked down:")
        for r in summary["recovery"]:
            after = "not recovered" if r["recovered"] is None else \
                f"all replicas running again {r['time_to_recover']:.2f}s later"
            print(f"  {r['node']:<20} at {r['down']:.2f}s, {after}")
    if summary["requests"]:
        print("\nRequests:")
        for key, row in summary["requests"].items():
            name = f"port {key}" if isinstance(key, int) else key
            print(f"  {name:<20} {row['count']} sent, {row['failed']} failed "
                  f"({100 * row['success_rate']:.2f}% succeeded)")
    print(f"\n{ran} {summary['end']:.2f}s.")


def _write(path: str, write) -> None:
    """`write(path)`; a failure names the file (a full disk's or /proc's OSError carries no file name)."""
    try:
        write(path)
    except OSError as err:
        raise ValueError(f"{path}: cannot write the file: {err.strerror or err}") from None


_PLOTS = {"run": ("running.png", "tasks.png", "requests.png"), "compare": ("predicted_over_observed.png",)}


def _check_outputs(args) -> None:
    """Where the command will write, refused before it runs (a run or a replay can take minutes): an empty path,
    a directory or a FIFO no one reads where a file goes (the write would block for ever), a file in the way of
    a folder."""
    for option in ("trace", "report", "out"):
        if getattr(args, option, None) == "":
            raise ValueError(f"--{option} '': the path is empty (expected a "
                             f"{'folder' if option == 'report' or args.command == 'sweep' else 'file'} name)")
    if getattr(args, "trace", None):
        output_file(args.trace, "trace")
    if getattr(args, "report", None):
        folder = output_dir(args.report, "report folder")
        # run --seeds names a plot by each metric: any PNG there may be written
        names = [p.name for p in folder.glob("*.png")] if getattr(args, "seeds", None) else _PLOTS.get(args.command, ())
        for name in names:
            output_file(folder / name, f"plot of --report {args.report}")
    if getattr(args, "out", None) and args.command == "calibrate":
        output_file(args.out, "timing file")


def cmd_run(args) -> int:
    scenario = load_scenario(args.scenario)
    if args.seeds is not None:
        return _run_seeds(scenario, args)
    _check_outputs(args)
    if args.seed is not None:
        scenario = replace(scenario, seed=args.seed)
    print(f"# {_one_line(scenario.name)} (seed {scenario.seed}, {len(scenario.nodes)} nodes)")
    with collector_for_a_run():
        trace = run_scenario(scenario, SimBackend(), on_step=print_step)
        print_summary(trace)
        if args.trace:
            _write(args.trace, trace.write)
            print(f"Trace written to {args.trace}")
    if args.report:
        from .analysis.plots import write_report
        for path in write_report(trace, args.report):
            print(f"Plot written to {path}")
    return 0


def _run_seeds(scenario, args) -> int:
    """`run --seeds N`: the scenario under seeds 0..N-1, its outcome distribution printed."""
    from .sweep.outcomes import outcomes
    if args.seed is not None or args.trace is not None:
        raise ValueError("--seeds runs many seeds: it takes neither --seed nor --trace")
    if args.seeds < 1:
        raise ValueError(f"--seeds {args.seeds}: expected a number of seeds >= 1")
    _check_outputs(args)
    result = outcomes(scenario, args.seeds, workers=args.workers, dask=args.dask)
    print(result.format())
    if args.report:
        from .sweep.plots import write_outcome_plots
        for path in write_outcome_plots(result, args.report):
            print(f"Plot written to {path}")
    return 0


def cmd_compare(args) -> int:
    from .analysis.compare import compare, format_comparison
    _check_outputs(args)
    predicted, observed = read_trace(args.predicted), read_trace(args.observed)
    print(format_comparison(compare(predicted, observed)))
    if args.report:
        from .analysis.plots import write_comparison
        print(f"Plot written to {write_comparison(predicted, observed, args.report)}")
    return 0


def _need_root(what: str) -> None:
    if os.geteuid() != 0:
        raise ValueError(f"{what} needs root: the local swarm is made of network namespaces, a bridge and one "
                         "dockerd per node (run it with sudo, or use --docker-host)")


def _on_signal(signum, frame):
    """SIGTERM and SIGHUP end a replay like Ctrl-C, so what it created is removed on the way out."""
    raise KeyboardInterrupt


def _real_swarm_errors(run):
    """Docker and subprocess failures as one clear line (main prints it), not a traceback."""
    import subprocess
    try:
        import docker
    except ImportError as err:
        raise ValueError(f"this command needs the docker SDK: pip install docker ({err})") from None
    try:
        return run()
    except docker.errors.DockerException as err:
        raise ValueError(f"docker: {err}") from None
    except subprocess.CalledProcessError as err:
        detail = (err.stderr or err.stdout or "").strip().splitlines()
        raise ValueError(f"{' '.join(map(str, err.cmd))} failed" + (f": {detail[-1]}" if detail else "")) from None


def _remove_local_swarm(localswarm) -> None:
    """Tear the local swarm down; whatever could not be removed is named with the command that finishes it."""
    try:
        localswarm.down()
    except Exception as err:  # noqa: BLE001 - any failure here leaves state behind: say how to remove it
        print(f"swarmsim: the local swarm was not fully removed ({type(err).__name__}: {err}); run `swarmsim "
              "cluster down` to finish", file=sys.stderr)
        raise


def cmd_replay(args) -> int:
    """Run the scenario on a real swarm; docker and validation/ are imported only here."""
    if args.cleanup:
        return _real_swarm_errors(lambda: _cleanup(args))
    if args.scenario is None:
        raise ValueError("replay needs a scenario file (or --cleanup)")
    scenario = load_scenario(args.scenario)
    _check_outputs(args)
    if args.local is not None and args.docker_host:
        raise ValueError("choose one of --local and --docker-host")
    if args.node and not args.docker_host:
        raise ValueError("--node maps scenario nodes to the nodes of a --docker-host swarm")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)

    def run():
        from validation import localswarm
        from validation.docker_backend import DockerBackend, capabilities, local_layout, refuse_early
        if args.docker_host:
            from validation import foreign
            mesh, image = not args.no_mesh, args.workload_image or "busybox:1.36"
            plan = foreign.survey(args.docker_host, scenario, foreign.parse_node_map(args.node or []), mesh, image)
            if plan.problems or args.preflight:
                print(plan.format(args.docker_host[0]), file=sys.stderr if plan.problems else sys.stdout)
                return None if plan.problems else 0
            print(f"# {_one_line(scenario.name)} on {args.docker_host[0]}")
            with foreign.remote_backend(plan, args.docker_host[0], mesh=mesh, image=image,
                                        ledger_dir=args.state_dir and Path(args.state_dir)) as backend:
                return run_scenario(scenario, backend, on_step=print_step)
        if args.preflight:
            raise ValueError("--preflight checks a --docker-host swarm; a local swarm is built for the scenario")
        _need_root("replay --local")
        mesh = localswarm.ipvs_available()
        refuse_early(scenario, capabilities(mesh, local=True))
        if (args.local or 0) < 0 or 0 < (args.local or 0) < len(scenario.nodes):
            raise ValueError(f"--local {args.local}: the scenario needs {len(scenario.nodes)} nodes")
        layout = local_layout(scenario, args.local or len(scenario.nodes))
        localswarm.check_size(layout["n_nodes"])  # before waiting for the machine's lock
        print(f"# {_one_line(scenario.name)}: starting a local swarm of {layout['n_nodes']} nodes")
        with localswarm.exclusive():
            try:
                extra = layout.pop("extra")
                swarm = localswarm.up(**layout)
                with DockerBackend.for_local(swarm, mesh=mesh, exclude=extra,
                                             image=args.workload_image or localswarm.IMAGE) as backend:
                    return run_scenario(scenario, backend, on_step=print_step)
            finally:
                if args.keep:
                    print("The local swarm is kept; remove it with `swarmsim cluster down`.")
                else:
                    _remove_local_swarm(localswarm)

    trace = _real_swarm_errors(run)
    if trace is None or trace == 0:  # the preflight's verdict
        return 2 if trace is None else 0
    print_summary(trace, ran="Observed")
    if args.trace:
        _write(args.trace, trace.write)
        print(f"Trace written to {args.trace}")
    return 0


def _cleanup(args) -> int:
    """`replay --cleanup`: undo the runs whose ledgers are left (a SIGKILLed replay), on their own swarm."""
    from validation.docker_backend import client_for
    from validation.ledger import Ledger, cleanup, state_dir
    directory = Path(args.state_dir) if args.state_dir else state_dir()
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"{directory}: cannot read the replays' records: not a directory (expected the folder "
                         "replays record in)")
    paths = sorted(directory.glob("*.json")) if directory.is_dir() else []
    if not paths:
        print(f"Nothing to clean up: no replay left a record in {directory}.")
        return 0
    failed = 0
    for path in paths:
        ledger = Ledger.load(path)
        url = (args.docker_host or [ledger.data["url"]])[0]
        left = cleanup(client_for(url).api, ledger)
        if left:
            failed += 1
            print(f"run {ledger.run_id} on {url}: could not remove {', '.join(left)}", file=sys.stderr)
        else:
            ledger.done()
            print(f"run {ledger.run_id} on {url}: removed what it created, put back what it changed")
    return 1 if failed else 0


def cmd_cluster(args) -> int:
    _need_root(f"cluster {args.action}")

    def run():
        from validation import localswarm
        if args.action == "up":
            if args.nodes is None or args.nodes < 1:
                raise ValueError("cluster up needs the number of nodes, e.g. `swarmsim cluster up 3`")
            localswarm.check_size(args.nodes)
        # not while a replay or a test session holds the machine's local swarm: waits for it to end
        for line in localswarm.by_hand(args.action, args.nodes, args.managers):
            print(line)
        if args.action == "down":
            print("Local swarm removed.")
        return 0
    return _real_swarm_errors(run)


def cmd_sweep(args) -> int:
    from .sweep import expand, is_sweep_file, load_sweep, parse_factor, run_sweep
    _check_outputs(args)  # an empty --out
    factors, seeds, keep, out, scenario = {}, None, None, None, Path(args.scenario)
    what = "scenario or sweep file"  # until it is known which: a file too big to read is either
    if is_sweep_file(scenario):
        plan = load_sweep(scenario)
        factors, seeds, keep, out, scenario = plan.factors, plan.seeds, plan.metrics, plan.out, plan.scenario
        what = "scenario file"
    factors.update(parse_factor(f) for f in args.factor)
    if args.seeds < 0:
        raise ValueError(f"--seeds {args.seeds}: expected a number of seeds >= 1 (0: none)")
    if args.seeds:
        seeds = args.seeds
    runs = expand(read_text(scenario, what), str(scenario), factors, seeds)  # every run checked before any starts
    out = args.out or out or "results/sweep"
    frame = run_sweep(runs, out, workers=args.workers, dask=args.dask, metrics=keep)
    failed = int(frame["error"].notna().sum()) if "error" in frame else 0
    shown = [c for c in frame.columns if c not in ("run", "swarmsim_version", "scenario_hash", "error")]
    print(frame[shown].to_string(index=False, max_cols=12, max_rows=40))
    print(f"{len(frame)} runs ({failed} failed) in {out}/results.csv, results.parquet and runs.jsonl")
    return 0


def cmd_calibrate(args) -> int:
    from .analysis.calibrate import fit, timing_block
    _check_outputs(args)
    timing, counts = fit(read_trace(path) for path in args.traces)
    print("# fitted from " + ", ".join(f"{n} {name} gaps" for name, n in counts.items()))
    block = timing_block(timing)
    print(block, end="")
    if args.out:
        _write(args.out, lambda path: Path(path).write_text(block))
        print(f"# written to {args.out}")
    return 0


class _UsageError(ValueError):
    """A command line argparse refuses: one line, as every other refusal (not argparse's usage block and exit)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise _UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="swarmsim", description="Predict what a Docker Swarm will do.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="simulate a scenario file")
    run.add_argument("scenario")
    run.add_argument("--seed", type=int)
    run.add_argument("--trace", metavar="FILE.jsonl")
    run.add_argument("--report", metavar="DIR", help="write plots here")
    run.add_argument("--seeds", type=int, metavar="N",
                     help="simulate seeds 0..N-1 and print the outcome distribution instead of one run")
    run.add_argument("--workers", type=int, help="with --seeds: local processes (default: one per core)")
    run.add_argument("--dask", metavar="ADDRESS", help="with --seeds: a dask scheduler, or local[:N]")
    run.set_defaults(func=cmd_run)
    sweep = sub.add_parser("sweep", help="simulate every combination of factor values")
    sweep.add_argument("scenario")
    sweep.add_argument("--factor", action="append", default=[], metavar="PATH=V1,V2,...",
                       help="a dotted path into the scenario (or a {name} placeholder) and its values")
    sweep.add_argument("--seeds", type=int, default=0, help="also repeat every point with seeds 0..N-1")
    sweep.add_argument("--workers", type=int, help="local processes (default: one per core)")
    sweep.add_argument("--dask", metavar="ADDRESS",
                       help="run on a dask.distributed scheduler instead; local or local:N starts a LocalCluster")
    sweep.add_argument("--out", metavar="DIR", help="the results folder (default: the sweep file's out:, "
                                                    "else results/sweep); a rerun skips the runs it holds")
    sweep.set_defaults(func=cmd_sweep)
    cal = sub.add_parser("calibrate", help="fit the latency model to observed traces; print a timing: block")
    cal.add_argument("traces", nargs="+", metavar="TRACE.jsonl")
    cal.add_argument("--out", metavar="FILE.yaml")
    cal.set_defaults(func=cmd_calibrate)
    cmp = sub.add_parser("compare", help="compare a predicted trace with an observed one")
    cmp.add_argument("predicted")
    cmp.add_argument("observed")
    cmp.add_argument("--report", metavar="DIR", help="write predicted-over-observed plots here")
    cmp.set_defaults(func=cmd_compare)
    rep = sub.add_parser("replay", help="run a scenario on a real swarm and record its trace")
    rep.add_argument("scenario", nargs="?")
    rep.add_argument("--local", type=int, metavar="N", nargs="?", const=0,
                     help="on a local swarm of N nodes (default: the scenario's), brought up and torn down (root)")
    rep.add_argument("--docker-host", action="append", metavar="URL",
                     help="on the swarm this manager belongs to (ssh://user@host or tcp://host:2376); repeat it "
                          "for other nodes that steps run on")
    rep.add_argument("--trace", metavar="FILE.jsonl")
    rep.add_argument("--keep", action="store_true", help="leave the local swarm running afterwards")
    rep.add_argument("--no-mesh", action="store_true", help="the remote swarm has no routing mesh (no IPVS)")
    rep.add_argument("--workload-image", metavar="IMAGE",
                     help="busybox image the workloads run in (default: swarmsim/busybox:1 locally, "
                          "busybox:1.36 on --docker-host)")
    rep.add_argument("--node", action="append", metavar="NAME=HOSTNAME",
                     help="the real node (by hostname) that plays scenario node NAME; repeatable (default: the "
                          "node with the scenario's name, else by role)")
    rep.add_argument("--preflight", "--dry-run", action="store_true",
                     help="only check the --docker-host swarm: print the node mapping, what would be set and "
                          "everything the swarm lacks; change nothing")
    rep.add_argument("--cleanup", action="store_true",
                     help="remove what killed replays created and put back what they changed (from their records)")
    rep.add_argument("--state-dir", metavar="DIR",
                     help="where replays record what they change (default: ~/.local/state/swarmsim/replays)")
    rep.set_defaults(func=cmd_replay)
    clu = sub.add_parser("cluster", help="the local real swarm (needs root)")
    clu.add_argument("action", choices=["up", "down"])
    clu.add_argument("nodes", type=int, nargs="?")
    clu.add_argument("--managers", type=int, default=1)
    clu.set_defaults(func=cmd_cluster)
    return parser


class _Printable:
    """stdout with control characters escaped: what is printed comes from the user's files (names, a
    `--format`'s text, a trace's fields), and an escape sequence there would repaint the terminal.
    The trace keeps the text as it was. A reader that went away (`swarmsim run x | head`) stops the printing,
    not the run: the trace and the plots asked for are still written."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.closed_by_reader = False

    def write(self, text: str) -> int:
        if not self.closed_by_reader:
            try:
                self.stream.write(printable(text, tabs=True))
            except BrokenPipeError:
                self._reader_gone()
        return len(text)

    def flush(self) -> None:
        if not self.closed_by_reader:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._reader_gone()

    def _reader_gone(self) -> None:
        """What is left in the buffer goes nowhere, now and when the interpreter flushes it at exit."""
        self.closed_by_reader = True
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())
        except (OSError, ValueError):  # not a file descriptor (a test's StringIO)
            pass

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except _UsageError as err:
        print(one_line(str(err)), file=sys.stderr)
        return 2
    stdout, sys.stdout = sys.stdout, _Printable(sys.stdout)
    try:
        return _main(args)
    finally:
        sys.stdout = stdout


def _main(args) -> int:
    try:
        return args.func(args)
    except (ScenarioError, ScenarioRefused, OSError, ValueError) as err:
        print(f"swarmsim: {one_line(str(err))}", file=sys.stderr)
        return 2
    except (MemoryError, RecursionError) as err:  # a bound swarmsim does not check yet: say which
        print(f"swarmsim: the input asks for more than this machine can hold ({type(err).__name__}); "
              "please report the file that caused it", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("swarmsim: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug in swarmsim, not bad input: say so in one line
        if os.environ.get("SWARMSIM_DEBUG"):
            raise
        print(f"swarmsim: internal error: {type(err).__name__}: {one_line(str(err))} (set SWARMSIM_DEBUG=1 for "
              "details)", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
