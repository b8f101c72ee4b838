"""Generic resources and the platform filter, as swarmkit's scheduler and docker's parsers have them.

Cases from moby's daemon config tests, swarmkit's genericresource, nodeinfo and scheduler tests
(TestParseDiscrete, TestAddTask, TestRemoveTask, TestSchedulerResourceConstraint,
TestSchedulerCompatiblePlatform), written against swarmsim's builders.
"""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from swarmsim.control.nodeinfo import NodeInfo
from swarmsim.dockercli import genericresource
from swarmsim.dockercli.parse import CommandError, parse_command_line
from swarmsim.model import NodeStatus, Placement, Resources, TaskSpec
from swarmsim.scenario import loads_scenario
from swarmsim.scenario.loader import ScenarioError
from swarmsim.testing.builders import Cluster, assigned, errors, node, run_yaml, running_tasks, task


# -- parsing -------------------------------------------------------------------------------------------------------

def test_terms_parse_as_swarmkit_does():
    assert genericresource.parse(["apple=3"]) == {"apple": 3}
    assert genericresource.parse(["orange=red", "orange=green", "orange=blue", "apple=3"]) == {
        "orange": ("red", "green", "blue"), "apple": 3}


@pytest.mark.parametrize("terms, error", [
    (["foo"], "could not parse GenericResource: incorrect term foo, missing '=' or malformed expression"),
    (["foo=bar", "foo=1"], "could not parse GenericResource: mixed discrete and named resources in expression "
                           "'foo=[bar 1]'"),
    (["apple=3", "apple=4"], "could not parse GenericResource: mixed discrete and named resources in expression "
                             "'apple=[3 4]'"),
    (["apple=-3"], "could not parse GenericResource: cannot ask for negative resource apple"),
    (["a=b=c"], "could not parse GenericResource: incorrect term a=b=c, missing '=' or malformed expression"),
])
def test_bad_terms_fail_with_dockers_words(terms, error):
    with pytest.raises(ValueError) as err:
        genericresource.parse(terms)
    assert str(err.value) == error


def test_the_cli_reserves_discrete_counts_only():
    create = parse_command_line("docker service create --name g --generic-resource GPU=2 --generic-resource SSD=1 img")
    assert create.spec.task.reservations.generic == (("GPU", 2), ("SSD", 1))
    with pytest.raises(CommandError) as err:
        parse_command_line("docker service create --name g --generic-resource GPU=UUID1 img")
    assert str(err.value) == ("invalid generic-resource request `GPU=UUID1`, Named Generic Resources is not "
                              "supported for service create or update")
    with pytest.raises(CommandError) as err:
        parse_command_line("docker service create --name g --generic-resource GPU img")
    assert str(err.value) == ('invalid argument "GPU" for "--generic-resource" flag: invalid generic-resource '
                              'format `GPU` expected `name=value`')


def test_nodes_advertise_counts_and_named_items():
    s = loads_scenario("version: 1\ncluster:\n  nodes:\n    - {name: m, role: manager, platform: linux/aarch64,"
                       " generic_resources: [GPU=UUID1, GPU=UUID2, SSD=2]}\nsteps: []\n")
    decl = s.nodes[0]
    assert decl.generic_resources == {"GPU": ("UUID1", "UUID2"), "SSD": 2}
    assert (decl.os, decl.arch) == ("linux", "aarch64")
    with pytest.raises(ScenarioError, match=":4: .*mixed discrete and named resources in expression 'GPU=\\[a 1\\]'"):
        loads_scenario("version: 1\ncluster:\n  nodes:\n    - {name: m, role: manager, generic_resources: [GPU=a, "
                       "GPU=1]}\nsteps: []\n")
    with pytest.raises(ScenarioError, match="expected a platform such as linux/amd64"):
        loads_scenario("version: 1\ncluster:\n  nodes:\n    - {name: m, role: manager, platform: arm64}\nsteps: []\n")


# -- the node's books (nodeinfo_test.go) ---------------------------------------------------------------------------

def _reserving(**kinds) -> TaskSpec:
    return TaskSpec(image="img", reservations=Resources(generic=tuple(kinds.items())))


def test_a_task_claims_and_gives_back_what_it_reserved():
    info = NodeInfo(node("n1", generic_resources={"orange": ("blue", "red", "green"), "apple": 5}))
    t = task(spec=_reserving(apple=2, orange=1), node="n1")
    info.add_task(t)
    assert info.generic == {"orange": 2, "apple": 3}
    info.remove_task(t)
    assert info.generic == {"orange": 3, "apple": 5}


def test_a_count_used_up_is_no_longer_listed():
    info = NodeInfo(node("n1", generic_resources={"apple": 2}))
    info.add_task(task(spec=_reserving(apple=2), node="n1"))
    assert "apple" not in info.generic
    assert not info.has_generic("apple", 0)  # HasEnough: the kind must be listed, even for a count of 0


@given(st.lists(st.tuples(st.sampled_from(["apple", "orange"]), st.integers(0, 4)), max_size=12))
def test_claims_never_go_below_zero_and_all_come_back(requests):
    offered = {"apple": 6, "orange": ("a", "b", "c", "d")}
    info = NodeInfo(node("n1", generic_resources=offered))
    tasks = []
    for kind, n in requests:
        if info.has_generic(kind, n):
            tasks.append(task(spec=_reserving(**{kind: n}), node="n1"))
            info.add_task(tasks[-1])
        assert all(v > 0 for v in info.generic.values())
    for t in tasks:
        info.remove_task(t)
    assert info.generic == {"apple": 6, "orange": 4}


# -- the scheduler (scheduler_test.go) -----------------------------------------------------------------------------

def test_scheduler_resource_constraint_with_generic_resources():
    small = node("underprovisioned", nano_cpus=10**9, memory_bytes=10**9,
                 generic_resources={"orange": ("blue",), "apple": 1})
    down = [node(f"nonready{i}", status=NodeStatus.UNKNOWN, nano_cpus=2 * 10**9, memory_bytes=2 * 10**9,
                 generic_resources={"orange": ("blue", "red"), "apple": 2}) for i in (1, 2)]
    cluster = Cluster(small, *down)
    spec = TaskSpec(image="img", reservations=Resources(memory_bytes=2 * 10**9, generic=(("orange", 2), ("apple", 2))))
    cluster.pending("serviceID1", spec=spec)
    assert errors(cluster.schedule(seed=1)) == {
        "no suitable node (2 nodes not available for new tasks; insufficient resources on 1 node)"}
    cluster.scheduler.node_updated(node("bignode", nano_cpus=4 * 10**9, memory_bytes=8 * 10**9,
                                        generic_resources={"orange": ("blue", "red", "green", "yellow"), "apple": 4}))
    assert assigned(cluster.schedule(seed=1)) == {"bignode": 1}


def test_scheduler_compatible_platform():
    linux = node("node1", os="linux", arch="x86_64")
    windows = node("node2", os="windows", arch="amd64")
    cluster = Cluster(linux, windows)

    def on(*platforms):
        t = cluster.pending("s1", spec=TaskSpec(image="img", placement=Placement(platforms=platforms)))[0]
        return [d.new for d in cluster.schedule(seed=1) if d.new.id == t.id]

    assert [t.node for t in on(("linux", "amd64"))] == ["node1"]          # x86_64 is amd64
    assert [(t.node, t.err) for t in on(("linux", "arm"))] == [(None, "no suitable node (unsupported platform on 2 nodes)")]
    assert [t.node for t in on(("linux", ""))] == ["node1"]               # an empty architecture matches any
    assert [t.node for t in on(("linux", "amd64"), ("windows", "x86_64"))][0] in ("node1", "node2")


# -- whole runs ----------------------------------------------------------------------------------------------------

PLATFORMS = """
version: 1
seed: 1
cluster:
  nodes:
    - {{name: m1, role: manager}}
    - {{name: arm1, platform: linux/aarch64}}
    - {{name: arm2, platform: linux/aarch64}}
images:
  app:arm: {{platforms: [linux/arm64]}}
  app:amd: {{platforms: [linux/amd64]}}
steps:
  - run: docker service create -d --name a --replicas 4 {flags} app:arm
  - wait: 5s
{more}
"""


def placement(trace, service):
    return {e["node"] for e in running_tasks(trace, service)}


def test_a_resolved_images_platforms_keep_its_tasks_on_matching_nodes():
    assert placement(run_yaml(PLATFORMS.format(flags="", more="")), "a") == {"arm1", "arm2"}
    unresolved = run_yaml(PLATFORMS.format(flags="--no-resolve-image", more=""))
    assert "m1" in placement(unresolved, "a")


def test_an_update_keeps_the_platforms_unless_it_resolves_a_new_image():
    kept = run_yaml(PLATFORMS.format(flags="", more="  - run: docker service update -d --force a\n  - wait: 10s"))
    assert placement(kept, "a") == {"arm1", "arm2"}
    moved = run_yaml(PLATFORMS.format(flags="", more="  - run: docker service update -d --image app:amd a\n"
                                                     "  - wait: 10s"))
    assert placement(moved, "a") == {"m1"}
    blind = run_yaml(PLATFORMS.format(flags="", more="  - run: docker service update -d --no-resolve-image "
                                                     "--image app:amd a\n  - wait: 10s"))
    assert placement(blind, "a") == {"arm1", "arm2"}  # the old image's platforms stay in the spec


def test_a_service_waits_for_a_node_with_the_resources_it_reserves():
    trace = run_yaml("""
version: 1
seed: 1
cluster:
  nodes:
    - {name: m1, role: manager}
    - {name: gpu1, generic_resources: [GPU=UUID1, GPU=UUID2]}
steps:
  - run: docker service create -d --name g --replicas 3 --generic-resource GPU=1 busybox
  - wait: 5s
  - run: docker service ps --no-trunc --format '{{.Node}} {{.CurrentState}} {{.Error}}' g
""")
    assert [e["node"] for e in running_tasks(trace, "g")] == ["gpu1", "gpu1"]
    listing = trace.steps()[-1]["output"]
    assert "no suitable node (insufficient resources on 2 nodes)" in listing


def test_inspect_shows_the_reservation_and_the_platforms_as_the_engine_api_does():
    trace = run_yaml("""
version: 1
cluster: {managers: 1}
images: {app: {platforms: [linux/arm64]}}
steps:
  - run: docker service create -d --name a --generic-resource GPU=1 app
  - run: docker service inspect -f '{{json .Spec.TaskTemplate.Resources}} {{json .Spec.TaskTemplate.Placement}}' a
""")
    assert trace.steps()[-1]["output"] == (
        '{"Limits":{},"Reservations":{"GenericResources":[{"DiscreteResourceSpec":{"Kind":"GPU","Value":1}}]}} '
        '{"Platforms":[{"Architecture":"arm64","OS":"linux"}]}\n')
