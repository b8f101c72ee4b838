"""Name resolution, load balancing and connection outcomes of traffic clients (net/dns.py, net/mesh.py,
sim/traffic.py), and the three issue scenarios in examples/ with their fixes."""
import dataclasses
from collections import Counter
from pathlib import Path
from random import Random

import pytest
from hypothesis import given, strategies as st

from swarmsim.analysis import metrics
from swarmsim.backend import SimBackend, run_scenario
from swarmsim.model import EndpointSpec, Service, ServiceSpec, TaskSpec
from swarmsim.model.scenario import Timing
from swarmsim.net import mesh
from swarmsim.net.dns import resolve
from swarmsim.net.ingress import Backend, RoundRobin
from swarmsim.scenario import ScenarioError, load_scenario, loads_scenario

EXAMPLES = Path(__file__).parent.parent / "examples"


def _service(name: str, mode: str = "vip", networks=("net",)) -> Service:
    spec = ServiceSpec(name=name, task=TaskSpec(image="img", networks=tuple(networks)), endpoint=EndpointSpec(mode=mode))
    return Service(id=f"id-{name}", spec=spec)


def _members(n: int, draining: int = -1) -> list[Backend]:
    return [Backend(f"web.{i}", f"t{i}", f"node{i % 3}", True, True, i == draining) for i in range(n)]


def _requests(trace, **match):
    return [e for e in trace.events if e["kind"] == "request" and all(e.get(k) == v for k, v in match.items())]


def _outcomes(trace, **match) -> Counter:
    return Counter(e["err"].split(":")[0] if e["err"] else "ok" for e in _requests(trace, **match))


# -- the embedded DNS ------------------------------------------------------------------------------------------------

def test_dnsrr_answers_every_task_address_shuffled_per_query():
    services, members, rng = [_service("web", "dnsrr")], _members(4), Random(1)
    orders = [tuple(b.task_id for b in resolve("web", ["net"], services, members, rng).tasks) for _ in range(30)]
    assert all(sorted(o) == ["t0", "t1", "t2", "t3"] for o in orders)
    assert len(set(orders)) > 5  # a new order for most queries, as resolver.go shuffleAddr gives


def test_vip_mode_answers_the_vip_and_tasks_name_the_task_addresses():
    services, members = [_service("web")], _members(3)
    vip = resolve("web", ["net"], services, members, Random(0))
    assert vip.vip and vip.tasks == () and vip.network == "net"
    tasks = resolve("tasks.web", ["net"], services, members, Random(0))
    assert not tasks.vip and sorted(b.task_id for b in tasks.tasks) == ["t0", "t1", "t2"]


def test_names_resolve_only_on_a_network_the_client_shares():
    services = [_service("web", networks=("back",)), _service("api", networks=("front", "back"))]
    assert resolve("web", ["front"], services, _members(2), Random(0)) is None
    assert resolve("tasks.web", ["front"], services, _members(2), Random(0)) is None
    assert resolve("api", ["front"], services, _members(2), Random(0)).network == "front"
    assert resolve("nosuch", ["front", "back"], services, [], Random(0)) is None


@given(st.integers(0, 8), st.integers(-1, 8), st.integers(0, 2**32))
def test_a_task_shutting_down_is_never_in_an_answer(n, draining, seed):
    answer = resolve("web", ["net"], [_service("web", "dnsrr")], _members(n, draining), Random(seed))
    assert sorted(b.task_id for b in answer.tasks) == sorted(f"t{i}" for i in range(n) if i != draining)


# -- IPVS and the mesh ------------------------------------------------------------------------------------------------

def test_ipvs_round_robin_keeps_one_pointer_per_source_node():
    balancer, members = RoundRobin(), _members(3)
    a = [balancer.pick("node0/net", "web", members).task_id for _ in range(4)]
    b = [balancer.pick("node1/net", "web", members).task_id for _ in range(2)]
    assert a == ["t0", "t1", "t2", "t0"] and b == ["t0", "t1"]


@given(st.integers(1, 8), st.sets(st.integers(0, 7)), st.sampled_from(["node0/net", "node1/net"]))
def test_round_robin_never_picks_a_draining_task_and_serves_each_live_one_once_a_turn(n, draining, source):
    balancer = RoundRobin()
    members = [Backend(f"web.{i}", f"t{i}", "node0", True, True, i in draining) for i in range(n)]
    live = sorted(b.task_id for b in members if not b.draining)
    picks = [balancer.pick(source, "web", members) for _ in range(2 * max(1, len(live)))]
    if not live:
        assert picks == [None, None]
    else:
        ids = [b.task_id for b in picks]
        assert sorted(ids[:len(live)]) == live and ids[len(live):] == ids[:len(live)]


def test_a_partition_leaves_no_path_between_the_halves_and_hops_add_up():
    timing = Timing()
    graph = mesh.mesh(["a", "b", "c"], lambda x, y: {x, y} != {"a", "c"}, timing)
    assert mesh.latency(graph, "a", "a", timing.hop_ingress) == timing.hop_ingress
    assert mesh.latency(graph, "a", "b", timing.hop_ingress) == timing.hop_ingress + timing.hop_overlay
    assert mesh.latency(graph, "a", "c", timing.hop_ingress) is None  # VXLAN has no transit through b


INSIDE = """
version: 1
name: inside
seed: 3
cluster: {managers: 1, workers: 2}
networks:
  net: {driver: overlay}
  other: {driver: overlay}
services:
  client:
    image: c
    networks: [net]
    deploy: {mode: global}
  web:
    image: w
    networks: [net]
    deploy: {replicas: 3, placement: {max_replicas_per_node: 1}}
  lone:
    image: w
    networks: [other]
traffic:
  - {from: client, target: "web:80", rate: 20, start: 10s, stop: 25s}
  - {from: client, target: "lone", rate: 2, start: 10s, stop: 15s}
steps:
  - wait: 30s
"""


def test_vip_requests_go_round_robin_from_each_source_node():
    trace = run_scenario(loads_scenario(INSIDE), SimBackend())
    sent = _requests(trace, target="web:80")
    assert sent and all(e["ok"] for e in sent)
    for node in ("node1", "node2", "node3"):
        tasks = [e["task"] for e in sent if e["via"] == node]
        assert len(tasks) > 6
        cycle = tasks[:3]
        assert sorted(cycle) == ["web.1", "web.2", "web.3"]
        assert tasks == [cycle[i % 3] for i in range(len(tasks))]


def test_a_service_on_no_shared_network_is_not_found():
    trace = run_scenario(loads_scenario(INSIDE), SimBackend())
    sent = _requests(trace, target="lone:80")
    assert sent and {e["err"] for e in sent} == {"dns: no such host lone"}


def test_a_fast_inside_client_is_aggregated_under_its_target():
    trace = run_scenario(loads_scenario(INSIDE.replace("rate: 20, start: 10s", "rate: 200, start: 10s")), SimBackend())
    rows = metrics.requests(trace)
    assert rows["web:80"]["count"] > 2000 and rows["web:80"]["failed"] == 0
    assert all("count" in e for e in _requests(trace, target="web:80"))


DRAIN = """
version: 1
name: drain
seed: 5
cluster: {managers: 1, workers: 1}
images:
  app:1: {start_time: 0.5s, ignore_sigterm: true}
  app:2: {start_time: 0.5s, ignore_sigterm: true}
services:
  web:
    image: app:1
    ports: ["8080:80"]
    stop_grace_period: 3s
    deploy: {replicas: 2, update_config: {order: start-first}}
traffic:
  - {port: 8080, rate: 15, start: 10s, duration: 10s, timeout: 30s}
steps:
  - at: 12s
  - run: docker service update --image app:2 web
  - wait: 40s
"""


def _shutdowns(trace) -> dict[str, float]:
    """When each task was told to shut down."""
    out = {}
    for e in trace.events:
        if e["kind"] == "task" and e["desired"] == "shutdown":
            out.setdefault(e["task"] + f"#{e['gen']}", e["t"])
    return out


def test_no_new_connection_reaches_a_task_after_it_leaves_the_balancer():
    """One replica, stop-first, a process that keeps serving until SIGKILL: from deregistration until the new
    task runs there is no backend, though the old process still listens."""
    scenario = loads_scenario(DRAIN.replace("replicas: 2, update_config: {order: start-first}", "replicas: 1")
                              .replace("duration: 10s, ", ""))
    trace = run_scenario(scenario, SimBackend())
    (told,) = _shutdowns(trace).values()
    left = told + scenario.timing.stop_delay + 0.25  # the retry backoff, after the assignment reaches the agent
    back = next(e["t"] for e in trace.events if e["kind"] == "task" and e["state"] == "running" and e["gen"] == 2)
    between = [e for e in _requests(trace) if left < e["t"] < back]
    assert len(between) > 30
    assert {e["err"] for e in between} == {"connection refused: no backend"}
    assert all(e["ok"] for e in _requests(trace) if e["t"] < told)


def test_long_requests_are_reset_when_sigkill_ends_the_grace_period():
    scenario = loads_scenario(DRAIN)
    trace = run_scenario(scenario, SimBackend())
    reset = [e for e in _requests(trace) if e["err"].startswith("reset")]
    assert reset
    timing, told = scenario.timing, {key.split("#")[0]: t for key, t in _shutdowns(trace).items()}
    for task in {e["task"] for e in reset}:
        cut = [e["t"] + e["latency"] for e in reset if e["task"] == task]
        assert max(cut) - min(cut) < 1e-5  # every request in flight on the task ends at one instant: SIGKILL
        sigkill_earliest = told[task] + timing.stop_delay + timing.lb_deregister + 3.0  # grace: 3s
        assert sigkill_earliest <= cut[0] < sigkill_earliest + 0.5
    assert all(e["latency"] < 10.0 for e in reset)
    finished = [e for e in _requests(trace) if e["ok"]]
    assert finished and all(e["latency"] >= 10.0 for e in finished)


# -- the issue scenarios ----------------------------------------------------------------------------------------------

def _example(name: str):
    return run_scenario(load_scenario(EXAMPLES / f"{name}.yaml"), SimBackend())


def test_moby_29148_stop_first_with_one_replica_refuses_and_start_first_with_healthcheck_does_not():
    trace = _example("moby-29148")
    reported, fixed = _outcomes(trace, port=8080), _outcomes(trace, port=8081)
    assert reported["connection refused"] >= 20 and reported["ok"] > 100
    assert fixed == Counter(ok=fixed["ok"]) and fixed["ok"] > 200


def test_moby_30321_parallelism_1_delay_10s_drops_requests_and_the_fix_drops_none():
    trace = _example("moby-30321")
    reported, fixed = _outcomes(trace, port=8080), _outcomes(trace, port=8081)
    assert reported["reset"] > 0 and reported["connection refused"] > 0
    assert set(fixed) == {"ok"} and fixed["ok"] > 2000
    assert any(e["attempts"] == 2 and e["ok"] for e in _requests(trace, port=8081))  # a kept connection closed


def test_traefik_1480_cached_task_addresses_time_out_and_the_vip_does_not():
    trace = _example("traefik-1480")
    reported, fixed = _outcomes(trace, target="tasks.reported:80"), _outcomes(trace, target="fixed:80")
    assert reported["timeout"] >= 30
    assert set(fixed) == {"ok"} and fixed["ok"] > 300


@pytest.mark.parametrize("name, reported, fixed", [("moby-29148", 8080, 8081), ("moby-30321", 8080, 8081),
                                                    ("traefik-1480", "tasks.reported:80", "fixed:80")])
def test_the_fixes_lose_nothing_under_other_seeds_and_the_symptoms_stay(name, reported, fixed):
    scenario = load_scenario(EXAMPLES / f"{name}.yaml")
    for seed in (1, 2, 3):
        trace = run_scenario(dataclasses.replace(scenario, seed=seed), SimBackend())
        rows = metrics.requests(trace)
        assert rows[reported]["failed"] > 0 and rows[fixed]["failed"] == 0 and rows[fixed]["count"] > 200


def test_a_partition_cuts_the_routing_mesh():
    trace = run_scenario(loads_scenario("""
version: 1
name: cut
seed: 2
cluster: {managers: 1, workers: 2}
services:
  web:
    image: w
    ports: ["8080:80"]
    deploy: {replicas: 1, placement: {constraints: [node.hostname==node3]}}
traffic:
  - {port: 8080, rate: 10, via: node2, start: 5s, stop: 20s, retries: 0, timeout: 1s}
steps:
  - at: 10s
  - partition: [[node1, node2], [node3]]
  - wait: 15s
"""), SimBackend())
    before = [e for e in _requests(trace) if e["t"] < 10]
    after = [e for e in _requests(trace) if e["t"] > 10]
    assert before and all(e["ok"] for e in before)
    assert after and {e["err"] for e in after} == {"timeout: backend node unreachable"}
    assert all(e["latency"] == 1.0 for e in after)


@pytest.mark.parametrize("client, message", [
    ("{from: c, rate: 1}", "missing key 'target'"),
    ("{from: c, target: 'web:99999', rate: 1}", "target port '99999'"),
    ("{from: c, target: 'bad name!', rate: 1}", "is not a service name"),
    ("{from: c, target: web, port: 80, rate: 1}", "calls target:, not port:"),
    ("{port: 80, target: web, rate: 1}", "need from: SERVICE"),
    ("{port: 80, rate: 1, retries: -1}", "traffic[0].retries"),
])
def test_bad_traffic_clients_are_refused_with_their_line(client, message):
    with pytest.raises(ScenarioError) as err:
        loads_scenario(f"version: 1\ncluster: {{managers: 1}}\ntraffic:\n  - {client}\n")
    assert message in str(err.value) and ":4:" in str(err.value)


HEALTH_GATED = """
version: 1
seed: 1
cluster: {{managers: 1, workers: 1}}
images: {{app: {{}}}}
traffic:
  - {{port: 8080, rate: 20, via: node2}}
steps:
  - run: >-
      docker service create -d --name web --constraint node.hostname==node2 --publish {publish}
      --health-cmd true --health-interval 3s app
  - wait: 6s
"""


@pytest.mark.parametrize("mode, answers_before_healthy", [("host", True), ("ingress", False)])
def test_a_host_mode_port_answers_from_the_containers_start_the_balancer_only_once_healthy(mode,
                                                                                         answers_before_healthy):
    trace = run_scenario(loads_scenario(HEALTH_GATED.format(publish=f"mode={mode},published=8080,target=80")),
                         SimBackend())
    healthy = min(e["t"] for e in trace.tasks() if e["state"] == "running")
    early = [e for e in _requests(trace, ok=True) if e["t"] < healthy]
    assert bool(early) is answers_before_healthy  # the healthcheck passes 3 s after the start: 60 requests
    assert _requests(trace, ok=True)[-1]["t"] > healthy
