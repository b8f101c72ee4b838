"""The model against every real run kept in validation/observed/ (3-5 runs of each suite scenario).

Each quantity the validation suite compares must agree: a timing within 10 % of the runs' median or
inside their range, a placement equal up to ties, a category the same; or, where Docker draws at random
too, agree under some other seed. The gaps below are the exceptions, strict: fixing one fails this test
until it is taken off the list (docs/validation.md says why each is a gap).
"""
import pytest

from validation.rows import AGREE
from validation.suite import SUITE, judge, kept_runs, simulate

FIRST_DEPLOY = ("the same first deploy (6 tasks on 4 nodes) ran its last task 2.75 s (2.21-3.03) after the step in "
                "these runs and 2.90-3.20 s in the five other scenarios that start with it; predicted 3.17 s")
FIRST_UPDATE = "the first update's first creates were slow (0.32-0.38 s) in every run, 0.22 s modelled"
GPU_UPDATE = ("the update of the GPU service: seed 1 replaces its two running slots first and the pending one "
              "last, as both kept runs did (a draw: the slots' task-ID order rotated); each running slot took "
              "1.7-2.1 s there, 1.6-1.7 s in the model, so the later slots come 12-13 % early")
TRAFFIC_DEPLOY = ("three services deployed at once on a fresh overlay (tr2, tr3): their last task ran 1.3-1.5 s "
                  "later than predicted with the network setup in (network_create 1.2 s); tr1's, the same deploy, agrees. "
                  "Each node's Prepare grows with the nodes setting the network up at once, but n's four at once agree "
                  "(docs/measurements.md (p))")
TRAFFIC_UPDATE = ("a start-first update with a healthcheck on an overlay while 20 requests a second fork a shell "
                  "in the containers: the second slot's replacement sets the network up again (its node's last task "
                  "took it) in 1.3-1.9 s, 0.48 s without the traffic and probes (network_recreate 0.5, docs/measurements.md "
                  "(p)); its new task runs 1.26 s later than predicted")
KNOWN_GAPS = {
    ("g_generic_resources", "step 7: last task running, s after step 6"): GPU_UPDATE,
    ("g_generic_resources", "update gpu #1 slots: old stopped (s after start)"): GPU_UPDATE,
    ("g_generic_resources", "update gpu #1 slots: new running (s after start)"): GPU_UPDATE,
    ("tr2_start_first_health_traffic", "step 3: last task running, s after step 2"): TRAFFIC_DEPLOY,
    ("tr3_node_crash_traffic", "step 3 (wait: converged) took"): TRAFFIC_DEPLOY,
    ("tr3_node_crash_traffic", "step 3: last task running, s after step 2"): TRAFFIC_DEPLOY,
    ("tr2_start_first_health_traffic", "update web #1 slots: new running (s after start)"): TRAFFIC_UPDATE,
    ("t_partition", "step 1: last task running, s after step 0"): FIRST_DEPLOY,
    ("e_rolling_start_first", "update roll #1 slots: new running (s after start)"): FIRST_UPDATE,
    ("y_sigterm_ignored", "update web #1 slots: new running (s after start)"): FIRST_UPDATE,
    ("z_pause_all_at_once", "update web #1 slots: old stopped (s after start)"):
        "seven stops at once: the model serves three at a time, the swarm ended them 1.39-1.61 s in, "
        "the model 1.32-1.66 s",
    ("z_pause_all_at_once", "update web #1 slots: new running (s after start)"):
        "seven starts at once: 1.98-2.79 s in the model, 1.95-2.65 s observed",
}


def agrees(verdict: str) -> bool:
    return verdict in AGREE or verdict.startswith("possible")


@pytest.mark.parametrize("name", SUITE)
def test_the_model_agrees_with_the_kept_real_runs(name):
    observed = kept_runs(name)
    assert observed, f"no kept run of {name}"
    rows = judge(name, simulate(name, observed=observed), observed)
    disagree = {(name, r["quantity"]) for r in rows if not agrees(r["verdict"])}
    assert disagree == {gap for gap in KNOWN_GAPS if gap[0] == name}
