"""`swarmsim calibrate` recovers the latency constants a trace was made with."""
from dataclasses import replace

import pytest

from swarmsim.backend import SimBackend, run_scenario
from swarmsim.analysis.calibrate import fit, timing_block
from swarmsim.model.scenario import Timing
from swarmsim.scenario import loads_scenario

SCENARIO = """
version: 1
name: calibrate
cluster: {managers: 1, workers: 2}
steps:
  - run: docker service create --name one app:1
  - run: docker service scale one=2
  - run: docker service scale one=3
  - run: docker service scale -d one=2
  - wait: 3s
  - run: docker service scale -d one=1
  - wait: 3s
  - run: docker service scale -d one=0
  - wait: 3s
"""


@pytest.mark.parametrize("create,start,stop_exit", [(0.5, 0.6, 0.3), (0.1, 0.2, 0.05)])
def test_fitted_constants_match_the_ones_that_made_the_trace(create, start, stop_exit):
    truth = Timing(container_create=create, container_start=start, stop_exit=stop_exit, contention_scope="host")
    trace = run_scenario(replace(loads_scenario(SCENARIO), timing=truth), SimBackend())
    fitted, counts = fit([trace])
    assert counts["starting>running"] == 3 and counts["stop"] == 3
    for name in ("container_create", "container_start", "stop_exit", "accept"):
        assert getattr(fitted, name) == pytest.approx(getattr(truth, name), rel=0.05, abs=0.01), name


def test_the_block_lists_only_what_differs_from_the_defaults():
    assert timing_block(Timing()) == "timing: {}\n"
    assert timing_block(Timing(container_start=0.5)) == "timing:\n  container_start: 0.5\n"


def test_a_fit_no_scenario_could_load_is_refused():
    """A trace's gaps of 1e300 s gave `accept: 1e+300`, which the loader then refused when pasted back."""
    trace = run_scenario(loads_scenario(SCENARIO), SimBackend())
    events = [dict(e, t=e["t"] * 1e300) if e.get("kind") == "task" and e.get("state") == "preparing" else e
              for e in trace.events]
    with pytest.raises(ValueError, match=r"the traces' gaps give accept = [\d.e+]+s, past Go's durations"):
        fit([type(trace)(trace.header, events)])
