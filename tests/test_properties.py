"""Properties of whole simulated runs on random clusters and services (hypothesis).

Each example deploys random services on a random cluster, lets the simulation
settle, and checks a swarmkit invariant on the trace. Nodes never change in these
runs, so a node's declaration is its state all along.
"""
from __future__ import annotations

import re
from collections import Counter

from hypothesis import given, settings

from swarmsim.backend import SimBackend, run_scenario
from swarmsim.control.constraint import node_matches, parse_all
from swarmsim.model import Availability, ServiceMode, TaskState
from swarmsim.model.scenario import Scenario
from swarmsim.testing.builders import final_tasks
from swarmsim.testing.strategies import clusters, scenarios, service_lists

PROPERTY = settings(max_examples=40, deadline=None)
HOLDING = {s.label for s in TaskState if TaskState.ASSIGNED <= s <= TaskState.RUNNING}
ORDER = {s.label: s.value for s in TaskState}


def simulate(scenario: Scenario):
    trace = run_scenario(scenario, SimBackend())
    return trace, {n.name: n for n in scenario.nodes}, {s.name: s for s in scenario.services}


def fits(spec, decl) -> bool:
    return node_matches(parse_all(spec.task.placement.constraints), decl)


def replay(trace):
    """Each task event with the latest event of every task at that moment ((task, gen) -> event)."""
    live: dict[tuple[str, int], dict] = {}
    for e in trace.tasks():
        live[(e["task"], e["gen"])] = e
        yield e, live


def holding(live, node: str):
    return [e for e in live.values() if e["node"] == node and e["state"] in HOLDING]


@PROPERTY
@given(scenarios())
def test_no_task_runs_on_a_node_violating_its_constraints(scenario):
    trace, nodes, specs = simulate(scenario)
    for e in trace.tasks():
        if e["state"] in HOLDING:
            assert fits(specs[e["service"]], nodes[e["node"]]), e


@PROPERTY
@given(scenarios())
def test_reservations_never_exceed_node_capacity(scenario):
    trace, nodes, specs = simulate(scenario)
    for e, live in replay(trace):
        if e["node"] is None:
            continue
        held = [specs[t["service"]].task.reservations for t in holding(live, e["node"])]
        assert sum(r.nano_cpus for r in held) <= nodes[e["node"]].nano_cpus
        assert sum(r.memory_bytes for r in held) <= nodes[e["node"]].memory_bytes


@PROPERTY
@given(scenarios())
def test_max_replicas_per_node_is_never_exceeded(scenario):
    trace, nodes, specs = simulate(scenario)
    for e, live in replay(trace):
        limit = specs[e["service"]].task.placement.max_replicas
        if limit and e["node"] is not None:
            same = [t for t in holding(live, e["node"]) if t["service"] == e["service"] and t["desired"] == "running"]
            assert len(same) <= limit


@PROPERTY
@given(scenarios())
def test_tasks_are_only_assigned_to_ready_active_nodes(scenario):
    trace, nodes, _ = simulate(scenario)
    for e in trace.tasks():
        if e["state"] == "assigned":
            assert nodes[e["node"]].availability is Availability.ACTIVE, e


@PROPERTY
@given(scenarios())
def test_drained_nodes_get_no_tasks(scenario):
    trace, nodes, _ = simulate(scenario)
    drained = {name for name, n in nodes.items() if n.availability is Availability.DRAIN}
    assert not [e for e in trace.tasks() if e["node"] in drained]


@PROPERTY
@given(scenarios(services=service_lists(max_size=1, mode=ServiceMode.GLOBAL, constrained=False)))
def test_global_runs_exactly_one_task_per_eligible_node(scenario):
    trace, nodes, specs = simulate(scenario)
    eligible = {name for name, n in nodes.items() if n.availability is Availability.ACTIVE and fits(specs["s1"], n)}
    running = Counter(e["node"] for e in final_tasks(trace, "s1") if e["state"] == "running")
    assert running == Counter(eligible)


@PROPERTY
@given(scenarios(cluster=clusters(min_nodes=2, homogeneous=True),
                 services=service_lists(max_size=1, mode=ServiceMode.REPLICATED, constrained=False)))
def test_one_create_on_equal_nodes_spreads_within_one(scenario):
    trace, nodes, _ = simulate(scenario)
    running = Counter({name: 0 for name in nodes})
    running.update(e["node"] for e in final_tasks(trace, "s1") if e["state"] == "running")
    assert sum(running.values()) == scenario.services[0].replicas
    assert max(running.values()) - min(running.values()) <= 1


@PROPERTY
@given(scenarios(cluster=clusters(homogeneous=True), services=service_lists(constrained=False)))
def test_with_enough_capacity_nothing_stays_pending(scenario):
    trace, _, _ = simulate(scenario)
    assert not [e for e in final_tasks(trace) if e["state"] in ("new", "pending")]


@PROPERTY
@given(scenarios())
def test_observed_state_never_decreases(scenario):
    trace, _, _ = simulate(scenario)
    last: dict[tuple[str, int], int] = {}
    for e in trace.tasks():
        key = (e["task"], e["gen"])
        assert ORDER[e["state"]] >= last.get(key, 0), e
        last[key] = ORDER[e["state"]]


# -- pending explanations ---------------------------------------------------------------------------------

_PHRASES = {"not available for new tasks": "ready", "insufficient resources on": "resources",
            "scheduling constraints not satisfied on": "constraints", "host-mode port already in use on": "ports"}


def explained(err: str) -> Counter:
    """"no suitable node (...)" as counts per filter; max replicas (which has no count) as 1."""
    counts = Counter()
    for part in err.removeprefix("no suitable node (").removesuffix(")").split("; "):
        if part == "max replicas per node limit exceed":
            counts["max_replicas"] = 1
            continue
        number = re.search(r"(\d+) nodes?", part)
        counts.update({name: int(number.group(1)) for phrase, name in _PHRASES.items() if phrase in part})
    return counts


def first_failing(spec, decl, on_node: list[dict], specs) -> str | None:
    """Which filter rejects `decl` for a task of `spec`, given the tasks on it (swarmkit's order)."""
    if decl.availability is not Availability.ACTIVE:
        return "ready"
    want = spec.task.reservations
    held = [specs[t["service"]].task.reservations for t in on_node]
    if want and (want.nano_cpus > decl.nano_cpus - sum(r.nano_cpus for r in held)
                 or want.memory_bytes > decl.memory_bytes - sum(r.memory_bytes for r in held)):
        return "resources"
    if spec.task.placement.constraints and not fits(spec, decl):
        return "constraints"
    ports = {p.published for p in spec.endpoint.ports if p.mode == "host"}
    if ports & {p.published for t in on_node for p in specs[t["service"]].endpoint.ports if p.mode == "host"}:
        return "ports"
    limit = spec.task.placement.max_replicas
    if limit and sum(t["service"] == spec.name and t["desired"] == "running" for t in on_node) >= limit:
        return "max_replicas"
    return None


@PROPERTY
@given(scenarios())
def test_every_pending_explanation_is_true(scenario):
    """Replicated tasks are explained over every node; preassigned (global) ones over their own node."""
    trace, nodes, specs = simulate(scenario)
    final = final_tasks(trace)
    for e in final:
        if e["state"] != "pending" or not e["err"]:
            continue
        spec = specs[e["service"]]
        candidates = nodes if e["node"] is None else {e["node"]: nodes[e["node"]]}
        verdicts = Counter(first_failing(spec, decl, holding(dict(enumerate(final)), name), specs)
                           for name, decl in candidates.items())
        assert verdicts[None] == 0, (e, verdicts)
        if verdicts["max_replicas"]:
            verdicts["max_replicas"] = 1
        assert e["err"].startswith("no suitable node (") is (e["node"] is None), e
        assert explained(e["err"]) == +verdicts, e["err"]
