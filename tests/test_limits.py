"""limits.time and limits.events: a run is bounded in simulated time (on load) and in SimPy events (while running)."""
from __future__ import annotations

from dataclasses import replace

import pytest
import simpy
from hypothesis import given, settings, strategies as st

from swarmsim.backend import SimBackend, run_scenario
from swarmsim.model.limits import LimitExceeded, Limits
from swarmsim.scenario import ScenarioError, loads_scenario
from swarmsim.model.scenario import At, WaitFor
from swarmsim.sim.env import SimEnv

CRASH_LOOP = """version: 1
cluster: {managers: 1, workers: 2}
images: {bad: {exit_after: 1ms, exit_code: 1}}
steps:
  - run: docker service create -d --name f --restart-delay 0s bad
  - wait: 10m
"""


def _log(env, delays: list[float], log: list):
    for i, d in enumerate(delays):
        env.timeout(d).callbacks.append(lambda _e, i=i: log.append((env.now, i)))


@settings(max_examples=60, deadline=None)
@given(delays=st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.0]), max_size=30),
       stops=st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 2.5, 4.0]), min_size=1, max_size=6))
def test_the_counted_loop_stops_where_simpys_own_run_stops(delays, stops):
    """SimEnv.run(t) processes exactly the events SimPy's env.run(until=t) would, in the same order: a stop at
    t comes before the timeouts due at t, as SimPy schedules its own stop."""
    ours, theirs = SimEnv(), simpy.Environment()
    log_ours, log_theirs = [], []
    _log(ours.env, delays, log_ours)
    _log(theirs, delays, log_theirs)
    for t in sorted(stops):
        ours.run(t)
        if t > theirs.now:
            theirs.run(until=t)
        assert log_ours == log_theirs and ours.now == theirs.now


def test_a_crash_loop_ends_at_the_event_limit_naming_its_step():
    scenario = replace(loads_scenario(CRASH_LOOP, "loop.yaml"), limits=Limits(events=20_000))
    with pytest.raises(LimitExceeded) as info:
        run_scenario(scenario, SimBackend())
    assert str(info.value).startswith("loop.yaml:6: steps[1]: the run reached its limit of 20,000 SimPy events at t=")


def test_a_run_within_the_limit_is_the_same_run():
    scenario = loads_scenario(CRASH_LOOP.replace("10m", "30s"), "loop.yaml")
    traces = [run_scenario(replace(scenario, limits=Limits(events=n)), SimBackend()).events for n in (10**5, 10**7)]
    assert traces[0] == traces[1]


def test_the_steps_time_is_counted_on_load_against_limits_time():
    with pytest.raises(ScenarioError) as info:
        loads_scenario(CRASH_LOOP.replace("  - wait: 10m\n", "  - at: 1h\n  - wait: 25m\n  - wait: 10m\n")
                       .replace("steps:", "limits: {time: 90m}\nsteps:"), "long.yaml")
    assert str(info.value).startswith("long.yaml:9: steps[3]: the steps reach t=5,700s of simulated time, over the "
                                      "limit of 5,400s")


def test_a_local_swarm_past_its_addresses_is_refused_before_anything_is_touched():
    """`cluster up 100000` and `replay --local 100000` used to remove the machine's local swarm and start
    building nodes; the size is now checked first (pure: no namespace is created by this test)."""
    from validation.localswarm import MAX_NODES, check_size
    check_size(MAX_NODES)
    for n in (0, MAX_NODES + 1, 100_000):
        with pytest.raises(ValueError, match=f"a local swarm of {n} nodes: expected 1 to {MAX_NODES}"):
            check_size(n)


@pytest.mark.parametrize("text, message", [
    ("{not json", r"x.json:1: not a replay record \(Expecting property name"),
    ("[1, 2]", r"x.json: not a replay record \(expected a JSON object with run, url"),
    ("{}", r"x.json: not a replay record \(expected a JSON object with run, url, stacks, nodes"),
    ("[" * 100_000 + "]" * 100_000, r"x.json: not a replay record \(nested too deeply\)"),
])
def test_replay_cleanup_refuses_a_file_that_is_not_a_replay_record(tmp_path, text, message):
    from validation.ledger import Ledger
    (tmp_path / "x.json").write_text(text)
    with pytest.raises(ValueError, match=message):
        Ledger.load(tmp_path / "x.json")


@pytest.mark.parametrize("change, error", [
    ({"steps": (WaitFor(seconds=float("inf")),)}, "steps[0]: WaitFor.seconds is inf (expected seconds: a finite"),
    ({"steps": (WaitFor(seconds=float("nan")),)}, "steps[0]: WaitFor.seconds is nan"),
    ({"steps": (At(time=-5.0),)}, "steps[0]: At.time is -5.0"),
    ({"steps": (WaitFor(seconds="5s"),)}, "steps[0]: WaitFor.seconds is '5s'"),
    ({"steps": ("wait: 5s",)}, "steps[0]: 'wait: 5s' is not a step"),
    ({"steps": (WaitFor(seconds=1e308),)}, "steps[0]: the steps reach t=1e+308s of simulated time"),
    ({"seed": "abc"}, "the scenario's seed is 'abc' (expected an integer)"),
])
def test_a_scenario_changed_in_python_is_checked_before_it_runs(change, error):
    """dataclasses.replace skips the file's checks; run_scenario refuses what the loader would have (before:
    an infinite wait ran to t=inf, a NaN one corrupted SimPy's queue, a string step was skipped silently)."""
    scenario = replace(loads_scenario("version: 1\ncluster: {managers: 1}\n", "api.yaml"), **change)
    with pytest.raises((TypeError, ValueError)) as info:
        run_scenario(scenario, SimBackend())
    assert error in str(info.value)


@pytest.mark.parametrize("scenario, backend", [("x.yaml", SimBackend()), (None, SimBackend()), ("scenario", None)])
def test_run_scenario_names_a_wrong_argument(scenario, backend):
    real = loads_scenario("version: 1\ncluster: {managers: 1}\n")
    with pytest.raises(TypeError, match="run_scenario: expected a"):
        run_scenario(real if scenario == "scenario" else scenario, backend)
