"""Where a command writes is refused before it runs: a replay's minutes on a real swarm, or a sweep of seeds,
must not end with "cannot write" and nothing kept."""
from __future__ import annotations

import pytest

from swarmsim import cli

SCENARIO = """version: 1
cluster: {managers: 1, workers: 0}
steps:
  - run: docker service create --name web --replicas 2 nginx
  - wait: converged
"""


@pytest.fixture
def where(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(SCENARIO)
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    return tmp_path


@pytest.mark.parametrize("argv, words", [
    (["run", "s.yaml", "--trace", "dir"], "dir: cannot write the trace: it is a directory"),
    (["run", "s.yaml", "--trace", "file/t.jsonl"], "file: cannot create the folder of the trace: a file is in the way"),
    (["run", "s.yaml", "--report", "file"], "file: cannot create the report folder: a file is in the way"),
    (["run", "s.yaml", "--seeds", "3", "--report", "file/r"], "file/r: cannot create the report folder"),
    (["replay", "s.yaml", "--local", "--trace", "dir"], "dir: cannot write the trace: it is a directory"),
    (["replay", "s.yaml", "--docker-host", "tcp://192.0.2.1:2375", "--trace", "file/x"],
     "file: cannot create the folder of the trace"),
])
def test_refused_before_anything_runs(where, capsys, argv, words):
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""  # not even the run's first line: nothing was simulated or replayed
    assert words in err and err.count("\n") == 1


def test_a_good_trace_path_is_made_and_written(where, capsys):
    assert cli.main(["run", "s.yaml", "--trace", "new/deeper/t.jsonl"]) == 0
    assert (where / "new/deeper/t.jsonl").read_text().startswith('{"kind":"header"')


def test_a_reader_that_goes_away_stops_the_printing_not_the_run(where):
    """`swarmsim run s.yaml --trace t.jsonl | head -1`: no broken-pipe error, and the trace is still written."""
    import subprocess
    import sys
    proc = subprocess.Popen([sys.executable, "-m", "swarmsim.cli", "run", "s.yaml", "--trace", "t.jsonl"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=where)
    proc.stdout.readline()
    proc.stdout.close()  # the reader is gone before the summary is printed
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (0, b"")
    assert (where / "t.jsonl").read_text().count("\n") > 10


def test_a_newline_in_the_scenario_name_does_not_split_the_header(where, capsys):
    (where / "n.yaml").write_text(SCENARIO.replace("version: 1\n", 'version: 1\nname: "a\\nb"\n'))
    assert cli.main(["run", "n.yaml"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "# a\\nb (seed 0, 1 nodes)"
