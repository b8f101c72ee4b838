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


LAST_TASK = """
version: 1
name: last-task
seed: {seed}
cluster: {{managers: 1, workers: 2}}
images: {{swarmsim/busybox:1: {{}}}}
timing: {{contention_scope: {scope}, cli_start: 0s, network_create: {create}, network_recreate: {recreate}}}
steps:
  - run: docker network create -d overlay appnet
  - run: >-
      docker service create -d --no-resolve-image --name keep --network appnet --endpoint-mode dnsrr
      --constraint node.hostname==node2 swarmsim/busybox:1
  - run: >-
      docker service create -d --no-resolve-image --name web --replicas 2 --replicas-max-per-node 1
      --network appnet --endpoint-mode dnsrr --constraint node.role==worker {publish} swarmsim/busybox:1
  - wait: 20s
  - run: docker service update -d --no-resolve-image --env-add V=2 web
  - wait: 30s
"""


def replacements(recreate: float, seed: int = 1, scope: str = "host", port: bool = False) -> dict[str, dict]:
    """Each replacement's node and the times it reported preparing, starting and running."""
    publish = "--publish mode=host,target=80,published=8080" if port else ""
    trace = run_yaml(LAST_TASK.format(create="1.2s", recreate=f"{recreate}s", seed=seed, scope=scope,
                                      publish=publish))
    out: dict[str, dict] = {}
    for e in trace.tasks():
        if e["task"].startswith("web.") and e["gen"] == 2:
            d = out.setdefault(e["task"], {})
            d["node"] = e["node"] or d.get("node")
            d.setdefault(e["state"], e["t"])
    return out


@settings(max_examples=12, deadline=None)
@given(recreate=st.floats(0.05, 3.0), seed=st.integers(1, 50), scope=st.sampled_from(["host", "node"]),
       port=st.booleans())
def test_a_nodes_last_task_on_a_network_takes_the_nodes_copy_with_it(recreate, seed, scope, port):
    """controller.go Shutdown ends with removeNetworks: the node's copy of the network goes unless another
    container there still has an endpoint on it. On node3 the old web task was the last one on `appnet`, so its
    replacement sets the network up again: `network_recreate` later than without it, in its Start when it
    was prepared while the old task ran (no port), in its Prepare when the host-mode port held it back until
    the old task had stopped. On node2 `keep` holds the network: its replacement pays nothing."""
    with_setup, without = replacements(recreate, seed, scope, port), replacements(0, seed, scope, port)
    assert {d["node"] for d in with_setup.values()} == {"node2", "node3"}
    first, last = ("preparing", "starting") if port else ("starting", "running")  # where the setup shows
    for task, d in with_setup.items():
        plain = without[task]
        assert d["node"] == plain["node"]
        extra = (d[last] - d[first]) - (plain[last] - plain[first])
        assert abs(extra - (recreate if d["node"] == "node3" else 0.0)) < 1e-6, (task, d["node"], extra)
