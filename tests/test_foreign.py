"""Replays on a foreign swarm without a swarm: the node mapping and the ledger's label bookkeeping."""
from hypothesis import given, strategies as st

from swarmsim.scenario import loads_scenario
from validation.foreign import Plan, map_nodes, parse_node_map
from validation.ledger import Ledger, put_back

import pytest

SCENARIO = """
version: 1
name: mapped
cluster:
  nodes:
    - {name: lead, role: manager}
    - {name: web1}
    - {name: beta}
"""


def node(host, role="worker", id_=None, labels=None):
    return {"ID": id_ or f"id-{host}", "Status": {"State": "ready"},
            "Description": {"Hostname": host, "Platform": {"OS": "linux", "Architecture": "x86_64"}},
            "Spec": {"Role": role, "Availability": "active", "Labels": labels or {}}}


REAL = [node("alpha", "manager"), node("beta"), node("gamma"), node("delta", "manager")]


def mapped(node_map, real=REAL, first="id-alpha"):
    plan = Plan()
    map_nodes(loads_scenario(SCENARIO), real, first, node_map, plan)
    return plan


def test_nodes_map_by_node_flag_then_hostname_then_role_and_the_leader_is_the_first_docker_host():
    plan = mapped({"web1": "gamma"})
    assert plan.hostnames == {"web1": "gamma", "beta": "beta", "lead": "alpha"}
    assert plan.problems == [] and plan.exclude == ("delta",)
    assert mapped({}, first="id-delta").hostnames["lead"] == "delta"


def test_a_mapping_naming_a_missing_node_or_a_wrong_role_is_a_problem_not_a_change():
    plan = mapped({"ghost": "beta", "web1": "nosuch"})
    assert "--node ghost=beta: the scenario has no node ghost (its nodes: beta, lead, web1)" in plan.problems
    assert any(p.startswith("--node web1=nosuch: the swarm has no ready node with hostname nosuch")
               for p in plan.problems)
    plan = mapped({"web1": "delta"})
    assert any("worker web1 is played by delta, a manager" in p for p in plan.problems), plan.problems
    plan = mapped({}, real=[node("alpha", "manager")])
    assert sum("has no real node left to play it" in p for p in plan.problems) == 2


def test_node_maps_are_name_equals_hostname():
    assert parse_node_map(["a=b", "c=d=e"]) == {"a": "b", "c": "d=e"}
    with pytest.raises(ValueError, match="expected NAME=HOSTNAME"):
        parse_node_map(["a"])


labels = st.dictionaries(st.sampled_from("abcdef"), st.sampled_from(["1", "2", "3"]), max_size=6)


@given(labels, st.lists(labels, max_size=4), labels)
def test_the_cleanup_puts_back_every_label_the_run_touched_and_keeps_everybody_elses(original, changes, foreign):
    """The run sets label sets one after another; meanwhile somebody else sets labels on keys the run never
    touched; after put_back the touched keys are as they were at the start, the others as somebody left them."""
    ledger, current = Ledger("r"), dict(original)
    for change in changes:
        ledger.node({"ID": "n", "Spec": {"Labels": current}}, {"Labels": change})
        current = dict(change)
    touched = set(ledger.data["nodes"].get("n", {"labels": {}})["labels"])
    current.update({k: v for k, v in foreign.items() if k not in touched})
    restored = put_back(current, ledger.data["nodes"].get("n", {"labels": {}})["labels"])
    assert {k: restored.get(k) for k in touched} == {k: original.get(k) for k in touched}
    assert {k: v for k, v in restored.items() if k not in touched} == \
        {k: v for k, v in current.items() if k not in touched}


def test_steps_that_take_a_node_out_of_the_swarm_are_refused_on_a_foreign_swarm():
    from validation.foreign import check_nodes
    scenario = loads_scenario(SCENARIO + "steps:\n  - run: docker node rm --force web1\n"
                                         "  - {run: docker swarm leave, on: beta}\n")
    plan = mapped({})
    check_nodes(scenario, REAL, plan)
    assert [p.split(":")[0] for p in plan.problems] == ["'docker node rm --force web1'", "'docker swarm leave'"]
