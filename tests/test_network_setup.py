"""A node's first task on a network sets the network up on the node in Prepare (docs/measurements.md (n)).

moby's controller.go Prepare creates the task's networks before the container; libnetwork's NewNetwork
holds a lock per network, so the node's other tasks that come meanwhile wait for the same setup, and a
task that comes later finds the network there. `network_create` is that setup's length at the node's own
pace, slowed only by the node's ingress setup.
"""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from swarmsim.testing.builders import run_yaml

NETS = """
version: 1
name: nets
seed: 1
cluster: {{managers: 1, workers: {workers}}}
images: {{swarmsim/busybox:1: {{}}}}
timing: {{contention_scope: {scope}, cli_start: 0s, swarm_age: {age}, ingress_setup_delay: 0s, ingress_setup: 30s,
          ingress_setup_slowdown: {slowdown}, network_create: {create}}}
steps:
  - run: docker network create -d overlay appnet
  - run: docker service create -d --no-resolve-image --name one --replicas {replicas} --network appnet swarmsim/busybox:1
  - wait: 30s
  - run: docker service create -d --no-resolve-image --name two --replicas {replicas} --network appnet swarmsim/busybox:1
  - wait: 10s
"""


def starts(create: float, **kw) -> dict[str, float]:
    """When each task reported starting (its Prepare is over)."""
    fields = {"workers": 2, "scope": "host", "age": "1h", "slowdown": 3, "replicas": 3} | kw
    trace = run_yaml(NETS.format(create=f"{create}s", **fields))
    return {e["task"]: e["t"] for e in trace.tasks() if e["state"] == "starting"}


@settings(max_examples=15, deadline=None)
@given(create=st.floats(0.05, 3.0), per_node=st.integers(1, 3), scope=st.sampled_from(["host", "node"]))
def test_each_node_sets_a_network_up_once_at_its_own_pace(create, per_node, scope):
    """Every first-service task starts `network_create` later, however many share the node or the host
    (one setup per node, waited for by all, not slowed by the others' work); the second service's tasks,
    on a network their nodes have, start as they would without the setup."""
    with_setup, without = starts(create, replicas=3 * per_node, scope=scope), starts(0, replicas=3 * per_node,
                                                                                     scope=scope)
    assert with_setup.keys() == without.keys() and len(with_setup) == 6 * per_node
    for task, at in with_setup.items():
        expected = create if task.startswith("one.") else 0.0
        assert abs(at - without[task] - expected) < 1e-6, task


def test_the_setup_runs_slower_while_the_nodes_ingress_setup_lasts():
    """On a swarm formed just before, the setup shares the node with its ingress setup: ingress_setup_slowdown
    times as long (the fresh-overlay deploys of s2 and tr1-3 in docs/validation.md)."""
    fresh = starts(1.0, age="0s", slowdown=2.5, replicas=3)
    plain = starts(0, age="0s", slowdown=2.5, replicas=3)
    assert all(abs(fresh[t] - plain[t] - 2.5) < 1e-6 for t in fresh if t.startswith("one."))


RECREATED = """
version: 1
name: recreated
seed: 1
cluster: {{managers: 1, workers: 2}}
images: {{swarmsim/busybox:1: {{}}}}
timing: {{contention_scope: host, cli_start: 0s, network_create: {create}}}
steps:
  - run: docker network create -d overlay appnet
  - run: docker service create -d --no-resolve-image --name one --replicas 3 --network appnet swarmsim/busybox:1
  - wait: 20s
  - run: docker service rm one
  - wait: 20s
  - run: docker network rm appnet
  - run: docker network create -d overlay appnet
  - run: docker service create -d --no-resolve-image --name two --replicas 3 --network appnet swarmsim/busybox:1
  - wait: 10s
"""


def test_a_network_removed_and_created_again_under_its_name_is_set_up_again():
    """A network created anew is another network (another ID) to every node: libnetwork keys networks by ID,
    so the first task on it sets it up again, though the name is the one of a network the node had."""
    def starting(create: float) -> dict[str, float]:
        trace = run_yaml(RECREATED.format(create=f"{create}s"))
        return {e["task"]: e["t"] for e in trace.tasks() if e["state"] == "starting"}
    with_setup, without = starting(1.0), starting(0)
    second = [t for t in with_setup if t.startswith("two.")]
    assert len(second) == 3
    assert all(abs(with_setup[t] - without[t] - 1.0) < 1e-6 for t in second)
