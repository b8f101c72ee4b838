"""Report figures: what they count as running, and that they are written."""
from __future__ import annotations

from pathlib import Path

from swarmsim import load_scenario, metrics, simulate
from swarmsim.analysis.plots import running_on_live_nodes, write_report

ROOT = Path(__file__).parent.parent


def test_a_task_on_a_node_marked_down_is_not_counted_as_running():
    trace = simulate(load_scenario(ROOT / "examples" / "node-failure.yaml"))
    [(node, down)] = metrics.node_downs(trace)
    series = running_on_live_nodes(trace, "web")
    assert max(c for _, c in metrics.running_over_time(trace, "web")) == 7  # what the store says
    assert max(c for _, c in series) == 6  # what runs: the crashed node's task is not running there
    at_down = [c for t, c in series if t == down]
    assert at_down and at_down[0] < 6 and series[-1][1] == 6


def test_the_report_is_written(tmp_path):
    trace = simulate(load_scenario(ROOT / "examples" / "node-failure.yaml"))
    assert [p.name for p in write_report(trace, tmp_path)] == ["running.png", "tasks.png"]
    assert all(p.stat().st_size > 10_000 for p in tmp_path.iterdir())


def test_a_trace_with_requests_gets_the_request_outcomes_figure(tmp_path):
    trace = simulate(load_scenario(ROOT / "examples" / "moby-29148.yaml"))
    assert [p.name for p in write_report(trace, tmp_path)] == ["running.png", "tasks.png", "requests.png"]
    assert (tmp_path / "requests.png").stat().st_size > 10_000
