"""The validation suite: every scenario simulated, replayed on a local real swarm, and compared.

    python -m validation.suite                      # all of SUITE (root: a local swarm per scenario)
    python -m validation.suite p1_spread k_health   # some of them
    python -m validation.suite --runs 5 d_rolling_stop_first   # five real runs, judged against their median
    python -m validation.suite --no-replay          # re-compare the observed traces already recorded

Per scenario, results/validation/NAME/ gets predicted.jsonl, observed.jsonl (observed.rK.jsonl for run K),
replay.log, rows.json and predicted_over_observed.png (running tasks per service, predicted dashed over the
first observed run). A quantity that disagrees is simulated again under SEEDS other seeds: Docker breaks
ties, times heartbeats and elections at random, so an observed outcome may be one the model gives under
another draw. The table of all rows and the
`swarmsim calibrate` fit over every observed trace replace the generated section of docs/validation.md
(between BEGIN and END).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from dataclasses import fields, replace
from datetime import date
from pathlib import Path
from statistics import median

from swarmsim.backend import SimBackend, run_scenario
from swarmsim.analysis.calibrate import fit
from swarmsim.model.scenario import Scenario, Timing
from swarmsim.scenario import load_scenario
from swarmsim.trace import Trace, read_trace

from .rows import AGREE, compare_traces, merge_runs

SUITE = ("p1_spread", "p2_preexisting_load", "p3_drain", "p4_scale", "p5_global_join", "p6_spread_pref",
         "p7_resources_pending", "p8_max_per_node", "p9_pending_after_noop_update", "d_rolling_stop_first", "e_rolling_start_first",
         "f_failing_update", "k_health_update", "n_overlay_update", "o_global_update", "r_constraint_move",
         "s_host_ports", "u_failure_ratio", "x_scale_many", "y_sigterm_ignored", "z_pause_all_at_once", "h_node_failure", "t_partition",
         "i_restart_on_failure", "q_unhealthy_restart", "m_manager_quorum", "v_leader_crash_update", "s2_stack_redeploy", "g_generic_resources", "j_jobs",
         "tr1_stop_first_traffic", "tr2_start_first_health_traffic", "tr3_node_crash_traffic")
ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "validation" / "scenarios"
OUT = ROOT / "results" / "validation"
DOC = ROOT / "docs" / "validation.md"
OBSERVED = ROOT / "validation" / "observed"  # the last observed runs of each scenario, kept in git
BEGIN, END = "<!-- suite:begin -->", "<!-- suite:end -->"
REPLAY_TIMEOUT = 900
SEEDS = 20


# -- the two sides ---------------------------------------------------------------------------------------------

def recorded_ages(observed: list[Trace]) -> dict[str, float]:
    """Each node's `swarm_age` as the real runs recorded it (their header, since the tr scenarios): the
    median over the runs, so that a prediction of a fresh swarm starts each node's ingress setup window as
    the runs did, not all at the scenario's one `timing.swarm_age`."""
    ages: dict[str, list[float]] = {}
    for trace in observed:
        for node, age in (trace.header.get("swarm_age") or {}).items():
            ages.setdefault(node, []).append(age)
    return {node: median(values) for node, values in ages.items()}


def as_replayed(scenario: Scenario, observed: list[Trace]) -> Scenario:
    """The scenario with each joined node's age recorded by the real runs (the others as they were)."""
    ages = recorded_ages(observed)
    nodes = tuple(replace(n, swarm_age=ages[n.name]) if n.joined and n.name in ages else n for n in scenario.nodes)
    return replace(scenario, nodes=nodes) if ages else scenario


def simulate(name: str, out: Path | None = None, seed: int | None = None, observed: list[Trace] = ()) -> Trace:
    """The prediction of a suite scenario; given the real runs it is compared with, with their nodes' ages."""
    scenario = as_replayed(load_scenario(SCENARIOS / f"{name}.yaml"), list(observed))
    trace = run_scenario(scenario if seed is None else replace(scenario, seed=seed), SimBackend())
    if out is not None:
        trace.write(out / "predicted.jsonl")
    return trace


def run_name(k: int) -> str:
    return "observed.jsonl" if k == 1 else f"observed.r{k}.jsonl"


def kept_name(name: str, k: int) -> str:
    return f"{name}.jsonl" if k == 1 else f"{name}.r{k}.jsonl"


def _runs_in(folder: Path, pattern: str) -> list[Path]:
    def number(path: Path) -> int:
        tail = path.name.split(".")[-2]
        return int(tail[1:]) if tail.startswith("r") and tail[1:].isdigit() else 1
    return sorted(folder.glob(pattern), key=number)


def replay(name: str, out: Path, runs: int = 1) -> list[Trace]:
    """`swarmsim replay` `runs` times, each in its own process (it builds the local swarm and always tears
    it down). The runs replace the earlier ones of this scenario, here and in validation/observed/."""
    for old in _runs_in(out, "observed*.jsonl") + _runs_in(OBSERVED, f"{name}.jsonl") + \
            _runs_in(OBSERVED, f"{name}.r*.jsonl"):
        old.unlink()
    traces = []
    with open(out / "replay.log", "w") as log:
        for k in range(1, runs + 1):
            path = out / run_name(k)
            cmd = [sys.executable, "-m", "swarmsim.cli", "replay", str(SCENARIOS / f"{name}.yaml"), "--trace",
                   str(path)]
            log.write(f"# run {k}: {' '.join(cmd)}\n")
            log.flush()
            try:
                subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, timeout=REPLAY_TIMEOUT, check=False)
            except subprocess.TimeoutExpired:  # the replay was killed, and with it its hold on the swarm
                from . import localswarm
                with localswarm.exclusive():
                    localswarm.down()
            if path.exists():
                OBSERVED.mkdir(exist_ok=True)
                shutil.copyfile(path, OBSERVED / kept_name(name, k))
                traces.append(read_trace(path))
    return traces


def kept_runs(name: str) -> list[Trace]:
    """The observed runs kept in git (validation/observed/NAME.jsonl, NAME.r2.jsonl, ...)."""
    return [read_trace(path) for path in _runs_in(OBSERVED, f"{name}.jsonl") + _runs_in(OBSERVED, f"{name}.r*.jsonl")]


def last_observed(name: str, out: Path) -> list[Trace]:
    """The observed runs of an earlier replay: this machine's results/, else the ones kept in git."""
    here = _runs_in(out, "observed*.jsonl")
    return [read_trace(path) for path in here] if here else kept_runs(name)


def judge(name: str, p: Trace, observed: list[Trace], seeds: int = SEEDS) -> list[dict]:
    """The merged rows of every observed run. A row that disagrees is judged again under other seeds: where
    Docker itself draws (tie-breaks, heartbeat phases, election timeouts), the observed outcome may be one
    the model gives under another draw, and `possible (k/N seeds)` says how often."""
    rows = merge_runs([compare_traces(p, o) for o in observed])
    differ = {r["quantity"]: r for r in rows if r["verdict"] not in AGREE}
    found = dict.fromkeys(differ, 0)
    own = load_scenario(SCENARIOS / f"{name}.yaml").seed
    others = [seed for seed in range(1, seeds + 2) if seed != own][:seeds]
    for seed in others if differ else ():
        alternative = simulate(name, seed=seed, observed=observed)
        for r in merge_runs([compare_traces(alternative, o) for o in observed]):
            if r["quantity"] in found and r["verdict"] in AGREE:
                found[r["quantity"]] += 1
    for quantity, k in found.items():
        if k:
            differ[quantity]["verdict"] = f"possible ({k}/{len(others)} seeds)"
    return rows


# -- output -------------------------------------------------------------------------------------------------------

def plot(p: Trace, o: Trace, out: Path) -> None:
    """Running tasks over time, predicted dashed over observed (swarmsim compare --report)."""
    from swarmsim.analysis.plots import write_comparison
    write_comparison(p, o, out)


def calibration(observed: list[Trace]) -> list[str]:
    fitted, counts = fit(observed)
    base = Timing()
    lines = ["| constant | fitted (fastest tenth) | default |", "|---|---|---|"]
    lines += [f"| `{f.name}` | {getattr(fitted, f.name)} | {getattr(base, f.name)} |" for f in fields(Timing)
              if getattr(fitted, f.name) != getattr(base, f.name) or f.name in ("accept", "container_create",
                                                                                 "container_start", "stop_exit")]
    return lines + ["", "Observations: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + "."]


def section(results: dict[str, list[dict] | str], observed: list[Trace]) -> str:
    docker = next((t.header.get("docker") for t in observed if t.header.get("docker")), "?")
    lines = [BEGIN, "## Suite results (generated)", "",
             f"`make validate` (`python -m validation.suite`), {date.today()}: each scenario of "
             "`validation/scenarios/` simulated with the seed in its file and replayed on a local swarm of as many "
             f"nodes (docker {docker}, all nodes sharing this host's CPUs); traces and plots in "
             "`results/validation/NAME/`. Placement is running tasks per node (`equal`, `up to ties`: the same "
             "counts on other equal nodes, or `DIFFERENT`); a timing is `ok` within 10 % of the observed value "
             "(timelines: the worst event decides). `runs` is the number of real runs: with several, a timing is "
             "judged against their median and the column gives their range (timelines: the widest spread of one "
             "event), a category against the most frequent observation; `in range`: off the median by more than "
             "10 % but inside the range of the runs. A row that disagrees is simulated again under 20 other seeds: "
             "`possible (k/20 seeds)` says how many of them agree, where Docker draws at random too (tie-breaks, "
             "heartbeat phases, election timeouts).", "",
             "| scenario | quantity | predicted | observed | error | verdict | runs |",
             "|---|---|---|---|---|---|---|"]
    for name, rows in results.items():
        if isinstance(rows, str):
            lines.append(f"| {name} | replay | - | {rows} | - | NOT RUN | 0 |")
        for r in rows if isinstance(rows, list) else []:
            cells = [name] + [str(r.get(k, "1")).replace("|", "\\|")
                              for k in ("quantity", "predicted", "observed", "error", "verdict", "runs")]
            lines.append("| " + " | ".join(cells) + " |")
    if observed:
        lines += ["", "### `swarmsim calibrate` over the observed traces", ""] + calibration(observed)
    return "\n".join(lines + [END])


def write_doc(text: str, doc: Path = DOC) -> None:
    old = doc.read_text()
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        new = head + text + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    doc.write_text(new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m validation.suite", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="SCENARIO", help=f"default: all of {', '.join(SUITE)}")
    parser.add_argument("--no-replay", action="store_true",
                        help="use the observed traces already recorded (results/, else validation/observed/)")
    parser.add_argument("--runs", type=int, default=1, metavar="N", help="real runs per scenario (default 1)")
    parser.add_argument("--seeds", type=int, default=SEEDS, metavar="N",
                        help=f"other seeds to judge a disagreeing quantity under (default {SEEDS})")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/validation.md")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if not (SCENARIOS / f"{n}.yaml").exists()]
    if unknown:
        parser.error(f"no such scenario: {', '.join(unknown)}")
    chosen = set(args.names or SUITE)
    results: dict[str, list[dict] | str] = {}
    for name in [n for n in SUITE if n in chosen] + sorted(chosen - set(SUITE)):
        out = OUT / name
        out.mkdir(parents=True, exist_ok=True)
        print(f"# {name}: simulating{'' if args.no_replay else ', replaying'}", flush=True)
        observed = last_observed(name, out) if args.no_replay else replay(name, out, args.runs)
        p = simulate(name, out, observed=observed)
        if not observed:
            results[name] = f"no observed trace (see results/validation/{name}/replay.log)"
            continue
        results[name] = rows = judge(name, p, observed, args.seeds)
        (out / "rows.json").write_text(json.dumps(rows, indent=1))
        plot(p, observed[0], out)
        for r in rows:
            print(f"  {r['quantity']:<72} {r['predicted']:>24} {r['observed']:>24} {r['error']:>18}  {r['verdict']}"
                  f"  [{r['runs']}]")
        if not args.no_doc:  # after every scenario: partial results are kept
            write_doc(section(*with_earlier(results)))
    if not args.no_doc:
        print(f"Results written to {DOC.relative_to(ROOT)}")
    return 0


def with_earlier(results: dict[str, list[dict] | str]) -> tuple[dict[str, list[dict] | str], list[Trace]]:
    """These results, plus those of the suite's other scenarios from their last observed traces."""
    out, observed = {}, []
    for name in [*SUITE, *sorted(set(results) - set(SUITE))]:
        observed += last_observed(name, OUT / name)
        if name in results:
            out[name] = results[name]
        elif (OUT / name / "rows.json").exists():
            out[name] = json.loads((OUT / name / "rows.json").read_text())
    return out, observed


if __name__ == "__main__":
    sys.exit(main())
