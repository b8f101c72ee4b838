"""Sweeps: the command as a user types it, errors on the user's lines, and a results store that survives
Ctrl-C, SIGKILL and failing runs, with the same rows on every executor."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from swarmsim.model.limits import Limits
from swarmsim.scenario import ScenarioError, load_scenario
from swarmsim.sweep import ResultsStore, build, expand, load_sweep, parse_factor, run_sweep
from swarmsim.sweep.runner import rows

ROOT = Path(__file__).parent.parent
BASE = ROOT / "experiments" / "update_parallelism.yaml"


def swarmsim(*args: str, cwd: Path = ROOT, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "swarmsim.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, **kwargs)


def test_the_documented_sweep_command_runs_and_writes_every_table(tmp_path):
    out = tmp_path / "r"
    done = swarmsim("sweep", "experiments/update_parallelism.yaml", "--factor", "parallelism=1,3",
                    "--factor", "delay=0,2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    csv, parquet = pd.read_csv(out / "results.csv"), pd.read_parquet(out / "results.parquet")
    assert sorted(zip(csv["parallelism"], csv["delay"])) == [(1, 0), (1, 2), (3, 0), (3, 2)]
    assert list(parquet["run"]) == list(csv["run"])
    assert (csv["update0.outcome"] == "completed").all() and csv["error"].isna().all()
    slow, fast = csv.set_index(["parallelism", "delay"]).loc[(1, 2)], csv.set_index(["parallelism", "delay"]).loc[(3, 0)]
    assert slow["update0.duration"] > fast["update0.duration"] + 12 * 2 - 1  # twelve slots, each then a 2 s delay
    assert {"seed", "swarmsim_version", "scenario_hash", "wall_time"} <= set(csv.columns)
    assert len((out / "runs.jsonl").read_text().splitlines()) == 4


@pytest.mark.parametrize("factors, expected", [
    (["parallelism=abc", "delay=0"], "update_parallelism.yaml:12: steps[1].run: invalid argument \"abc\""),
    (["parallelism=1"], "update_parallelism.yaml:12: placeholder {delay} has no factor"),
    (["parallelism=1", "delay=0", "services.web.deploy.replicas=many"],
     "update_parallelism.yaml:9: services.web.deploy.replicas: expected an integer"),
    (["parallelism=1", "delay=0", "paralelism=2"], "factor paralelism: the file has no {paralelism} placeholder"),
])
def test_a_bad_factor_is_reported_on_the_users_file_and_line(tmp_path, factors, expected):
    done = swarmsim("sweep", "experiments/update_parallelism.yaml", *[a for f in factors for a in ("--factor", f)],
                    "--out", str(tmp_path))
    assert done.returncode == 2
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "runs.jsonl").exists()  # nothing ran


def test_dotted_factor_sets_a_key_in_the_scenario():
    text = BASE.read_text().replace("{parallelism}", "1").replace("{delay}", "0")
    [run] = expand(text, "x", {"services.web.deploy.replicas": [3]})
    assert run.scenario.services[0].replicas == 3
    assert run.factors == {"services.web.deploy.replicas": 3} and run.seed == 0


def test_seeds_repeat_every_point_and_share_its_scenario_hash():
    runs = expand(BASE.read_text(), str(BASE), {"parallelism": [1, 4], "delay": [0]}, seeds=3)
    assert [(r.factors["parallelism"], r.seed) for r in runs] == [(p, s) for p in (1, 4) for s in range(3)]
    assert len({r.scenario_hash for r in runs}) == 2 and len({r.key for r in runs}) == 6


def test_parse_factor_reads_values_as_yaml_scalars():
    assert parse_factor("a.b=1,2,x") == ("a.b", [1, 2, "x"])


# -- the results store ----------------------------------------------------------------------------------------------

def heavy_sweep_args(out: Path) -> list[str]:
    """About 0.2 s per run, so that a kill lands in the middle."""
    return ["sweep", "experiments/update_parallelism.yaml", "--factor", "parallelism=1,2", "--factor", "delay=0",
            "--factor", "services.web.deploy.replicas=40", "--seeds", "12", "--workers", "2", "--out", str(out)]


def wait_for_rows(path: Path, n: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not (path.exists() and len(path.read_text().splitlines()) >= n):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


def check_resumed(out: Path, before: list[str]) -> None:
    """The rerun kept every row written before the kill, re-ran none of them and added the rest."""
    lines = (out / "runs.jsonl").read_text().splitlines()
    keys = [json.loads(line)["run"] for line in lines]
    assert lines[:len(before)] == before
    assert len(keys) == len(set(keys)) == 24
    csv = pd.read_csv(out / "results.csv")
    assert len(csv) == 24 and set(csv["run"]) == set(keys)
    assert len(pd.read_parquet(out / "results.parquet")) == 24


@pytest.mark.parametrize("kill", ["SIGINT", "SIGKILL"])
def test_a_sweep_killed_midway_resumes_without_rerunning_or_losing_a_run(tmp_path, kill):
    out = tmp_path / "r"
    proc = subprocess.Popen([sys.executable, "-m", "swarmsim.cli", *heavy_sweep_args(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_for_rows(out / "runs.jsonl", 6, proc)
        if kill == "SIGINT":
            proc.send_signal(signal.SIGINT)  # Ctrl-C reaches the parent; it stops its workers
        else:
            os.killpg(proc.pid, signal.SIGKILL)  # the whole process group, workers too, with no warning
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == (130 if kill == "SIGINT" else -signal.SIGKILL)
    if kill == "SIGINT":
        assert "interrupted" in err and "Traceback" not in err
    before = (out / "runs.jsonl").read_text().splitlines()
    assert 6 <= len(before) < 24, "the kill did not land midway"
    if (out / "results.csv").exists():  # the tables trail the record by at most one rewrite, never torn
        assert set(pd.read_csv(out / "results.csv")["run"]) <= {json.loads(line)["run"] for line in before}
    done = swarmsim(*heavy_sweep_args(out))
    assert done.returncode == 0, done.stderr
    check_resumed(out, before)


def broken_or_not(broken: bool):
    """A scenario built in Python whose budget of SimPy events is too small to deploy it when `broken`: the
    run raises in the simulator."""
    scenario = load_scenario(ROOT / "examples" / "placement.yaml")
    return replace(scenario, limits=Limits(events=10)) if broken else scenario


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    frame = run_sweep(build(broken_or_not, {"broken": [True, False]}, seeds=2), tmp_path, workers=2,
                      progress=False)
    assert list(frame["broken"]) == [True, True, False, False]
    errors = frame.set_index(["broken", "seed"])["error"]
    assert errors[(True, 0)].startswith("LimitExceeded: ") and pd.isna(errors[(False, 0)])
    assert frame.set_index("broken").loc[False, "end"].gt(0).all()
    again = run_sweep(build(broken_or_not, {"broken": [True, False]}, seeds=2), tmp_path, workers=2, progress=False)
    assert again.equals(frame)  # failed runs are finished runs: not re-run


def test_a_torn_last_line_is_dropped_and_another_scenario_is_refused(tmp_path):
    runs = expand(BASE.read_text(), str(BASE), {"parallelism": [2], "delay": [0, 1]})
    run_sweep(runs[:1], tmp_path, workers=1, progress=False)
    with open(tmp_path / "runs.jsonl", "a") as f:
        f.write('{"run": "half a ro')
    store = ResultsStore(tmp_path)
    assert list(store.rows) == [runs[0].key]
    assert (tmp_path / "runs.jsonl").read_text().endswith("}\n")
    other = expand(BASE.read_text().replace("replicas: 12", "replicas: 5"), str(BASE), {"parallelism": [2],
                                                                                          "delay": [0]})
    with pytest.raises(ValueError, match="of another scenario"):
        run_sweep(other, tmp_path, workers=1, progress=False)


def test_every_executor_gives_the_same_rows(tmp_path):
    runs = expand(BASE.read_text(), str(BASE), {"parallelism": [3, 6], "delay": [1]}, seeds=2)
    by_executor = {}
    for name, kwargs in {"in process": {"workers": 1}, "pool": {"workers": 2}, "dask": {"dask": "local:2"}}.items():
        by_executor[name] = run_sweep(runs, tmp_path / name.replace(" ", "_"), progress=False,
                                      **kwargs).drop(columns="wall_time")
    assert by_executor["in process"].equals(by_executor["pool"])
    assert by_executor["in process"].equals(by_executor["dask"])
    tables = {name: pd.read_csv(tmp_path / name.replace(" ", "_") / "results.csv").drop(columns="wall_time")
              for name in by_executor}
    assert tables["pool"].equals(tables["dask"])


def test_rows_arrive_as_runs_finish_and_cover_the_plan():
    runs = expand(BASE.read_text(), str(BASE), {"parallelism": [1, 12], "delay": [0]})
    assert sorted(r["run"] for r in rows(runs, workers=2, progress=False)) == sorted(r.key for r in runs)


# -- the sweep file ----------------------------------------------------------------------------------------------

def write_sweep(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(f"scenario: {BASE}\n" + body)
    return path


def test_a_sweep_file_runs_from_the_command_line_keeping_the_metrics_asked_for(tmp_path):
    path = write_sweep(tmp_path, f"factors:\n  parallelism: [2, 4]\n  delay: [0]\nseeds: [5, 6]\n"
                                 f"metrics: ['update0.duration', 'web.*']\nout: {tmp_path / 'r'}\n")
    done = swarmsim("sweep", str(path))
    assert done.returncode == 0, done.stderr
    csv = pd.read_csv(tmp_path / "r" / "results.csv")
    assert list(csv["seed"]) == [5, 6, 5, 6]
    assert {"update0.duration", "web.running"} <= set(csv.columns) and "update0.outcome" not in csv.columns


@pytest.mark.parametrize("body, expected", [
    ("factors: {parallelism: [1]}\nseed: 3\n", "sweep.yaml:3: seed: unknown key 'seed' (did you mean 'seeds'?"),
    ("factors: {parallelism: []}\n", "sweep.yaml:2: factors.parallelism: expected at least one value"),
    ("factors: {parallelism: [1], delay: [0]}\nseeds: 0\n", "sweep.yaml:3: seeds: expected an integer >= 1"),
])
def test_a_bad_sweep_file_is_reported_on_its_line(tmp_path, body, expected):
    with pytest.raises(ScenarioError) as err:
        load_sweep(write_sweep(tmp_path, body))
    assert expected in str(err.value)


def test_the_shipped_sweep_file_expands_to_every_run():
    plan = load_sweep(ROOT / "experiments" / "sweep.yaml")
    runs = expand(plan.scenario.read_text(), str(plan.scenario), plan.factors, plan.seeds)
    assert len(runs) == 6 * 3 * 3 and plan.out == "results/update_parallelism"
