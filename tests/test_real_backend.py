"""The real backend's pure parts, with no swarm: workload commands, refusals, the node layout
and the observer's translation of polled API objects into trace events."""
import subprocess
import sys
from dataclasses import replace

import pytest

from swarmsim.backend import ScenarioRefused
from swarmsim.model import Workload
from swarmsim.scenario import loads_scenario
from swarmsim.trace import TraceWriter
from validation.docker_backend import DockerBackend, capabilities, local_layout, refuse_early, workload_command
from validation.observe import Observer


def scenario(body: str):
    return loads_scenario("version: 1\nname: t\n" + body)


def test_workload_commands():
    assert workload_command(Workload())[2] == 'trap "exit 0" TERM; while true; do sleep 1 & wait $!; done'
    exits = workload_command(Workload(exit_after=3, exit_code=2))[2]
    assert exits.endswith("sleep 3 & wait $!; exit 2")
    assert workload_command(Workload(ignore_sigterm=True))[2].startswith('trap "" TERM')
    assert "httpd -f -p 80 -h /www" in workload_command(Workload(serve_port=80, start_time=1.5))[2]


def test_healthchecks_test_for_the_file_the_workload_touches_when_ready():
    s = scenario("cluster: {managers: 1}\nimages:\n  app:1: {start_time: 1.5s}\n  bad:1: {healthy: false}\n"
                 "steps:\n  - run: docker service create --name w --health-cmd 'curl -f x' --health-interval 2s app:1\n")
    backend = DockerBackend({})
    backend.scenario = s
    spec = s.steps[0].parsed.spec
    container = backend._sdk_spec(spec)["task_template"]["ContainerSpec"]
    assert container["Healthcheck"] == {"Test": ["CMD-SHELL", "test -f /tmp/ready"], "Interval": 2 * 10**9,
                                        "Timeout": 0, "Retries": 0, "StartPeriod": 0}  # 0: the engine's default
    script = container["Command"][-1]
    assert "(sleep 1.5; mkdir -p /tmp; touch /tmp/ready) &" in script
    assert subprocess.run(["sh", "-n", "-c", script]).returncode == 0
    bad = replace(spec, task=replace(spec.task, image="bad:1"))
    container = backend._sdk_spec(bad)["task_template"]["ContainerSpec"]
    assert container["Healthcheck"]["Test"] == ["CMD-SHELL", "false"]
    assert "/tmp/ready" not in " ".join(container["Command"])
    assert "/tmp/ready" not in workload_command(Workload(start_time=1))[2]


def test_mesh_scenarios_are_refused_without_ipvs():
    s = scenario("cluster: {managers: 1}\nsteps:\n  - run: docker service create --name w --publish 80:80 x\n")
    with pytest.raises(ScenarioRefused, match="IPVS"):
        refuse_early(s, frozenset())
    refuse_early(s, frozenset({"ingress", "vip"}))


def test_fault_steps_need_the_local_swarm():
    s = scenario("cluster: {managers: 1, workers: 1}\nsteps:\n  - fail: {node: node2, kind: crash}\n")
    backend = DockerBackend({"node1": object(), "node2": object()}, mesh=False)
    with pytest.raises(ScenarioRefused, match="local swarm"):
        backend.start(s)


def test_local_layout_puts_the_leader_first_and_late_joiners_last():
    s = scenario("cluster:\n  nodes:\n    - {name: w0, role: worker, joined: false}\n    - {name: w1}\n"
                 "    - {name: m1, role: manager}\n")
    layout = local_layout(s, 4)
    assert layout == {"n_nodes": 4, "managers": 1, "hostnames": ["m1", "w1", "extra1", "w0"], "joined": 3,
                      "extra": ("extra1",), "configs": {}}


def test_local_layout_gives_a_node_its_generic_resources_as_daemon_json_lists_them():
    s = scenario("cluster:\n  nodes:\n    - {name: m1, role: manager}\n"
                 "    - {name: w1, generic_resources: [GPU=UUID1, GPU=UUID2, SSD=2]}\n")
    assert local_layout(s, 2)["configs"] == {"w1": {"node-generic-resources": ["GPU=UUID1", "GPU=UUID2", "SSD=2"]}}


def test_hostname_constraints_name_the_real_nodes():
    backend = DockerBackend({}, hostnames={"web1": "ip-10-0-0-5"})
    assert backend._constraint("node.hostname == web1") == "node.hostname == ip-10-0-0-5"
    assert backend._constraint("node.labels.zone==a") == "node.labels.zone==a"


class FakeAPI:
    def __init__(self):
        self.nodes_ = [{"ID": "N1", "CreatedAt": "2026-01-01T00:00:00Z", "UpdatedAt": "2026-01-01T00:00:00Z",
                        "Description": {"Hostname": "node1"}, "Status": {"State": "ready"},
                        "Spec": {"Availability": "active", "Role": "manager"}, "ManagerStatus": {"Leader": True}},
                       {"ID": "X", "CreatedAt": "2026-01-01T00:00:00Z", "UpdatedAt": "2026-01-01T00:00:00Z",
                        "Description": {"Hostname": "somebody-else"}, "Status": {"State": "ready"},
                        "Spec": {"Availability": "active", "Role": "worker"}}]
        self.services_ = [{"ID": "S1", "UpdatedAt": "2026-01-01T00:00:01Z",
                           "Spec": {"Name": "web", "Mode": {"Replicated": {"Replicas": 1}}}}]
        self.tasks_ = []

    def nodes(self):
        return self.nodes_

    def services(self, filters):
        assert filters == {"label": "swarmsim.run=r1"}
        return self.services_

    def tasks(self):
        return self.tasks_


def task(tid, state, desired, at, created="2026-01-01T00:00:01Z", service="S1"):
    return {"ID": tid, "ServiceID": service, "Slot": 1, "NodeID": "N1", "CreatedAt": created, "UpdatedAt": at,
            "DesiredState": desired, "Status": {"State": state, "Timestamp": at, "Message": state},
            "Spec": {"ContainerSpec": {"Image": "swarmsim/busybox:1", "Labels": {"swarmsim.image": "app:1"}}}}


def test_observer_writes_contract_events_with_swarm_timestamps():
    api = FakeAPI()
    client = type("C", (), {"api": api})()
    t0 = 1767225600.0  # 2026-01-01T00:00:00Z
    obs = Observer([client], TraceWriter({"backend": "real"}), t0, "r1", {"node1": "node1"})
    api.tasks_ = [task("A", "running", "running", "2026-01-01T00:00:02.5Z"),
                  task("Z", "running", "running", "2026-01-01T00:00:02Z", service="OTHER")]
    obs.poll()
    obs.poll()  # nothing changed: no new events
    api.tasks_ = [task("A", "shutdown", "shutdown", "2026-01-01T00:00:04Z"),
                  task("B", "running", "running", "2026-01-01T00:00:05Z", created="2026-01-01T00:00:03Z")]
    obs.poll()
    api.services_ = []
    obs.poll()
    trace = obs.finish()
    kinds = [(e["kind"], e.get("task") or e.get("node") or e.get("service")) for e in trace.events]
    assert ("node", "node1") in kinds and all(name != "somebody-else" for _, name in kinds)
    tasks = list(trace.tasks())
    assert [(e["task"], e["gen"], e["state"], e["t"], e["image"]) for e in tasks] == [
        ("web.1", 1, "running", 2.5, "app:1"), ("web.1", 1, "shutdown", 4.0, "app:1"),
        ("web.1", 2, "running", 5.0, "app:1")]
    services = list(trace.of_kind("service"))
    assert services[0]["replicas"] == 1 and services[-1]["msg"] == "removed"


def test_observer_writes_a_deletion_when_a_task_is_no_longer_listed():
    api = FakeAPI()
    client = type("C", (), {"api": api})()
    obs = Observer([client], TraceWriter({"backend": "real"}), 1767225600.0, "r1", {"node1": "node1"})
    api.tasks_ = [task("A", "shutdown", "shutdown", "2026-01-01T00:00:02Z"),
                  task("B", "running", "running", "2026-01-01T00:00:03Z", created="2026-01-01T00:00:02Z")]
    obs.poll()
    api.tasks_ = api.tasks_[1:]  # the task reaper deleted A
    obs.poll()
    obs.poll()
    deleted = list(obs.finish().of_kind("deleted"))
    assert [(e["task"], e["gen"], e["service"], e["slot"], e["node"], e["state"], e["desired"]) for e in deleted] == [
        ("web.1", 1, "web", 1, "node1", "shutdown", "shutdown")]


def test_replay_refuses_bad_input_in_one_line(tmp_path):
    bad = tmp_path / "s.yaml"
    bad.write_text("version: 1\nname: x\ncluster: {managers: 1}\nsteps:\n  - run: docker service create "
                   "--name w --publish 80:80 x\n")
    proc = subprocess.run([sys.executable, "-m", "swarmsim.cli", "replay", str(bad), "--local", "1",
                           "--docker-host", "tcp://h:2376"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_a_partition_drops_traffic_between_groups_in_each_namespace_and_a_heal_takes_it_out(monkeypatch, tmp_path):
    from validation import localswarm
    calls = []
    monkeypatch.setattr(localswarm, "sh", lambda *cmd, **kw: calls.append(cmd))
    swarm = localswarm.LocalSwarm(tmp_path)
    swarm.nodes = {f"node{i}": localswarm.Node(f"node{i}", i, tmp_path / f"node{i}") for i in (1, 2, 3)}
    swarm.partition([["node1", "node2"], ["node3"]])
    rules = [c[5:] for c in calls if "-A" in c]
    chain = localswarm.PARTITION_CHAIN
    ns = {c[3] for c in calls if "-A" in c}
    assert ns == {"swsim-node1", "swsim-node2", "swsim-node3"}
    ip3, ip1 = localswarm.node_ip(3), localswarm.node_ip(1)
    assert ("-w", "-A", chain, "-s", ip3, "-j", "DROP") in rules and ("-w", "-A", chain, "-d", ip3, "-j", "DROP") in rules
    assert ("-w", "-A", chain, "-s", ip1, "-j", "DROP") in rules  # node3's side drops node1 and node2
    assert not any(c[3] == "swsim-node1" and ip1 in c for c in calls if "-A" in c)  # nothing within a group
    calls.clear()
    swarm.heal()
    assert {c[3] for c in calls} == ns and all(c[6] in ("-D", "-F", "-X") for c in calls)


def test_partitions_are_refused_off_a_local_swarm_only():
    s = scenario("cluster: {managers: 1, workers: 1}\nsteps:\n  - partition: [[node2]]\n  - heal: true\n")
    with pytest.raises(ScenarioRefused, match="local swarm only"):
        refuse_early(s, frozenset())
    refuse_early(s, frozenset({"partition"}))


@pytest.mark.parametrize("command", ["docker swarm update --autolock", "docker swarm unlock-key",
                                     "docker swarm unlock"])
def test_autolock_is_refused_on_a_real_swarm_before_anything_runs(command):
    s = scenario(f"cluster: {{managers: 1}}\nsteps:\n  - run: {command}\n")
    with pytest.raises(ScenarioRefused, match="stay locked after a restart"):
        refuse_early(s, capabilities(mesh=True, local=True))
    refuse_early(scenario("cluster: {managers: 1}\nsteps:\n  - run: docker swarm update --autolock=false\n"),
                 capabilities(mesh=True, local=True))


def test_run_services_finds_the_run_label_and_the_stacks_namespaces():
    from validation.observe import run_services
    calls = []

    class API:
        def services(self, filters):
            calls.append(filters["label"])
            return {"swarmsim.run=r1": [{"ID": "A"}], "com.docker.stack.namespace=app": [{"ID": "B"}, {"ID": "A"}]
                    }.get(filters["label"], [])
    assert sorted(s["ID"] for s in run_services(API(), "r1", {"app"})) == ["A", "B"]
    assert calls == ["swarmsim.run=r1", "com.docker.stack.namespace=app"]


def test_stack_steps_run_the_real_cli_in_the_scenarios_folder(tmp_path, monkeypatch):
    (tmp_path / "app.yml").write_text('version: "3.8"\nservices:\n  web:\n    image: swarmsim/busybox:1\n'
                                      '    deploy: {endpoint_mode: dnsrr}\n')
    from swarmsim.scenario import load_scenario
    (tmp_path / "s.yaml").write_text("version: 1\ncluster: {managers: 1}\nsteps:\n"
                                     "  - run: docker stack deploy --resolve-image never -c app.yml app\n")
    s = load_scenario(tmp_path / "s.yaml")
    seen = []
    monkeypatch.setattr(subprocess, "run", lambda argv, **kw: seen.append((argv, kw["cwd"])) or
                        subprocess.CompletedProcess(argv, 0, "Creating service app_web\n", ""))
    backend = DockerBackend({"node1": object()}, urls={"node1": "unix:///x.sock"}, mesh=False)
    backend.scenario = s
    result = backend._run(s.steps[0], s.steps[0].parsed, "node1")
    assert result.ok and result.output == "Creating service app_web"
    assert seen[0][0][1:] == ["-H", "unix:///x.sock", "stack", "deploy", "--resolve-image", "never", "-c",
                              "app.yml", "app"]
    assert seen[0][1] == str(tmp_path) and backend.stacks == {"app"}
    assert backend._spec_of({"Spec": {"Name": "app_web", "Labels": {}, "Mode": {"Replicated": {"Replicas": 4}}}}
                            ).replicas == 4


def test_a_stack_with_vips_on_its_network_needs_the_mesh(tmp_path):
    (tmp_path / "app.yml").write_text('version: "3.8"\nservices:\n  web: {image: nginx}\n')
    from swarmsim.scenario import load_scenario
    (tmp_path / "s.yaml").write_text("version: 1\ncluster: {managers: 1}\nsteps:\n"
                                     "  - run: docker stack deploy -c app.yml app\n")
    with pytest.raises(ScenarioRefused, match="IPVS"):
        refuse_early(load_scenario(tmp_path / "s.yaml"), frozenset())


def test_a_swarm_that_starts_empty_is_refused():
    s = scenario("cluster:\n  nodes: [{name: m, role: manager, joined: false}]\nsteps:\n  - run: docker swarm init\n")
    with pytest.raises(ScenarioRefused, match="starts empty"):
        refuse_early(s, frozenset({"ingress", "vip", "partition"}))
