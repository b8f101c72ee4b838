"""A report's figures are bounded by the figure, not by the trace: a long, wide or crowded trace is binned,
the largest services drawn and the rest summed, the first tasks shown, and nothing is printed on stderr."""
from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import StepPatch

from swarmsim import load_scenario, simulate
from swarmsim.analysis import plots
from swarmsim.trace import Trace

ROOT = Path(__file__).parent.parent


def _task(t, task, service, state="running", node="n1", slot=1, gen=1):
    return {"t": t, "kind": "task", "task": task, "gen": gen, "service": service, "slot": slot, "node": node,
            "state": state, "desired": "running", "image": "nginx", "msg": "", "err": ""}


def _request(t, port, err=""):
    return {"t": t, "kind": "request", "port": port, "ok": not err, "latency": 0.001, "err": err}


def _trace(events) -> Trace:
    return Trace({"scenario": "x"}, [dict(e, seq=i) for i, e in enumerate(sorted(events, key=lambda e: e["t"]))])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_a_long_sparse_request_trace_is_drawn_in_at_most_max_bins():
    # 10,000 s at a request a minute: one bar a second was 10,001 rectangles (2.5 million for a 700h wait)
    trace = _trace([_request(t, 80, "timeout: no reply" if t % 600 == 0 else "") for t in range(0, 10_000, 60)])
    ax = plots.request_outcomes(trace).axes[0]
    steps = [p for p in ax.patches if isinstance(p, StepPatch)]
    assert len(ax.patches) <= 10 and 1 <= len(steps) <= len(plots.OUTCOME_COLOURS)
    width = 5.0  # the shortest round width making at most 2,000 bins of 9,960 s
    for patch in steps:
        values, edges, baseline = patch.get_data()
        assert len(values) <= plots.MAX_BINS and edges[1] - edges[0] == width
    # the heights are the mean rate over each bin: the requests are all there
    ok, timeout = steps
    assert round(sum(ok.get_data().values - ok.get_data().baseline) * width) == 150
    assert round(sum(timeout.get_data().values - timeout.get_data().baseline) * width) == 17
    assert "5 s mean" in ax.get_ylabel()


def test_a_short_request_trace_keeps_one_bin_a_second():
    trace = _trace([_request(t / 4, 8080) for t in range(400)])
    [patch] = [p for p in plots.request_outcomes(trace).axes[0].patches if isinstance(p, StepPatch)]
    values, edges, _ = patch.get_data()
    assert list(edges[:3]) == [0, 1, 2] and list(values[:3]) == [4, 4, 4]
    assert plots.request_outcomes(trace).axes[0].get_ylabel() == "requests/s"


def test_many_clients_make_at_most_max_clients_panels_the_rest_summed():
    trace = _trace([_request(t, port) for port in range(1, 31) for t in range(port)])
    fig = plots.request_outcomes(trace)
    assert len(fig.axes) == plots.MAX_CLIENTS
    assert fig.axes[-1].get_title() == f"{30 - plots.MAX_CLIENTS + 1} other clients (summed)"
    kept = [int(ax.get_title().split()[1]) for ax in fig.axes[:-1]]
    assert kept == list(range(30 - plots.MAX_CLIENTS + 2, 31))  # those with the most requests


def test_many_services_draw_the_largest_and_sum_the_others():
    events = [_task(1.0 + s, f"s{s}.{i}", f"s{s}", slot=i) for s in range(300) for i in range(1 + s % 7)]
    ax = plots.running_replicas(_trace(events)).axes[0]
    lines = ax.get_lines()
    assert len(lines) == plots.MAX_SERIES + 1
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-1] == f"{300 - plots.MAX_SERIES} others (summed)"
    assert all(line.get_ydata().max() == 7 for line in lines[:-1])  # the largest peaks
    assert lines[-1].get_ydata().max() == sum(1 + s % 7 for s in range(300)) - 7 * plots.MAX_SERIES


def test_a_series_of_many_changes_is_thinned_keeping_its_lows_and_highs():
    events = [_task(i * 0.01, f"w.{i}", "w", slot=i) for i in range(30_000)]
    events += [_task(400.0 + i * 0.01, f"w.{i}", "w", state="shutdown", slot=i) for i in range(0, 30_000, 2)]
    [line] = plots.running_replicas(_trace(events)).axes[0].get_lines()
    assert len(line.get_xdata()) <= plots.MAX_POINTS + 1
    assert line.get_ydata().max() == 30_000 and line.get_ydata()[-1] == 15_000


def test_many_tasks_show_the_first_max_rows():
    events = [_task(1.0, f"w.{i}", "w", slot=i) for i in range(1, 1001)]
    ax = plots.task_gantt(_trace(events)).axes[0]
    assert len(ax.get_yticks()) == plots.MAX_ROWS and len(ax.patches) <= 3 * plots.MAX_ROWS
    assert ax.get_title().endswith(f"the first {plots.MAX_ROWS} of 1,000 tasks")


def test_many_node_downs_label_at_most_max_marks():
    events = [_task(0.0, "w.1", "w")]
    events += [{"t": 1.0 + i, "kind": "node", "node": f"n{i}", "status": "down"} for i in range(2, 600)]
    ax = plots.running_replicas(_trace(events)).axes[0]
    assert len(ax.texts) == plots.MAX_MARKS + 1 and ax.texts[-1].get_text() == f"+{598 - plots.MAX_MARKS} more"


def test_many_update_windows_are_merged_past_max_spans():
    events = [_task(0.0, "w.1", "w")]
    for i in range(500):
        events += [{"t": 10.0 * i, "kind": "service", "service": "w", "update_state": "updating"},
                   {"t": 10.0 * i + 9.999, "kind": "service", "service": "w", "update_state": "completed"}]
    ax = plots.running_replicas(_trace(events)).axes[0]
    assert len(ax.patches) <= plots.MAX_SPANS


def test_the_one_pass_series_is_what_the_per_service_count_was():
    def per_service(trace, service):  # the function as it was, one pass per service
        running, down, series = {}, set(), []
        for e in trace.events:
            if e["kind"] == "node":
                (down.add if e["status"] == "down" else down.discard)(e["node"])
            elif e["kind"] in ("task", "deleted") and e["service"] == service:
                if e["kind"] == "task" and e["state"] == "running":
                    running[(e["task"], e["gen"])] = e["node"]
                else:
                    running.pop((e["task"], e["gen"]), None)
            else:
                continue
            count = sum(node not in down for node in running.values())
            if series and series[-1][0] == e["t"]:
                series[-1] = (e["t"], count)
            elif (series and series[-1][1] != count) or (not series and e["kind"] == "task"):
                series.append((e["t"], count))
        return series

    for name in ("node-failure", "partition", "walkthrough", "quorum-loss", "swarm-init"):
        trace = simulate(load_scenario(ROOT / "examples" / f"{name}.yaml"))
        services = {e["service"] for e in trace.tasks()}
        assert plots._live_series(trace) == {s: per_service(trace, s) for s in services if per_service(trace, s)}


def test_a_report_prints_no_warnings(tmp_path, capfd):
    # nothing to label (a legend of no lines), and 300 services (a legend taller than the figure: tight_layout)
    wide = _trace([_task(1.0 + s, f"s{s}.1", f"s{s}") for s in range(300)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plots.write_comparison(_trace([]), _trace([]), tmp_path)
        plots.write_comparison(wide, wide, tmp_path)
        plots.write_report(wide, tmp_path)
    assert capfd.readouterr().err == ""
