"""Outcome distributions over seeds: Wilson intervals, and a scenario whose end state really varies."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from swarmsim import load_scenario
from swarmsim.sweep.outcomes import outcomes, wilson
from swarmsim.sweep.plots import write_outcome_plots

ROOT = Path(__file__).parent.parent
CRASH = ROOT / "examples" / "crash-under-update.yaml"


def test_wilson_interval_matches_the_textbook_values():
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)


@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_holds_the_observed_proportion_and_stays_in_0_1(kn):
    k, n = kn
    low, high = wilson(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    low4, high4 = wilson(4 * k, 4 * n)
    assert high4 - low4 <= high - low + 1e-12  # the same share over four times the runs: never a wider interval


@pytest.fixture(scope="module")
def crash():
    return outcomes(load_scenario(CRASH), seeds=40, workers=2, progress=False)


def test_a_crash_under_a_rolling_update_sometimes_completes_and_sometimes_pauses(crash):
    states = crash.end_states().set_index("state")
    assert states.loc["completed", "runs"] > 0 and states.loc["paused", "runs"] > 0
    assert states.loc["completed", "runs"] + states.loc["paused", "runs"] == 40 == states["of"].iloc[0]
    assert (states["low"] <= states["p"]).all() and (states["p"] <= states["high"]).all()
    assert states.loc["rolled back", "high"] < 0.1  # 0 of 40, and the interval says how sure that is
    # paused runs stop at the failure; completed ones go on through every slot: two modes of duration
    durations = crash.runs.groupby("update0.outcome")["update0.duration"].median()
    assert durations["paused"] < durations["completed"]


def test_distributions_give_median_interval_and_extremes(crash):
    row = crash.distributions().set_index("metric").loc["update0.duration"]
    assert row["min"] <= row["p5"] <= row["median"] <= row["p95"] <= row["max"] and row["runs"] == 40


def test_outcome_plots_are_written(crash, tmp_path):
    names = {p.name for p in write_outcome_plots(crash, tmp_path)}
    assert {"end_states.png", "update0.duration.png"} <= names


def test_run_with_seeds_prints_probabilities_with_intervals():
    done = subprocess.run([sys.executable, "-m", "swarmsim.cli", "run", str(CRASH), "--seeds", "30"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    shares = {m.group(1): float(m.group(2)) for m in
              re.finditer(r"^  (completed|paused|rolled back|never finished)\s+([\d.]+) %  \[", done.stdout, re.M)}
    assert set(shares) == {"completed", "paused", "rolled back", "never finished"}
    assert shares["completed"] > 0 and shares["paused"] > 0 and sum(shares.values()) == pytest.approx(100, abs=0.2)
    assert "update0.duration" in done.stdout


def test_run_with_seeds_refuses_a_single_seed_flag():
    done = subprocess.run([sys.executable, "-m", "swarmsim.cli", "run", str(CRASH), "--seeds", "3", "--seed", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "takes neither --seed nor --trace" in done.stderr
