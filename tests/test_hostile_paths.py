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


@pytest.mark.parametrize("kind", ["secrets", "configs"])
def test_a_stack_secret_or_config_file_that_is_a_symlink_loop(tmp_path, kind):
    """Was `internal error: RuntimeError: Symlink loop` (Path.resolve of Python 3.11)."""
    stack = f"version: '3.8'\nservices:\n  web:\n    image: nginx\n    {kind}: [s]\n{kind}:\n  s: {{file: loop}}\n"
    scenario = "version: 1\ncluster: {managers: 1}\nsteps:\n  - run: docker stack deploy -c st.yml app\n"
    _loop(tmp_path)
    case = Case(f"stack-{kind}-loop", "file", ["run", "s.yaml"], {"s.yaml": scenario, "st.yml": stack},
                names=f"st.yml:7: {kind}.s: ")
    outcome = run(case, tmp_path)
    assert not problems(case, outcome), outcome.stderr
    assert "symbolic links" in outcome.stderr


def test_a_stack_env_file_that_is_a_symlink_loop(tmp_path):
    stack = "version: '3.8'\nservices:\n  web:\n    image: nginx\n    env_file: loop\n"
    scenario = "version: 1\ncluster: {managers: 1}\nsteps:\n  - run: docker stack deploy -c st.yml app\n"
    _loop(tmp_path)
    case = Case("stack-env-file-loop", "file", ["run", "s.yaml"], {"s.yaml": scenario, "st.yml": stack},
                names="st.yml:5: services.web.env_file: ")
    outcome = run(case, tmp_path)
    assert not problems(case, outcome), outcome.stderr


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


@pytest.mark.parametrize("args, words", [
    ((b"version: 1\ncluster: {managers: 1}\n", "x.yaml"), "text: expected a str .* got bytes .*decode"),
    ((None, "x.yaml"), "text: expected a str .* got NoneType"),
    ((5, "x.yaml"), "text: expected a str .* got int"),
    (("version: 1\ncluster: {managers: 1}\n", None), "source: expected a str .* got NoneType"),
    (("version: 1\ncluster: {managers: 1}\n", "x.yaml", 5), "overrides: expected a dict .* got int"),
])
def test_loads_scenario_says_which_parameter_has_the_wrong_type(args, words):
    """Were AttributeError ('NoneType' object has no attribute 'removeprefix') and os.fspath's TypeError."""
    with pytest.raises(TypeError, match="loads_scenario: " + words):
        loads_scenario(*args)


@pytest.mark.parametrize("value, words", [
    ("0x" + "f" * 5000, "expected an integer between 0 and 18446744073709551615, got an integer of 6,021 digits"),
    ("-0x" + "f" * 5000, "cannot parse 'Deploy.Replicas', a negative integer of 6,021 digits overflows uint"),
])
def test_an_integer_past_pythons_digits_is_said_at_its_line(tmp_path, value, words):
    """YAML reads `0x` and 5,000 `f`s as an int; its message was Python's 'Exceeds the limit (4300 digits)'."""
    text = BASE.replace("deploy: {replicas: 2}", f"deploy: {{replicas: {value}}}")
    case = Case("replicas-hex", "size", ["run", "s.yaml"], {"s.yaml": text},
                names=f"s.yaml:6: services.web.deploy.replicas: {words}")
    outcome = run(case, tmp_path)
    assert not problems(case, outcome), outcome.stderr


def test_a_seed_past_what_python_can_write_out_is_refused_at_its_line():
    from swarmsim import loads_scenario
    from swarmsim.scenario import ScenarioError
    with pytest.raises(ScenarioError, match=r"s.yaml:2: seed: expected an integer of at most 4,299 digits, got one "
                                            r"of 6,021"):
        loads_scenario(f"version: 1\nseed: 0x{'f' * 5000}\ncluster: {{managers: 1}}\nsteps:\n  - wait: 1s\n", "s.yaml")
