"""Requests per window (analysis/metrics.request_windows, compare): before, during and after an update or a
fault, from the validation scenarios' simulated traces."""
from pathlib import Path

from swarmsim.analysis import metrics
from swarmsim.analysis.compare import compare, format_comparison
from swarmsim.backend import SimBackend, run_scenario
from swarmsim.scenario import load_scenario

SCENARIOS = Path(__file__).parent.parent / "validation" / "scenarios"


def _windows(name):
    trace = run_scenario(load_scenario(SCENARIOS / f"{name}.yaml"), SimBackend())
    return trace, {(r["window"].split()[0], r["client"]): r for r in metrics.request_windows(trace)}


def test_a_stop_first_update_of_one_replica_loses_requests_only_while_it_runs():
    trace, rows = _windows("tr1_stop_first_traffic")
    assert set(rows) == {(w, c) for w in ("before", "during", "after") for c in (8080, "web:80")}
    for client in (8080, "web:80"):
        assert rows["before", client]["success_rate"] == rows["after", client]["success_rate"] == 1.0
        assert 0 < rows["during", client]["failed"] < rows["during", client]["count"]
    update = metrics.updates(trace)[0]
    assert rows["during", 8080]["start"] == update.started and rows["during", 8080]["end"] == update.ended
    assert abs(rows["during", "web:80"]["p50"] - 0.0004) < 1e-9   # bridge + VXLAN: hop_bridge + hop_overlay
    assert sum(r["count"] for r in rows.values()) == sum(1 for _ in trace.of_kind("request"))


def test_a_crash_window_runs_from_the_fault_until_the_node_is_marked_down():
    trace, rows = _windows("tr3_node_crash_traffic")
    fault = next(e["t"] for e in trace.steps() if e["step"].startswith("fail:"))
    assert rows["during", "web:80"]["start"] == fault
    assert rows["during", "web:80"]["end"] == metrics.node_downs(trace)[0][1]
    assert rows["before", "web:80"]["success_rate"] == rows["after", "web:80"]["success_rate"] == 1.0
    assert rows["during", "web:80"]["failed"] > 0   # the dead node's task was still in DNS (gossip_dead)


def test_compare_sets_the_windows_side_by_side():
    trace, _ = _windows("tr2_start_first_health_traffic")
    text = format_comparison(compare(trace, trace))
    assert "during update web" in text and "web:80" in text
    assert all(r["success_rate"]["abs"] == 0 for r in compare(trace, trace)["requests"])
