"""Good scenario files load into the typed values the backends run."""
from __future__ import annotations

import textwrap

import pytest

from swarmsim.dockercli import commands as c
from swarmsim.model import Availability, PortConfig, Role, ServiceMode, Workload
from swarmsim.model.scenario import (At, Fail, Heal, NetworkDecl, NodeDecl, Partition, Run, Timing, TrafficClient,
                                     WaitConverged, WaitFor)
from swarmsim.scenario import ScenarioError, load_scenario, loads_scenario

FULL = """\
version: 1
name: rolling-update
seed: 7
cluster:
  nodes:
    - {name: m1, role: manager}
    - {name: w1, labels: {zone: a}, engine_labels: {disk: ssd}}
    - {name: w2, cpus: 4, memory: 4GiB, availability: drain, labels: {zone: 2}}
    - {name: w3, joined: false}
networks:
  ov1: {driver: overlay, attachable: true}
services:
  web:
    image: nginx:1.10
    ports: ["8080:22"]
    networks: [ov1]
    deploy:
      replicas: 3
      update_config: {parallelism: 1, delay: 10s}
  mon:
    image: exporter
    deploy: {mode: global}
images:
  nginx:1.10: {size: 50MB, present: [m1, w1], start_time: 1s}
  exporter: {present: none}
timing: {heartbeat_period: 2s, grace_multiplier: 4, pull_rate: 20MB, election_timeout: [5s, 10s],
         contention_scope: node}
traffic:
  - {port: 8080, rate: 10, via: w1, timeout: 500ms, start: 5s, stop: 2m}
  - {port: 8080, rate: 1.5}
steps:
  - wait: converged
    timeout: 2m
  - run: docker service update --image nginx:1.11 web
  - run: swarm join --token SWMTKN-1-worker m1:2377
    on: w3
  - at: 1m
  - fail: {node: w2, kind: crash}
  - partition: [[m1, w1], [w2]]
  - heal: true
  - wait: 30s
  - run: docker network create -d overlay ov2
  - run: docker service create --name api --network ov2 -d api:1
  - run: docker service rm web
  - run: docker node update --availability active w2
    on: m1
"""


@pytest.fixture(scope="module")
def full():
    return loads_scenario(FULL, "full.yaml")


def test_header_and_cluster(full):
    assert (full.name, full.seed, full.source, full.leader) == ("rolling-update", 7, "full.yaml", "m1")
    assert full.nodes == (
        NodeDecl("m1", Role.MANAGER),
        NodeDecl("w1", labels={"zone": "a"}, engine_labels={"disk": "ssd"}),
        NodeDecl("w2", nano_cpus=4_000_000_000, memory_bytes=4 * 1024**3, availability=Availability.DRAIN,
                 labels={"zone": "2"}),
        NodeDecl("w3", joined=False),
    )


def test_services_networks_and_images(full):
    web, mon = full.services
    assert web.name == "web" and web.replicas == 3 and web.task.networks == ("ov1",)
    assert web.endpoint.ports == (PortConfig(22, 8080),)  # not YAML 1.1's base-60 number
    assert web.update_config.delay == 10.0
    assert mon.mode is ServiceMode.GLOBAL
    assert full.networks == (NetworkDecl("ov1", attachable=True),)
    assert full.images == {"nginx:1.10": Workload(size=50_000_000, present=("m1", "w1"), start_time=1.0),
                           "exporter": Workload(present=())}


def test_timing_and_traffic(full):
    assert full.timing.heartbeat_period == 2.0 and full.timing.grace_multiplier == 4
    assert full.timing.pull_rate == 20e6 and full.timing.election_timeout == (5.0, 10.0)
    assert full.timing.contention_scope == "node"
    assert full.timing.stop_delay == Timing().stop_delay
    assert full.traffic == (TrafficClient(8080, 10.0, "w1", 0.5, 5.0, 120.0), TrafficClient(8080, 1.5))


def test_steps_with_their_lines(full):
    steps = full.steps
    assert steps[0] == WaitConverged(timeout=120.0, line=32)
    assert steps[1] == Run(command="docker service update --image nginx:1.11 web",
                           parsed=c.ServiceUpdate("web", (("image", "nginx:1.11"),), resolve_image=True), line=34)
    assert steps[2] == Run(command="swarm join --token SWMTKN-1-worker m1:2377",
                           parsed=c.SwarmJoin("SWMTKN-1-worker", "m1:2377"), on="w3", line=35)
    assert steps[3:8] == (At(60.0, line=37), Fail("w2", "crash", line=38),
                          Partition((("m1", "w1"), ("w2",)), line=39), Heal(line=40), WaitFor(30.0, line=41))
    assert steps[9].parsed.spec.task.networks == ("ov2",) and steps[9].parsed.detach
    assert isinstance(steps[10].parsed, c.ServiceRemove)
    assert steps[11].on == "m1"


def test_shorthand_cluster_names_managers_first():
    s = loads_scenario("version: 1\ncluster: {managers: 3, workers: 2, cpus: 1, memory: 1GiB}\n", "short.yaml")
    assert [(n.name, n.role) for n in s.nodes] == [("node1", Role.MANAGER), ("node2", Role.MANAGER),
                                                   ("node3", Role.MANAGER), ("node4", Role.WORKER),
                                                   ("node5", Role.WORKER)]
    assert {(n.nano_cpus, n.memory_bytes) for n in s.nodes} == {(1_000_000_000, 1024**3)}
    assert (s.name, s.seed, s.services, s.steps, s.timing) == ("short", 0, (), (), Timing())


def test_default_node_size_is_two_cpus_and_two_gib():
    s = loads_scenario("version: 1\ncluster: {}\n")
    assert s.nodes == (NodeDecl("node1", Role.MANAGER, nano_cpus=2_000_000_000, memory_bytes=2 * 1024**3),)


def test_stack_is_imported_relative_to_the_scenario(tmp_path):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "app.yml").write_text(textwrap.dedent("""\
        version: "3.8"
        services:
          web:
            image: nginx
            networks: [front]
        networks:
          front: {driver: overlay}
        """))
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent("""\
        version: 1
        cluster: {managers: 1, workers: 1}
        stack: stacks/app.yml
        services:
          api: {image: api, networks: [front]}
        steps:
          - run: docker service scale web=2
        """))
    s = load_scenario(path)
    assert [x.name for x in s.services] == ["web", "api"]
    assert s.networks == (NetworkDecl("front"),)


def test_errors_in_a_stack_file_name_that_file(tmp_path):
    (tmp_path / "app.yml").write_text("services:\n  web:\n    image: nginx\n    deploy: {replicas: x}\n")
    (tmp_path / "s.yaml").write_text("version: 1\ncluster: {}\nstack: app.yml\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "s.yaml")
    assert str(info.value).startswith(f"{tmp_path / 'app.yml'}:4: services.web.deploy.replicas: ")


def test_a_stack_import_is_read_as_a_stack_deploy_reads_its_file(tmp_path, monkeypatch):
    """${VAR} from the scenario's env: then the process's, a repeated key's last value, and a key YAML reads
    as a number refused in docker's words; as `docker stack deploy -c` reads the same file."""
    monkeypatch.setenv("TAG", "1.25")
    (tmp_path / "app.yml").write_text(textwrap.dedent("""\
        version: "3.8"
        services:
          web:
            image: nginx:${TAG}
            deploy:
              replicas: 1
              replicas: ${N:-9}
        """))
    (tmp_path / "s.yaml").write_text("version: 1\ncluster: {}\nenv: {N: '3'}\nstack: app.yml\n")
    [web] = load_scenario(tmp_path / "s.yaml").services
    assert (web.task.image, web.replicas) == ("nginx:1.25", 3)
    (tmp_path / "app.yml").write_text("version: '3.8'\nservices:\n  web:\n    image: nginx\n    labels: {1: a}\n")
    with pytest.raises(ScenarioError, match=r"app.yml:5: services.web.labels.1: Non-string key in "
                                            r"services.web.labels: 1$"):
        load_scenario(tmp_path / "s.yaml")
    (tmp_path / "app.yml").write_text("version: '3.8'\nservices:\n  web:\n    image: ${NOPE:?set NOPE}\n")
    with pytest.raises(ScenarioError, match=r"app.yml:4: services.web.image: invalid interpolation format .*set NOPE"):
        load_scenario(tmp_path / "s.yaml")


@pytest.mark.parametrize("kind", ["secrets", "configs"])
def test_a_service_created_with_the_scenario_cannot_refer_to_a_secret_or_config(kind, tmp_path):
    """Nothing defines one before the scenario's services are created (a stack import has no such section)."""
    with pytest.raises(ScenarioError, match=rf's.yaml:4: services.web.{kind}: service web: undefined '
                                            rf'{kind[:-1]} "abc" \(a scenario'):
        loads_scenario(f"version: 1\ncluster: {{}}\nservices:\n  web: {{image: nginx, {kind}: [abc]}}\n", "s.yaml")


def test_a_service_both_in_stack_and_scenario_is_refused(tmp_path):
    (tmp_path / "app.yml").write_text("services:\n  web: {image: nginx}\n")
    (tmp_path / "s.yaml").write_text("version: 1\ncluster: {}\nstack: app.yml\nservices:\n  web: {image: x}\n")
    with pytest.raises(ScenarioError, match=r"s.yaml:5: services.web: service web is defined twice"):
        load_scenario(tmp_path / "s.yaml")


def test_names_are_tracked_through_the_steps():
    s = loads_scenario(textwrap.dedent("""\
        version: 1
        cluster: {managers: 1, workers: 1}
        steps:
          - run: docker service create --name web nginx
          - run: docker service rm web
          - run: docker service create --name web nginx:2
          - run: docker swarm leave --force
            on: node2
          - run: docker service ps web
        """))
    assert len(s.steps) == 5


def test_a_node_can_join_leave_and_join_again():
    s = loads_scenario(textwrap.dedent("""\
        version: 1
        cluster:
          nodes: [{name: a, role: manager}, {name: b, joined: false}]
        steps:
          - {run: docker swarm join --token T a:2377, on: b}
          - {run: docker swarm leave, on: b}
          - {run: docker swarm join --token T a:2377, on: b}
          - {run: docker swarm leave --force, on: a}
          - {run: docker swarm join --token T b:2377, on: a}
        """))
    assert [step.on for step in s.steps] == ["b", "b", "b", "a", "a"]


def test_think_pauses_before_each_run_step_and_a_step_may_set_its_own():
    from swarmsim.testing.builders import run_yaml
    text = ("version: 1\ncluster: {managers: 1}\nthink: 2s\nsteps:\n  - run: docker node ls\n"
            "  - run: docker node ls\n    think: 500ms\n  - wait: 1s\n  - run: docker node ls\n    think: 0s\n")
    assert [getattr(s, "think", None) for s in loads_scenario(text).steps] == [None, 0.5, None, 0.0]
    cli = Timing().cli_start  # each run: also costs the CLI's round trip
    assert [e["t"] for e in run_yaml(text).steps()] == pytest.approx(
        [2.0 + cli, 2.5 + 2 * cli, 3.5 + 2 * cli, 3.5 + 3 * cli])


def test_think_goes_with_run_only():
    with pytest.raises(ScenarioError, match="'think' does not go with wait"):
        loads_scenario("version: 1\ncluster: {managers: 1}\nsteps:\n  - wait: 1s\n    think: 1s\n")
