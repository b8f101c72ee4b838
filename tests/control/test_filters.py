"""The filter pipeline and its explanations (swarmkit scheduler/{filter,pipeline}.go; reference §2.4)."""
from __future__ import annotations

import pytest

from swarmsim.control.filters import Pipeline
from swarmsim.control.nodeinfo import NodeInfo
from swarmsim.model import Availability, NodeStatus, TaskState
from swarmsim.testing.builders import host_ports, node, task, task_spec

GIB = 1024**3


def info(name: str = "n", *running, **fields) -> NodeInfo:
    out = NodeInfo(node(name, **fields))
    for t in running:
        out.add_task(t)
    return out


def pipeline_for(**spec) -> Pipeline:
    endpoint = spec.pop("endpoint", None)
    p = Pipeline()
    p.set_task(task(spec=task_spec(**spec), **({"endpoint": endpoint} if endpoint else {})))
    return p


def explain_after(p: Pipeline, *infos: NodeInfo) -> str:
    for i in infos:
        p.process(i)
    return p.explain()


@pytest.mark.parametrize("fields", [{"availability": Availability.DRAIN}, {"availability": Availability.PAUSE},
                                    {"status": NodeStatus.DOWN}, {"status": NodeStatus.UNKNOWN},
                                    {"status": NodeStatus.DISCONNECTED}])
def test_ready_filter_wants_ready_and_active(fields):
    p = pipeline_for()
    assert not p.process(info(**fields))
    assert p.explain() == "1 node not available for new tasks"


def test_ready_filter_counts_nodes():
    p = pipeline_for()
    drained = [info(f"n{i}", availability=Availability.DRAIN) for i in range(3)]
    assert explain_after(p, *drained) == "3 nodes not available for new tasks"


def test_resource_filter_checks_cpu_and_memory_reservations():
    small = info(nano_cpus=1_000_000_000, memory_bytes=GIB)
    assert pipeline_for(cpus=1, memory=GIB).process(small)
    assert not pipeline_for(cpus=1.5).process(small)
    assert not pipeline_for(memory=GIB + 1).process(small)


def test_resource_filter_subtracts_reservations_of_tasks_on_the_node():
    held = task("other", node="n", state=TaskState.RUNNING, spec=task_spec(memory=GIB))
    n = info("n", held, memory_bytes=2 * GIB)
    assert pipeline_for(memory=GIB).process(n)
    assert explain_after(pipeline_for(memory=GIB + 1), n) == "insufficient resources on 1 node"


def test_shutting_down_task_still_holds_its_reservation():
    stopping = task("other", node="n", state=TaskState.RUNNING, desired=TaskState.SHUTDOWN,
                    spec=task_spec(memory=GIB))
    assert not pipeline_for(memory=GIB + 1).process(info("n", stopping, memory_bytes=2 * GIB))


def test_resource_filter_off_without_reservations():
    p = pipeline_for()
    assert p.process(info(nano_cpus=0, memory_bytes=0))


def test_constraint_filter():
    p = pipeline_for(constraints=["node.labels.zone==a"])
    assert p.process(info(labels={"zone": "A"}))
    assert explain_after(p, info("x"), info("y")) == "scheduling constraints not satisfied on 2 nodes"


def test_host_port_filter_sees_ports_of_any_service():
    other = task("other", node="n", state=TaskState.RUNNING, endpoint=host_ports(8080))
    p = pipeline_for(endpoint=host_ports(8080))
    assert explain_after(p, info("n", other)) == "host-mode port already in use on 1 node"
    assert pipeline_for(endpoint=host_ports(9090)).process(info("n", other))


def test_max_replicas_filter_has_no_count():
    mine = task("s1", node="n", state=TaskState.RUNNING)
    p = pipeline_for(max_replicas=1)
    assert explain_after(p, info("a", mine), info("b", task("s1", node="b", state=TaskState.RUNNING))) \
        == "max replicas per node limit exceed"
    assert p.process(info("c"))


def test_max_replicas_ignores_tasks_being_shut_down():
    stopping = task("s1", node="n", state=TaskState.RUNNING, desired=TaskState.SHUTDOWN)
    assert pipeline_for(max_replicas=1).process(info("n", stopping))


def test_only_the_first_failing_filter_counts():
    p = pipeline_for(memory=4 * GIB, constraints=["node.role==manager"])
    assert explain_after(p, info(availability=Availability.DRAIN)) == "1 node not available for new tasks"


def test_explanation_lists_most_failures_first():
    p = pipeline_for(memory=4 * GIB)
    nodes = [info("d", availability=Availability.DRAIN)] + [info(f"n{i}") for i in range(3)]
    assert explain_after(p, *nodes) == "insufficient resources on 3 nodes; 1 node not available for new tasks"


def test_equal_counts_keep_pipeline_order():
    p = pipeline_for(memory=4 * GIB, constraints=["node.role==manager"])
    nodes = [info("c", memory_bytes=8 * GIB), info("r")]
    assert explain_after(p, *nodes) == "insufficient resources on 1 node; scheduling constraints not satisfied on 1 node"


def test_a_passing_node_resets_every_counter():
    p = pipeline_for(constraints=["node.labels.zone==a"])
    assert explain_after(p, info("x"), info("d", availability=Availability.DRAIN), info("a", labels={"zone": "a"})) == ""
    assert explain_after(p, info("y")) == "scheduling constraints not satisfied on 1 node"


def test_a_new_task_resets_the_counters():
    p = pipeline_for(constraints=["node.labels.zone==a"])
    p.process(info("x"))
    p.set_task(task())
    assert p.explain() == ""
