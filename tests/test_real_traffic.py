"""Traffic on the real backend (validation/traffic.py): the scenario's clients replayed on a 3-node local
swarm write request events in the simulator's format, and the predicted success rates during a stop-first
update (loses requests) and a start-first update with a healthcheck (loses none) agree with the observed
ones. About 50 s: one replay of tests/scenarios/real_traffic.yaml.
"""
import socket
import struct
from pathlib import Path

import pytest

from swarmsim.analysis import metrics
from swarmsim.backend import SimBackend, run_scenario
from swarmsim.scenario import load_scenario
from swarmsim.trace import read_trace
from validation.traffic import answers, query, server_command

SCENARIO = Path(__file__).parent / "scenarios" / "real_traffic.yaml"
OUTCOMES = ("", "connection refused", "timeout", "reset", "dns")
RATE_BOUND = 0.15   # predicted and observed success rates during the update, at 10 requests per second


def test_a_dns_reply_is_read_as_the_embedded_dns_writes_it():
    asked = query("web", 7)
    assert asked[12:17] == b"\x03web\x00" and struct.unpack(">HH", asked[-4:]) == (1, 1)
    record = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 600, 4)
    reply = struct.pack(">HHHHHH", 7, 0x8180, 1, 2, 0, 0) + asked[12:] + record + socket.inet_aton("10.0.1.5") \
        + record + socket.inet_aton("10.0.1.6")
    assert answers(reply, 7) == ["10.0.1.5", "10.0.1.6"]
    assert answers(reply, 8) == []                                          # another query's reply
    assert answers(struct.pack(">HHHHHH", 7, 0x8183, 1, 0, 0, 0) + asked[12:], 7) == []   # NXDOMAIN


def test_the_server_waits_for_its_start_time_and_answers_each_line():
    fragment = server_command(80, 1.5)
    assert "sleep 1.5; nc -ll -p 80 -e /tmp/swarmsim-serve) &" in fragment
    assert 'sleep "$d"' in fragment and "$SWARMSIM_TASK" in fragment


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    from test_real_smoke import require_real_swarm
    require_real_swarm()
    from validation import localswarm
    from validation.docker_backend import DockerBackend, local_layout
    scenario = load_scenario(SCENARIO)
    with localswarm.exclusive():
        try:
            layout = local_layout(scenario, len(scenario.nodes))
            swarm = localswarm.up(**{k: v for k, v in layout.items() if k != "extra"})  # nodes named as the scenario's
            with DockerBackend.for_local(swarm) as backend:
                observed = run_scenario(scenario, backend)
        finally:
            localswarm.down()
    path = tmp_path_factory.mktemp("traffic") / "observed.jsonl"
    observed.write(path)
    return run_scenario(scenario, SimBackend()), read_trace(path)


def _during(trace, target):
    """Requests to `target` from the first update's start to the end of the scenario's last wait."""
    start = metrics.updates(trace)[0].started
    events = [e for e in trace.of_kind("request") if e.get("target", e["port"]) == target and e["t"] >= start]
    return len(events), sum(not e["ok"] for e in events)


@pytest.mark.swarm
def test_a_replay_with_traffic_writes_request_events_in_the_trace_format(traces):
    _, observed = traces
    requests = list(observed.of_kind("request"))
    assert {e.get("target", e["port"]) for e in requests} == {8080, "stopper:80", "starter:80"}
    assert all(e["err"].split(":")[0] in OUTCOMES for e in requests)
    answered = [e for e in requests if e["ok"]]
    assert answered and all(e["latency"] > 0 and e["task"] and e["node"] for e in answered)
    assert {e["node"] for e in answered if e.get("target") == "starter:80"} == {"node3"}
    assert {e["via"] for e in requests if e.get("source")} == {"node1"}


@pytest.mark.swarm
def test_stop_first_loses_requests_and_start_first_with_a_healthcheck_loses_none(traces):
    predicted, observed = traces
    for target in ("stopper:80", 8080):
        (pn, pf), (on, of) = _during(predicted, target), _during(observed, target)
        assert of > 0 and pf > 0, (target, of, pf)
        assert abs(pf / pn - of / on) <= RATE_BOUND, (target, pf, pn, of, on)
    assert _during(predicted, "starter:80")[1] == 0
    # The real swarm loses none, or on a loaded machine one request now and then (probably a lookup that
    # got the old task just before its deregistration reached the resolver; seen twice on 2026-12-02 with
    # the machine busy).
    sent, lost = _during(observed, "starter:80")
    assert sent > 0 and lost <= min(1, 0.05 * sent), (sent, lost)
