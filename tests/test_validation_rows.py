"""The validation suite's rows: judged against the median of several real runs, not one sample."""
from validation.rows import categorical, merge_runs, timeline, timing


def test_a_timing_is_judged_against_the_median_of_the_runs():
    runs = [[timing("update took", 10.0, o)] for o in (10.5, 9.0, 14.0)]
    (row,) = merge_runs(runs)
    assert row["o"] == 10.5 and row["verdict"] == "ok"
    assert row["runs"] == "3: 9.00-14.00"
    # against the slowest run alone it would have been a miss
    assert timing("update took", 10.0, 14.0)["verdict"] == "MISS"


def test_a_timeline_takes_the_median_event_by_event_of_runs_with_as_many_events():
    p = [1.0, 2.0]
    runs = [[timeline("slots", p, [1.0, 2.4])], [timeline("slots", p, [1.2, 1.9])],
            [timeline("slots", p, [0.9, 2.1])], [timeline("slots", p, [1.0])]]
    (row,) = merge_runs(runs)
    assert row["o"] == [1.0, 2.1]
    assert row["verdict"] == "ok"
    assert row["runs"] == "3/4, spread 0.50"


def test_a_category_takes_the_most_frequent_observation():
    runs = [[categorical("outcome", "paused", o)] for o in ("paused", "completed", "paused")]
    (row,) = merge_runs(runs)
    assert row["observed"] == "paused" and row["verdict"] == "same" and row["runs"] == "2/3 alike"


def test_one_run_is_left_as_it_is():
    row = timing("update took", 10.0, 12.0)
    assert merge_runs([[row]]) == [{**row, "runs": "1"}]


def test_quantities_seen_in_only_some_runs_are_kept_in_order():
    runs = [[timing("a", 1.0, 1.0)], [timing("a", 1.0, 1.0), timing("b", 2.0, 3.0)]]
    assert [r["quantity"] for r in merge_runs(runs)] == ["a", "b"]


def test_a_miss_of_the_median_inside_the_runs_range_is_in_range_not_ok():
    (row,) = merge_runs([[timing("t", 1.3, o)] for o in (1.0, 1.1, 1.4)])
    assert row["verdict"] == "in range"
    (row,) = merge_runs([[timing("t", 1.5, o)] for o in (1.0, 1.1, 1.4)])
    assert row["verdict"] == "MISS"
    (row,) = merge_runs([[timeline("s", [0.7, 2.0], o)] for o in ([0.58, 2.0], [0.59, 2.1], [0.75, 1.9])])
    assert row["verdict"] == "in range"
