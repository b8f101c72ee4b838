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
