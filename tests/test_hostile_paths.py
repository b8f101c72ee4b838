"""Hostile inputs the corpus of tests/hostile/cases.py cannot lay out (symlinks, a sparse file), and the Python
API's entry checks: one clear answer each, naming the file (and line) or the parameter."""
from __future__ import annotations

import os

import pytest

from hostile.cases import BASE
from hostile.runner import Case, problems, run
from swarmsim import loads_scenario

SWEEP = ["sweep", "s.yaml", "--factor", "seed=0,1", "--workers", "1", "--out", "out"]


def _loop(where, name="loop"):
    os.symlink("l2", where / name)
    os.symlink(name, where / "l2")


def _sparse(path, size):
    with open(path, "wb") as f:
        f.truncate(size)


@pytest.mark.parametrize("setup, words", [
    (lambda out: os.symlink("/dev/zero", out / "runs.jsonl"), "out/runs.jsonl: cannot read the sweep record: a device"),
    (lambda out: _sparse(out / "runs.jsonl", 3 << 30),
     "out/runs.jsonl:1: the sweep record has a line of over"),
    (lambda out: _loop(out, "runs.jsonl"), "out/runs.jsonl: cannot read the sweep record: Too many levels"),
    (lambda out: _loop(out, "results.csv.tmp"), "out/results.csv.tmp: cannot write the results table"),
], ids=["dev-zero", "sparse-3g", "loop", "tmp-loop"])
def test_a_sweep_record_that_would_exhaust_memory_or_loop(tmp_path, setup, words):
    """/dev/zero and a sparse file of 3 GB (of zeros, no newline) were read whole (a MemoryError); now bounded as
    every user file is."""
    (tmp_path / "out").mkdir()
    setup(tmp_path / "out")
    case = Case("sweep-record", "sweep", SWEEP, {"s.yaml": BASE}, names=words)
    outcome = run(case, tmp_path)
    assert not problems(case, outcome), outcome.stderr
