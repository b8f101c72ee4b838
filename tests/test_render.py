"""Exact docker CLI output, checked against the formats in docker/cli v20.10.24.

Column widths are Go tabwriter(minwidth 10, padding 3): max(10, widest cell + 3).
"""
import json
from dataclasses import replace

import pytest

from swarmsim.dockercli import render
from swarmsim.model import (Availability, EndpointSpec, FailureAction, Node, NodeStatus, Placement, PortConfig,
                            Resources, Role, Service, ServiceMode, ServiceSpec, Task, TaskSpec, TaskState,
                            UpdateConfig, UpdateOrder, UpdateState, UpdateStatus)

NODE1 = Node("node1", "n1aaaaaaaaaaaaaaaaaaaaaaa", role=Role.MANAGER, leader=True, addr="10.0.0.1",
             labels={"zone": "a"})
NODE2 = Node("node2", "n2bbbbbbbbbbbbbbbbbbbbbbb", role=Role.MANAGER, status=NodeStatus.DOWN,
             availability=Availability.DRAIN)
NODE10 = Node("node10", "n3ccccccccccccccccccccccc")
NODES = {n.name: n for n in (NODE1, NODE2, NODE10)}
NGINX = TaskSpec("nginx:1.25")


def row(widths, *cells):
    """One tabwriter line: each cell but the last left-aligned in its (hand-computed) column width."""
    return "".join(c.ljust(w) for c, w in zip(cells, widths)) + cells[-1] + "\n"


def sid(name):
    return f"{name}id".ljust(25, "0")


def task(ident, slot, node, state, desired=TaskState.RUNNING, *, created=0.0, at=0.0, err="", service="web",
         spec=NGINX, endpoint=EndpointSpec()):
    return Task(id=ident, service=service, service_id=sid(service), slot=slot, node=node, gen=0, spec=spec,
                spec_version=1, endpoint=endpoint, state=state, desired=desired, err=err, created_at=created,
                status_at=at)


def service(name, ident, *, mode=ServiceMode.REPLICATED, replicas=1, **task_fields):
    return Service(id=ident, spec=ServiceSpec(name=name, task=TaskSpec(**task_fields), mode=mode, replicas=replicas))


WEB_TASKS = [
    task("x0aaaaaaaaaaaaaaaaaaaaaaa", 1, "node1", TaskState.FAILED, TaskState.SHUTDOWN, created=0, at=8,
         err="task: non-zero exit (1)"),
    task("x1aaaaaaaaaaaaaaaaaaaaaaa", 1, "node1", TaskState.RUNNING, created=10, at=95),
    task("x2aaaaaaaaaaaaaaaaaaaaaaa", 2, None, TaskState.PENDING, created=20, at=20,
         err="no suitable node (scheduling constraints not satisfied on 3 nodes)"),
]


@pytest.mark.parametrize("seconds, text", [
    (0.4, "Less than a second ago"), (1, "1 second ago"), (59.9, "59 seconds ago"), (60, "About a minute ago"),
    (119, "About a minute ago"), (180, "3 minutes ago"), (3599, "59 minutes ago"), (3600, "About an hour ago"),
    (5400, "2 hours ago"), (47 * 3600, "47 hours ago"), (48 * 3600, "2 days ago"), (15 * 86400, "2 weeks ago"),
    (61 * 86400, "2 months ago"), (800 * 86400, "2 years ago"), (-3, "Less than a second ago"),
])
def test_humanize_since_is_go_units_human_duration(seconds, text):
    assert render.humanize_since(seconds) == text


def test_service_ps_history_rows_pending_error_and_truncation():
    # widths: 12-char IDs, " \\_ web.1", "nginx:1.25", "node1", "DESIRED STATE",
    # "Pending about a minute ago", the 32-char quoted error, each + 3
    widths = (15, 12, 13, 10, 16, 29, 35)
    assert render.service_ps(WEB_TASKS, NODES, now=100) == (
        row(widths, "ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS")
        + row(widths, "x1aaaaaaaaaa", "web.1", "nginx:1.25", "node1", "Running", "Running 5 seconds ago", "", "")
        + row(widths, "x0aaaaaaaaaa", " \\_ web.1", "nginx:1.25", "node1", "Shutdown", "Failed about a minute ago",
              '"task: non-zero exit (1)"', "")
        + row(widths, "x2aaaaaaaaaa", "web.2", "nginx:1.25", "", "Running", "Pending about a minute ago",
              '"no suitable node (scheduling …"', "")
    )


def test_service_ps_no_trunc_keeps_ids_errors_and_image_digests():
    spec = TaskSpec("docker.io/library/nginx:1.25@sha256:0123")
    pending = task("x2aaaaaaaaaaaaaaaaaaaaaaa", 1, None, TaskState.PENDING, at=100, spec=spec,
                   err="no suitable node (insufficient resources on 3 nodes)")
    assert render.service_ps([pending], NODES, now=100, no_trunc=True).splitlines()[1] == (
        "x2aaaaaaaaaaaaaaaaaaaaaaa   web.1     docker.io/library/nginx:1.25@sha256:0123" + " " * 13 + "Running"
        "         Pending less than a second ago   \"no suitable node (insufficient resources on 3 nodes)\"   ")
    assert "nginx:1.25   " in render.service_ps([pending], NODES, now=100).splitlines()[1]


@pytest.mark.parametrize("image, shown", [
    ("nginx", "nginx"), ("nginx:1.25", "nginx:1.25"), ("nginx:1.25@sha256:0123", "nginx:1.25"),
    ("docker.io/library/nginx:1.25", "nginx:1.25"), ("docker.io/nginx:1", "nginx:1"),
    ("library/nginx:1", "nginx:1"), ("docker.io/prom/node-exporter:v1", "prom/node-exporter:v1"),
    ("localhost:5000/app:v2@sha256:0123", "localhost:5000/app:v2"), ("localhost:5000/app", "localhost:5000/app"),
    ("nginx@sha256:0123", "nginx@sha256:0123"),
])
def test_service_ps_image_is_the_familiar_tagged_name(image, shown):
    running = task("x1aaaaaaaaaaaaaaaaaaaaaaa", 1, "node1", TaskState.RUNNING, spec=TaskSpec(image))
    assert render.service_ps([running], NODES, now=0).splitlines()[1].split()[2] == shown


def test_service_ps_orders_slots_naturally_and_names_global_tasks_by_node_id():
    host = EndpointSpec(ports=(PortConfig(80, 8080, mode="host"), PortConfig(443, 8443, "udp", "ingress")))
    tasks = [
        task("g2aaaaaaaaaaaaaaaaaaaaaaa", 0, "node2", TaskState.SHUTDOWN, TaskState.SHUTDOWN, service="mon",
             at=40, endpoint=host),
        task("g1aaaaaaaaaaaaaaaaaaaaaaa", 0, "node1", TaskState.RUNNING, service="mon", at=40, endpoint=host),
    ]
    widths = (15, 32, 13, 10, 16, 30, 10)
    assert render.service_ps(tasks, NODES, now=100) == (
        row(widths, "ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS")
        + row(widths, "g1aaaaaaaaaa", "mon.n1aaaaaaaaaaaaaaaaaaaaaaa", "nginx:1.25", "node1", "Running",
              "Running about a minute ago", "", "*:8080->80/tcp,*:8080->80/tcp")  # 20.10 binds 0.0.0.0 and ::
        + row(widths, "g2aaaaaaaaaa", "mon.n2bbbbbbbbbbbbbbbbbbbbbbb", "nginx:1.25", "node2", "Shutdown",
              "Shutdown about a minute ago", "", "")
    )
    slots = [task(f"s{n:02d}aaaaaaaaaaaaaaaaaaaaaa", n, "node1", TaskState.RUNNING) for n in (10, 2, 1)]
    names = [line.split()[1] for line in render.service_ps(slots, NODES, now=0).splitlines()[1:]]
    assert names == ["web.1", "web.2", "web.10"]


def test_service_ps_quiet_prints_full_ids_and_filters_apply():
    assert render.service_ps(WEB_TASKS, NODES, now=100, quiet=True) == (
        "x1aaaaaaaaaaaaaaaaaaaaaaa\nx0aaaaaaaaaaaaaaaaaaaaaaa\nx2aaaaaaaaaaaaaaaaaaaaaaa\n")
    running = render.service_ps(WEB_TASKS, NODES, now=100, quiet=True, filters=(("desired-state", "running"),))
    assert running == "x1aaaaaaaaaaaaaaaaaaaaaaa\nx2aaaaaaaaaaaaaaaaaaaaaaa\n"
    on_node1 = (("node", "n1aaa"), ("desired-state", "shutdown"), ("desired-state", "running"))
    assert render.service_ps(WEB_TASKS, NODES, 100, quiet=True, filters=on_node1) == (
        "x1aaaaaaaaaaaaaaaaaaaaaaa\nx0aaaaaaaaaaaaaaaaaaaaaaa\n")
    assert render.service_ps(WEB_TASKS, NODES, 100, quiet=True, filters=(("name", "web.2."),)) == (
        "x2aaaaaaaaaaaaaaaaaaaaaaa\n")


@pytest.mark.parametrize("filters, message", [
    ((("desired-state", "sleeping"),), "Invalid desired-state filter: 'sleeping'"),
    ((("colour", "red"),), "Invalid filter 'colour'"),
    ((("node", "nodeX"),), "node nodeX not found"),
    ((("node", "n"),), "node n is ambiguous (3 matches found)"),
])
def test_service_ps_rejects_filters_like_the_daemon(filters, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        render.service_ps(WEB_TASKS, NODES, 100, filters=filters)


def test_service_ps_with_no_tasks_prints_the_header():
    assert render.service_ps([], NODES, 0) == (
        "ID        NAME      IMAGE     NODE      DESIRED STATE   CURRENT STATE   ERROR     PORTS\n")


def test_service_ls_counts_replicas_as_swarmkit_does():
    ports = (PortConfig(81, 8081), PortConfig(53, 53, "udp"), PortConfig(80, 8080), PortConfig(9, 9000, mode="host"))
    services = [
        Service(sid("web"), ServiceSpec(
            "web", TaskSpec("nginx:1.25", placement=Placement(max_replicas=1)), replicas=3,
            endpoint=EndpointSpec(ports=ports))),
        service("mon", sid("mon"), mode=ServiceMode.GLOBAL, image="prom/node-exporter"),
        service("api", sid("api"), replicas=2, image="docker.io/library/redis:7@sha256:abc"),
    ]
    tasks = [
        task("w1", 1, "node1", TaskState.RUNNING), task("w2", 2, "node2", TaskState.RUNNING),
        task("w3", 3, None, TaskState.PENDING),
        task("m1", 0, "node1", TaskState.RUNNING, service="mon"),
        task("m2", 0, "node2", TaskState.STARTING, service="mon"),
        task("m3", 0, "node10", TaskState.SHUTDOWN, TaskState.SHUTDOWN, service="mon"),
    ]
    assert render.service_ls(services, tasks) == (
        "ID             NAME      MODE         REPLICAS               IMAGE                PORTS\n"
        "apiid0000000   api       replicated   0/2                    redis:7              \n"
        "monid0000000   mon       global       1/2                    prom/node-exporter   \n"
        "webid0000000   web       replicated   2/3 (max 1 per node)   nginx:1.25           "
        "*:8080-8081->80-81/tcp, *:53->53/udp\n"
    )
    assert render.service_ls(services, tasks, quiet=True) == "apiid0000000\nmonid0000000\nwebid0000000\n"


@pytest.mark.parametrize("ports, text", [
    ([(8080, 80), (8081, 80)], "*:8080-8081->80"),
    ([(8080, 80), (8081, 81), (8082, 80)], "*:8080-8081->80-81/tcp, *:8082->80"),
    ([(8080, 80), (8090, 81)], "*:8080->80/tcp, *:8090->81"),
])
def test_service_ls_groups_ingress_port_ranges(ports, text):
    svc = Service("s", ServiceSpec("s", NGINX, endpoint=EndpointSpec(ports=tuple(
        PortConfig(target, published) for published, target in ports))))
    assert render.service_ls([svc], []).splitlines()[1].endswith(text + "/tcp")


def test_service_inspect_pretty_full_template():
    spec = ServiceSpec(
        name="web",
        task=TaskSpec("nginx:1.25", args=("nginx", "-g", "daemon off;"), env=("A=1",),
                      reservations=Resources(500_000_000, 64 * 1024**2), limits=Resources(memory_bytes=128 * 1024**2),
                      placement=Placement(("node.role==worker",), ("node.labels.zone",), 2), networks=("backend",)),
        replicas=3,
        endpoint=EndpointSpec(ports=(PortConfig(80, 8080),)),
        update_config=UpdateConfig(2, 10.0, FailureAction.ROLLBACK, 5.0, 0.25, UpdateOrder.START_FIRST),
        labels={"tier": "front", "canary": ""},
    )
    svc = Service("svcweb0000000000000000000", spec,
                  update_status=UpdateStatus(UpdateState.COMPLETED, "update completed", 10.0, 70.0))
    assert render.service_inspect_pretty(svc, now=100) == (
        "\n"
        "ID:\t\tsvcweb0000000000000000000\n"
        "Name:\t\tweb\n"
        "Labels:\n"
        " canary\n"
        " tier=front\n"
        "Service Mode:\tReplicated\n"
        " Replicas:\t3\n"
        "UpdateStatus:\n"
        " State:\t\tcompleted\n"
        " Started:\tAbout a minute ago\n"
        " Completed:\t30 seconds ago\n"
        " Message:\tupdate completed\n"
        "Placement:\n"
        " Constraints:\t[node.role==worker]\n"
        " Preferences:   [spread=node.labels.zone]\n"
        " Max Replicas Per Node:   2\n"
        "UpdateConfig:\n"
        " Parallelism:\t2\n"
        " Delay:\t\t10s\n"
        " On failure:\trollback\n"
        " Monitoring Period: 5s\n"
        " Max failure ratio: 0.25\n"
        " Update order:      start-first\n"
        "RollbackConfig:\n"
        " Parallelism:\t1\n"
        " On failure:\tpause\n"
        " Monitoring Period: 5s\n"
        " Max failure ratio: 0\n"
        " Rollback order:    stop-first\n"
        "ContainerSpec:\n"
        " Image:\t\tnginx:1.25\n"
        " Args:\t\tnginx -g daemon off; \n"
        " Env:\t\tA=1 \n"
        " Init:\t\tfalse\n"
        "Resources:\n"
        " Reservations:\n"
        "  CPU:\t\t0.5\n"
        "  Memory:\t64MiB\n"
        " Limits:\n"
        "  Memory:\t128MiB\n"
        "Networks: backend \n"
        "Endpoint Mode:\tvip\n"
        "Ports:\n"
        " PublishedPort = 8080\n"
        "  Protocol = tcp\n"
        "  TargetPort = 80\n"
        "  PublishMode = ingress \n"
        "\n"
    )


def test_service_inspect_pretty_defaults_and_global_mode():
    defaults = (
        "Placement:\n"
        "UpdateConfig:\n Parallelism:\t1\n On failure:\tpause\n Monitoring Period: 5s\n Max failure ratio: 0\n"
        " Update order:      stop-first\n"
        "RollbackConfig:\n Parallelism:\t1\n On failure:\tpause\n Monitoring Period: 5s\n Max failure ratio: 0\n"
        " Rollback order:    stop-first\n"
        "ContainerSpec:\n Image:\t\tprom/node-exporter\n Init:\t\tfalse\n"
        "Resources:\n"
        "Endpoint Mode:\tvip\n"
        "\n"
    )
    mon = service("mon", "monid", mode=ServiceMode.GLOBAL, image="prom/node-exporter")
    assert render.service_inspect_pretty(mon, now=0) == (
        "\nID:\t\tmonid\nName:\t\tmon\nService Mode:\tGlobal\n" + defaults)
    updating = Service("monid", mon.spec, update_status=UpdateStatus(UpdateState.UPDATING, "update in progress"))
    assert render.service_inspect_pretty(updating, now=0) == (
        "\nID:\t\tmonid\nName:\t\tmon\nService Mode:\tGlobal\n"
        "UpdateStatus:\n State:\t\tupdating\n Message:\tupdate in progress\n" + defaults)


def test_service_inspect_json_matches_docker_for_a_cli_created_service():
    svc = Service("svc1", ServiceSpec("web", NGINX, replicas=2), version=7, created_at=1.5, updated_at=60)
    assert render.service_inspect_json([svc]) == """[
    {
        "ID": "svc1",
        "Version": {
            "Index": 7
        },
        "CreatedAt": "2026-01-01T00:00:01.5Z",
        "UpdatedAt": "2026-01-01T00:01:00Z",
        "Spec": {
            "Name": "web",
            "Labels": {},
            "TaskTemplate": {
                "ContainerSpec": {
                    "Image": "nginx:1.25",
                    "Init": false,
                    "StopGracePeriod": 10000000000,
                    "DNSConfig": {},
                    "Isolation": "default"
                },
                "Resources": {
                    "Limits": {},
                    "Reservations": {}
                },
                "RestartPolicy": {
                    "Condition": "any",
                    "Delay": 5000000000,
                    "MaxAttempts": 0
                },
                "Placement": {},
                "ForceUpdate": 0,
                "Runtime": "container"
            },
            "Mode": {
                "Replicated": {
                    "Replicas": 2
                }
            },
            "UpdateConfig": {
                "Parallelism": 1,
                "FailureAction": "pause",
                "Monitor": 5000000000,
                "MaxFailureRatio": 0,
                "Order": "stop-first"
            },
            "RollbackConfig": {
                "Parallelism": 1,
                "FailureAction": "pause",
                "Monitor": 5000000000,
                "MaxFailureRatio": 0,
                "Order": "stop-first"
            },
            "EndpointSpec": {
                "Mode": "vip"
            }
        },
        "Endpoint": {
            "Spec": {}
        }
    }
]
"""
    assert render.service_inspect_json([]) == "[]\n"


def test_service_inspect_json_previous_spec_update_status_and_go_escaping():
    old = ServiceSpec("web", NGINX, mode=ServiceMode.GLOBAL)
    new = ServiceSpec("web", TaskSpec("nginx:1.26", env=("A=<&>",), networks=("backend",),
                                      placement=Placement(preferences=("node.labels.zone",))),
                      mode=ServiceMode.GLOBAL, endpoint=EndpointSpec("dnsrr", (PortConfig(80, 8080, mode="host"),)),
                      update_config=UpdateConfig(delay=2.5, max_failure_ratio=0.2))
    svc = Service("svc1", new, previous_spec=old,
                  update_status=UpdateStatus(UpdateState.ROLLBACK_STARTED, "rolling back", started_at=3.0))
    text = render.service_inspect_json([svc])
    assert '"A=\\u003c\\u0026\\u003e"' in text
    [doc] = json.loads(text)
    assert doc["PreviousSpec"]["TaskTemplate"]["ContainerSpec"]["Image"] == "nginx:1.25"
    assert doc["UpdateStatus"] == {"State": "rollback_started", "StartedAt": "2026-01-01T00:00:03Z",
                                   "Message": "rolling back"}
    spec = doc["Spec"]
    assert spec["Mode"] == {"Global": {}}
    assert spec["TaskTemplate"]["Networks"] == [{"Target": "backend"}]
    assert spec["TaskTemplate"]["Placement"] == {"Preferences": [{"Spread": {"SpreadDescriptor": "node.labels.zone"}}]}
    assert spec["UpdateConfig"] == {"Parallelism": 1, "Delay": 2_500_000_000, "FailureAction": "pause",
                                    "Monitor": 5_000_000_000, "MaxFailureRatio": 0.2, "Order": "stop-first"}
    assert spec["EndpointSpec"] == {"Mode": "dnsrr", "Ports": [
        {"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "host"}]}


def test_node_ls_marks_self_leader_and_unreachable_managers():
    assert render.node_ls(NODES.values(), current="node1") == (
        "ID                            HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION\n"
        "n1aaaaaaaaaaaaaaaaaaaaaaa *   node1      Ready     Active         Leader           20.10.24\n"
        "n2bbbbbbbbbbbbbbbbbbbbbbb     node2      Down      Drain          Unreachable      20.10.24\n"
        "n3ccccccccccccccccccccccc     node10     Ready     Active                          20.10.24\n"
    )
    assert render.node_ls(NODES.values(), "node1", quiet=True) == (
        "n1aaaaaaaaaaaaaaaaaaaaaaa\nn2bbbbbbbbbbbbbbbbbbbbbbb\nn3ccccccccccccccccccccccc\n")


NODE_TAIL = (  # a default node's platform, resources and engine version
        "Platform:\n"
        " Operating System:\tlinux\n"
        " Architecture:\t\tx86_64\n"
        "Resources:\n"
        " CPUs:\t\t\t2\n"
        " Memory:\t\t2GiB\n"
        "Plugins:\n"
        " Log:\t\tawslogs, fluentd, gcplogs, gelf, journald, json-file, local, logentries, splunk, syslog\n"
        " Network:\t\tbridge, host, ipvlan, macvlan, null, overlay\n"
        " Volume:\t\tlocal\n"
        "Engine Version:\t\t20.10.24\n"
)


def test_node_inspect_pretty():
    assert render.node_inspect_pretty(replace(NODE1, created_at=1.5)) == (
        "ID:\t\t\tn1aaaaaaaaaaaaaaaaaaaaaaa\n"
        "Labels:\n"
        " - zone=a\n"
        "Hostname:              \tnode1\n"
        "Joined at:             \t2026-01-01 00:00:01.5 +0000 utc\n"  # PrettyPrint lower-cases all but the first letter
        "Status:\n"
        " State:\t\t\tReady\n"
        " Availability:         \tActive\n"
        " Address:\t\t10.0.0.1\n"
        "Manager Status:\n"
        " Address:\t\t10.0.0.1:2377\n"
        " Raft Status:\t\tReachable\n"
        " Leader:\t\tYes\n"
        + NODE_TAIL
    )
    worker = Node("w1", "w1id", status=NodeStatus.DOWN, status_msg="heartbeat failure", engine_labels={"ssd": ""})
    assert render.node_inspect_pretty(worker) == (
        "ID:\t\t\tw1id\n"
        "Hostname:              \tw1\n"
        "Joined at:             \t2026-01-01 00:00:00 +0000 utc\n"
        "Status:\n"
        " State:\t\t\tDown\n"
        " Message:              \tHeartbeat failure\n"
        " Availability:         \tActive\n"
        + NODE_TAIL
        + "Engine Labels:\n"
        " - ssd\n"
    )


def test_network_ls_sorts_by_name_and_truncates_ids():
    networks = [
        ("1111111111111111aaaa", "bridge", "bridge", "local"),
        ("2222222222222222bbbb", "docker_gwbridge", "bridge", "local"),
        ("3333333333333333cccc", "host", "host", "local"),
        ("4444444444444444dddd", "ingress", "overlay", "swarm"),
        ("5555555555555555eeee", "none", "null", "local"),
        ("6666666666666666ffff", "backend", "overlay", "swarm"),
    ]
    assert render.network_ls(networks) == (
        "NETWORK ID     NAME              DRIVER    SCOPE\n"
        "666666666666   backend           overlay   swarm\n"
        "111111111111   bridge            bridge    local\n"
        "222222222222   docker_gwbridge   bridge    local\n"
        "333333333333   host              host      local\n"
        "444444444444   ingress           overlay   swarm\n"
        "555555555555   none              null      local\n"
    )
    assert render.network_ls(networks[:2], quiet=True) == "111111111111\n222222222222\n"


def test_service_logs_prefix_pads_to_the_replica_count():
    web = service("web", "webid", replicas=10, image="nginx")
    tasks = [
        task("t10aaaaaaaaaaaaaaaaaaaaaa", 10, "node2", TaskState.RUNNING),
        task("t1newaaaaaaaaaaaaaaaaaaaa", 1, "node1", TaskState.RUNNING, created=10),
        task("t1oldaaaaaaaaaaaaaaaaaaaa", 1, "node1", TaskState.FAILED, TaskState.SHUTDOWN, created=0),
    ]
    lines = {"t10aaaaaaaaaaaaaaaaaaaaaa": [(3.0, "ten")], "t1newaaaaaaaaaaaaaaaaaaaa": [(1.0, "new"), (2.0, "again")],
             "t1oldaaaaaaaaaaaaaaaaaaaa": [(0.5, "old")]}
    assert render.service_logs(web, tasks, NODES, lines) == (
        "web.1.t1oldaaaaaaa@node1     | old\n"
        "web.1.t1newaaaaaaa@node1     | new\n"
        "web.1.t1newaaaaaaa@node1     | again\n"
        "web.10.t10aaaaaaaaa@node2    | ten\n"
    )
    mon = service("mon", "monid", mode=ServiceMode.GLOBAL, image="nginx")
    global_task = task("g1aaaaaaaaaaaaaaaaaaaaaaa", 0, "node1", TaskState.RUNNING, service="mon")
    assert render.service_logs(mon, [global_task], NODES, {global_task.id: [(1.0, "up")]}) == (
        "mon.0.g1aaaaaaaaaa@node1    | up\n")


def test_join_token():
    assert render.join_token("worker", "SWMTKN-1-abc-def", "10.0.0.1:2377") == (
        "To add a worker to this swarm, run the following command:\n"
        "\n"
        "    docker swarm join --token SWMTKN-1-abc-def 10.0.0.1:2377\n"
        "\n"
    )
    assert render.join_token("manager", "SWMTKN-1-abc-xyz", "10.0.0.1:2377", quiet=True) == "SWMTKN-1-abc-xyz\n"
