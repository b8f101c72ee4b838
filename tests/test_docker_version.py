"""`docker version` against docker 20.10.24 (fixtures/cli_output/version.json, captured on a one-node local swarm).

The versions are the build the local swarm runs; what is tested is the layout (Go's tabwriter as
prettyPrintVersion sets it), the document `-f` runs over, field order in `{{json .}}`, and the errors.
"""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, strategies as st

import one_node
from swarmsim.dockercli.version import tabwriter

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "version.json"


def test_the_simulator_prints_what_docker_printed():
    real = json.loads(FIXTURE.read_text())
    simulated = one_node.simulated([r["line"] for r in real])
    for r, ours in zip(real, simulated, strict=True):
        assert ours.rstrip("\n") == (r["stdout"] + r["stderr"]).rstrip("\n"), r["line"]  # a step's output ends bare


def test_a_node_whose_dockerd_is_down_prints_the_client_and_the_daemons_error():
    from swarmsim import SimBackend, loads_scenario, run_scenario
    trace = run_scenario(loads_scenario("version: 1\ncluster: {managers: 1, workers: 1}\nsteps:\n"
                                        "  - fail: {node: node2, kind: crash}\n"
                                        "  - {run: docker version, on: node2}\n"), SimBackend())
    [step] = [s for s in trace.steps() if s["step"].startswith("run:")]
    assert not step["ok"] and "Client:\n" in step["output"] and "Server:" not in step["output"]
    assert step["output"].endswith("Is the docker daemon running?")


cells = st.text(alphabet="ab", min_size=1, max_size=6)  # no spaces: a cell's end is where the padding starts


@given(st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=6), st.integers(0, 8),
       st.integers(0, 3))
def test_tabwriter_aligns_each_column_block_on_its_widest_cell(rows, minwidth, padding):
    """Go's rule: in a block of consecutive lines that all have a cell in a column (a tab after it), that
    column is as wide on each line: its widest cell plus the padding, at least minwidth."""
    out = tabwriter("\n".join("\t".join(row) for row in rows), minwidth, padding).split("\n")
    widths = []
    for row, line in zip(rows, out, strict=True):
        pos, mine = 0, []
        for cell in row[:-1]:
            assert line[pos:pos + len(cell)] == cell
            end = pos + len(cell)
            start = len(line) - len(line[end:].lstrip(" "))
            mine.append(start - pos)
            pos = start
        assert line[pos:] == row[-1]
        widths.append(mine)
    for column in range(max(len(r) for r in rows)):
        i = 0
        while i < len(rows):
            j = i
            while j < len(rows) and column < len(rows[j]) - 1:
                j += 1
            if j > i:
                expected = max(minwidth, *(len(rows[k][column]) + padding for k in range(i, j)))
                assert {widths[k][column] for k in range(i, j)} == {expected}
            i = max(j, i + 1)
