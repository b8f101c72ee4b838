"""docker CLI lines parse into the command values docker/cli would build, with its defaults and errors."""
from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, strategies as st

from swarmsim.dockercli import commands as c
from swarmsim.dockercli.parse import CommandError, apply_update, parse_command, parse_command_line
from swarmsim.model import (Availability, FailureAction, PortConfig, Resources, RestartCondition, RestartPolicy,
                            ServiceMode, UpdateConfig, UpdateOrder)
from swarmsim.model.service import Healthcheck


def create(line: str):
    cmd = parse_command_line("docker service create " + line)
    assert isinstance(cmd, c.ServiceCreate)
    return cmd.spec


def updated(spec, line: str):
    cmd = parse_command_line(f"docker service update {line} {spec.name}")
    return apply_update(spec, cmd.changes)


# -- service create ------------------------------------------------------------------------------------------------

def test_create_defaults_are_dockers():
    spec = create("--name web nginx:1.10")
    assert (spec.name, spec.task.image, spec.mode, spec.replicas) == ("web", "nginx:1.10", ServiceMode.REPLICATED, 1)
    assert spec.endpoint.mode == "vip" and spec.endpoint.ports == ()
    assert spec.update_config == spec.rollback_config == UpdateConfig(
        parallelism=1, delay=0.0, failure_action=FailureAction.PAUSE, monitor=5.0, max_failure_ratio=0.0,
        order=UpdateOrder.STOP_FIRST)
    assert spec.task.restart_policy == RestartPolicy(RestartCondition.ANY, delay=5.0, max_attempts=0, window=None)
    assert spec.task.stop_grace_period == 10.0
    assert spec.task.reservations == spec.task.limits == Resources()
    assert spec.labels == {} and spec.task.env == () and spec.task.networks == ()


def test_create_image_command_and_args_stop_flag_parsing():
    spec = create("--name w busybox sh -c 'sleep 5' --replicas 3")
    assert spec.task.args == ("sh", "-c", "sleep 5", "--replicas", "3")
    assert spec.replicas == 1


def test_create_resources_and_grace():
    spec = create("--name w --reserve-cpu 0.5 --reserve-memory 256MiB --limit-cpu 1 --limit-memory 1g "
                  "--stop-grace-period 1m30s nginx")
    assert spec.task.reservations == Resources(500_000_000, 256 * 1024**2)
    assert spec.task.limits == Resources(1_000_000_000, 1024**3)
    assert spec.task.stop_grace_period == 90.0


def test_create_placement():
    spec = create("--name w --constraint node.role==worker --constraint 'node.labels.zone != b' "
                  "--placement-pref spread=node.labels.zone --replicas-max-per-node 2 nginx")
    assert spec.task.placement.constraints == ("node.role==worker", "node.labels.zone != b")
    assert spec.task.placement.preferences == ("node.labels.zone",)
    assert spec.task.placement.max_replicas == 2


def test_create_restart_update_and_rollback_flags_merge_onto_defaults():
    spec = create("--name w --restart-condition on-failure --restart-max-attempts 3 --restart-window 2m "
                  "--update-parallelism 2 --update-delay 10s --update-order start-first "
                  "--update-failure-action rollback --update-monitor 1s --update-max-failure-ratio 0.25 "
                  "--rollback-parallelism 0 --rollback-failure-action continue nginx")
    assert spec.task.restart_policy == RestartPolicy(RestartCondition.ON_FAILURE, 5.0, 3, 120.0)
    assert spec.update_config == UpdateConfig(2, 10.0, FailureAction.ROLLBACK, 1.0, 0.25, UpdateOrder.START_FIRST)
    assert spec.rollback_config == UpdateConfig(parallelism=0, failure_action=FailureAction.CONTINUE)


@pytest.mark.parametrize("flag, ports", [
    ("-p 8080:80", (PortConfig(80, 8080),)),
    ("--publish 53:53/udp", (PortConfig(53, 53, "udp"),)),
    ("-p 80", (PortConfig(80, 0),)),
    ("-p8080-8081:80-81", (PortConfig(80, 8080), PortConfig(81, 8081))),
    ("--publish published=8080,target=80,mode=host,protocol=tcp", (PortConfig(80, 8080, "tcp", "host"),)),
    ("--publish=target=80", (PortConfig(80, 0),)),
    # seen on docker 20.10.24: a host range to one container port is one port per published port, same target
    ("-p 8000-8002:80", (PortConfig(80, 8000), PortConfig(80, 8001), PortConfig(80, 8002))),
    ("-p 8080:80/TCP", (PortConfig(80, 8080),)),
    ("-p Published=8080,Target=80,Mode=HOST", (PortConfig(80, 8080, "tcp", "host"),)),
])
def test_create_publish_forms(flag, ports):
    assert create(f"--name w {flag} nginx").endpoint.ports == ports


def test_create_env_labels_networks_and_shorthands():
    spec = create("--name w -e A=1 --env B=2 -e A=3 -l tier=web --label team=x --network ov1 --network name=ov2 "
                  "-dq nginx")
    assert spec.task.env == ("B=2", "A=3")
    assert spec.labels == {"tier": "web", "team": "x"}
    assert spec.task.networks == ("ov1", "ov2")
    assert parse_command_line("service create -d --name w nginx").detach is True
    assert parse_command_line("service create --detach=false --name w nginx").detach is False


def test_create_global_and_accepted_noops():
    spec = create("--name mon --mode global --no-resolve-image --with-registry-auth prom/node-exporter")
    assert spec.mode is ServiceMode.GLOBAL


def test_create_dnsrr_with_host_port_is_fine():
    spec = create("--name w --endpoint-mode dnsrr -p published=80,target=80,mode=host nginx")
    assert spec.endpoint.mode == "dnsrr"


# -- errors --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, message", [
    ("service create --name w --replica 3 nginx", "unknown flag: --replica (did you mean --replicas?)"),
    ("service create --name w --frobnicate nginx", "unknown flag: --frobnicate ('docker service create' accepts:"),
    ("node ls -x", "unknown shorthand flag: 'x' in -x"),
    ("service create --name w --replicas x nginx",
     'invalid argument "x" for "--replicas" flag: strconv.ParseUint: parsing "x": invalid syntax'),
    ("service create --name w -p 80:x nginx", 'invalid argument "80:x" for "-p, --publish" flag: Invalid containerPort: x'),
    ("service create --name w --detach=maybe nginx", 'invalid argument "maybe" for "-d, --detach" flag'),
    ("service create --name w nginx --replicas", None),  # after the image: an argument, not a flag
    ("service update web --replicas", "flag needs an argument: --replicas"),
    ("service create --name w -p", "flag needs an argument: 'p' in -p"),
    ("service create", '"docker service create" requires at least 1 argument.'),
    ("service update", '"docker service update" requires exactly 1 argument.'),
    ("service update a b", '"docker service update" requires exactly 1 argument.'),
    ("service ls web", '"docker service ls" accepts no arguments.'),
    ("servce ls", 'unknown command "servce" for "docker"'),
    ("service start web", 'unknown command "start" for "docker service"'),
    ("", 'unknown command "" for "docker"'),
    ("service create --help", "--help is not a scenario step"),
    ("node ls -h", "--help is not a scenario step"),
    ("--help", "--help is not a scenario step: run `docker --help`"),
    ("service --help", "run `docker service --help`"),
    ("network help", "run `docker network --help`"),
    ("service create --name w --mode global --replicas 2 nginx",
     "replicas can only be used with replicated or replicated-job mode"),
    ("service create --name w --mode global --replicas-max-per-node 1 nginx",
     "replicas-max-per-node can only be used with replicated or replicated-job mode"),
    ("service create --name w --mode job nginx", "Unknown mode: job, only replicated and global supported"),
    ("service create --name w --restart-condition ON-FAILURE nginx",
     'Error response from daemon: invalid RestartCondition: "ON-FAILURE"'),
    ("service create --name w --update-order START-FIRST nginx",
     "Error response from daemon: unrecognized update order START-FIRST"),
    ("service create --name w --endpoint-mode foo nginx", 'Error response from daemon: invalid resolution mode: "foo"'),
    ("service create --name w --log-driver json-file --log-opt '' nginx",
     'invalid argument "" for "--log-opt" flag: invalid environment variable: '),
    ("service update --rollback --no-resolve-image w", "other flags may not be combined with --rollback"),
    ("service create --name w --endpoint-mode dnsrr -p 80:80 nginx",
     "port published with ingress mode can't be used with dnsrr mode"),
    ("service create --name w -p 80:80 -p 80:81 nginx", "duplicate published ports provided"),
    ("service create --name w --constraint node.role=worker nginx", "constraint expected one operator from ==, !="),
    ("service create --name w --constraint '9x==y' nginx", "key '9x' is invalid"),
    ("service create --name w --constraint 'node.role==<worker>' nginx", "value '<worker>' is invalid"),
    ("service create --name w --placement-pref node.labels.zone nginx",
     'placement preference must be of the format "<strategy>=<arg>"'),
    ("service create --name w --placement-pref pack=x nginx", "unsupported placement preference pack"),
    ("service create --name w --update-delay 10 nginx", 'time: missing unit in duration "10"'),
    ("service create --name w --update-delay soon nginx", 'time: invalid duration "soon"'),
    ("service create --name w --update-max-failure-ratio 2 nginx", "cannot be less than 0 or bigger than 1"),
    ("service create --name w --reserve-cpu lots nginx", "failed to parse lots as a rational number"),
    ("service create --name w --reserve-memory 1XB nginx", "invalid suffix: 'xb'"),
    ("service create --name w --reserve-cpu 0.0000000001 nginx",
     'invalid argument "0.0000000001" for "--reserve-cpu" flag: value is too precise'),
    ("service create --name w -p published=80 nginx", 'missing mandatory field "target"'),
    ("service create --name w -p target=80,mode=mesh nginx", "invalid publish mode value mesh"),
    # docker 20.10.24's words (go-connections v0.4.0 and opts.PortOpt), seen on the local swarm
    ("service create --name w -p 8000-8010:80-81 nginx",
     "Invalid ranges specified for container and host Ports: 80-81 and 8000-8010"),
    ("service create --name w -p 8080:80-81 nginx", "Invalid ranges specified for container and host Ports: 80-81 and 8080"),
    ("service create --name w -p 8080-8079:80 nginx", "Invalid hostPort: 8080-8079"),
    ("service create --name w -p 8080:80/xyz nginx", "flag: Invalid proto: xyz"),
    ("service create --name w -p localhost:80:80 nginx", "Invalid ip address: localhost"),
    ("service create --name w -p published=8080,target=80,protocol=xyz nginx", "flag: invalid protocol value xyz"),
    ("service create --name w -p published=abc,target=80 nginx", 'strconv.ParseUint: parsing "abc": invalid syntax'),
    ("service create --name w -p target=70000 nginx", 'strconv.ParseUint: parsing "70000": value out of range'),
    ("service create --name w -p target=80,foo=1 nginx", "flag: invalid field key foo"),
    ("service create --name w -p target=80,foo nginx", "flag: invalid field foo"),
    ("service create --name w -p target=0 nginx", 'missing mandatory field "target"'),
    ("service create --name w -p 1.2.3.4:80:80 nginx", "hostip is not supported"),
    ("service create --name w -e =x nginx", "invalid environment variable: =x"),
    ("service create --name w -l =x nginx", "invalid label '=x': empty name"),
    ("service create nginx", "--name is required"),
    ("service update --rollback --image x web", "other flags may not be combined with --rollback"),
    ("service scale web", "Invalid scale specifier 'web'."),
    ("service scale web=", 'web: invalid replicas value : strconv.ParseUint: parsing "": invalid syntax'),
    ("service scale web=x", "web: invalid replicas value x"),
    ("service ps -f foo=bar web", "invalid filter 'foo'"),
    ("service ps -f node web", "bad format of filter"),
    ("node update --availability off node1", 'Error response from daemon: invalid Availability: "off"'),
    ("node update --role boss node1", "expected one of worker, manager"),
    ("network create -d macvlan n", "expected one of overlay, bridge"),
    ("swarm join node1:2377", "--token is required"),
    ("swarm join --token T --availability busy node1:2377", 'invalid availability "busy"'),
    ("swarm join-token boss", "unknown role boss"),
    ("swarm update --task-history-limit x", "strconv.ParseInt"),
    ("service create --name w nginx sh -c 'oops", "No closing quotation"),
])
def test_errors_read_like_dockers(line, message):
    if message is None:
        parse_command_line(line)
        return
    with pytest.raises(CommandError) as info:
        parse_command_line(line)
    assert message in str(info.value)


# -- service update and apply_update -------------------------------------------------------------------------------

def test_update_keeps_changes_in_order_and_the_run_flags_apart():
    cmd = parse_command_line("docker service update -d --image nginx:1.11 --force --env-add A=1 --env-add B=2 web")
    assert cmd == c.ServiceUpdate("web", (("image", "nginx:1.11"), ("force", True), ("env-add", "A=1"),
                                          ("env-add", "B=2")), detach=True, rollback=False, force=True,
                                  resolve_image=True)  # a changed --image is looked up in the registry
    assert parse_command_line("service update --rollback web") == c.ServiceUpdate("web", (), rollback=True)


BASE = create("--name web -e A=1 -e B=2 -l tier=web --constraint node.role==worker -p 8080:80 --network ov1 "
              "--placement-pref spread=node.labels.zone --update-parallelism 2 --reserve-cpu 0.5 "
              "--reserve-memory 64MiB nginx:1.10 serve")


def test_apply_update_image_args_and_force():
    spec = updated(BASE, "--image nginx:1.11 --args 'serve --fast' --force")
    assert spec.task.image == "nginx:1.11" and spec.task.args == ("serve", "--fast")
    assert spec.task.force_update == 1
    assert updated(spec, "--force").task.force_update == 2
    assert updated(BASE, "--replicas 4") == replace(BASE, replicas=4)


def test_apply_update_env_and_labels():
    spec = updated(BASE, "--env-rm A --env-add B=3 --env-add C=4 --label-rm tier --label-add team=x")
    assert spec.task.env == ("B=3", "C=4")
    assert spec.labels == {"team": "x"}


def test_apply_update_constraints_are_sorted_like_dockers():
    spec = updated(BASE, "--constraint-add node.labels.zone==a --constraint-rm node.role==worker "
                         "--constraint-add engine.labels.disk==ssd")
    assert spec.task.placement.constraints == ("engine.labels.disk==ssd", "node.labels.zone==a")


def test_apply_update_preferences_networks_and_max_replicas():
    spec = updated(BASE, "--placement-pref-rm spread=node.labels.zone --placement-pref-add spread=node.labels.rack "
                         "--network-rm ov1 --network-add ov2 --replicas-max-per-node 1")
    assert spec.task.placement.preferences == ("node.labels.rack",)
    assert spec.task.networks == ("ov2",)
    assert spec.task.placement.max_replicas == 1
    with pytest.raises(CommandError, match="already attached to network ov1"):
        updated(BASE, "--network-add ov1")


def test_apply_update_ports():
    spec = updated(BASE, "--publish-rm 80 --publish-add 9090:90 --publish-add 8081:81/udp")
    assert spec.endpoint.ports == (PortConfig(81, 8081, "udp"), PortConfig(90, 9090))  # sorted as docker sorts
    assert updated(BASE, "--publish-add 8080:80").endpoint.ports == BASE.endpoint.ports
    with pytest.raises(CommandError, match="dnsrr"):
        updated(BASE, "--endpoint-mode dnsrr")


def test_apply_update_merges_update_config_onto_the_current_one():
    spec = updated(BASE, "--update-delay 5s --rollback-order start-first")
    assert spec.update_config == UpdateConfig(parallelism=2, delay=5.0)
    assert spec.rollback_config == UpdateConfig(order=UpdateOrder.START_FIRST)


def test_apply_update_resources_restart_and_grace_keep_what_is_not_named():
    spec = updated(BASE, "--reserve-cpu 1 --limit-memory 128MiB --restart-delay 1s --stop-grace-period 2s")
    assert spec.task.reservations == Resources(1_000_000_000, 64 * 1024**2)
    assert spec.task.limits == Resources(0, 128 * 1024**2)
    assert spec.task.restart_policy == RestartPolicy(delay=1.0)
    assert spec.task.stop_grace_period == 2.0


def test_apply_update_replicas_on_global_fails():
    mon = create("--name mon --mode global prom/node-exporter")
    with pytest.raises(CommandError, match="replicas can only be used with replicated mode"):
        updated(mon, "--replicas 2")


def test_apply_update_without_changes_is_identity():
    assert apply_update(BASE, ()) == BASE


# -- the other commands --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, command", [
    ("service scale web=3 api=0 -d", c.ServiceScale((("web", 3), ("api", 0)), detach=True)),
    ("service rollback -d web", c.ServiceRollback("web", detach=True)),
    ("service rm web api", c.ServiceRemove(("web", "api"))),
    ("service remove web", c.ServiceRemove(("web",))),
    ("service ps --no-trunc -q -f desired-state=running -f node=node1 web", c.ServicePs(
        ("web",), no_trunc=True, quiet=True, filters=(("desired-state", "running"), ("node", "node1")))),
    ("service ls", c.ServiceLs()),
    ("service list -q", c.ServiceLs(quiet=True)),
    ("service inspect --pretty web api", c.ServiceInspect(("web", "api"), pretty=True)),
    ("service logs web", c.ServiceLogs("web")),
    ("node ls -q", c.NodeLs(quiet=True)),
    ("node inspect self node2", c.NodeInspect(("self", "node2"))),
    ("node update --availability drain --label-add zone=a --label-add ssd --label-rm old --role manager node2",
     c.NodeUpdate("node2", Availability.DRAIN, (("zone", "a"), ("ssd", "")), ("old",), "manager")),
    ("node promote node2 node3", c.NodePromote(("node2", "node3"))),
    ("node demote node2", c.NodeDemote(("node2",))),
    ("node rm --force node3", c.NodeRm(("node3",), force=True)),
    ("node remove -f node3", c.NodeRm(("node3",), force=True)),
    ("network create ov0", c.NetworkCreate("ov0")),
    ("network create -d overlay --attachable --opt encrypted --subnet 10.1.0.0/24 ov1",
     c.NetworkCreate("ov1", "overlay", attachable=True, subnet="10.1.0.0/24",
                     options=(("encrypted", ""),))),
    ("network create --driver=overlay -o encrypted=false ov2",
     c.NetworkCreate("ov2", "overlay", options=(("encrypted", "false"),))),
    ("network create -d overlay --internal --label a=1 ov3",
     c.NetworkCreate("ov3", "overlay", internal=True, labels=(("a", "1"),))),
    ("network ls -q", c.NetworkLs(quiet=True)),
    ("network rm ov1 ov2", c.NetworkRm(("ov1", "ov2"))),
    ("swarm join --token SWMTKN-1-x node1:2377", c.SwarmJoin("SWMTKN-1-x", "node1:2377")),
    ("swarm join --token T --availability DRAIN --advertise-addr eth0 node1:2377",
     c.SwarmJoin("T", "node1:2377", Availability.DRAIN)),
    ("swarm leave -f", c.SwarmLeave(force=True)),
    ("swarm join-token -q manager", c.SwarmJoinToken("manager", quiet=True)),
    ("swarm update --dispatcher-heartbeat 10s --task-history-limit 2",
     c.SwarmUpdate(c.SwarmOptions(task_history_limit=2, dispatcher_heartbeat=10.0))),
])
def test_other_commands(line, command):
    assert parse_command_line(line) == command
    assert parse_command_line("docker " + line) == command


def test_parse_command_takes_words_and_double_dash_ends_flags():
    cmd = parse_command(["service", "create", "--name", "w", "--", "busybox", "-x"])
    assert cmd.spec.task.image == "busybox" and cmd.spec.task.args == ("-x",)
    assert parse_command(["node", "inspect", "--", "-odd"]) == c.NodeInspect(("-odd",))


@given(st.lists(st.sampled_from(["A=1", "B=2", "A=3", "C=4", "B=5", "A"]), max_size=8),
       st.lists(st.sampled_from(["A=9", "C=8", "D=7", "B=6", "A=0"]), max_size=8))
def test_env_additions_replace_and_go_last_one_by_one(env, additions):
    from swarmsim.dockercli.parse import _with_env
    expected = list(env)
    for item in additions:  # docker's makeEnv, one addition at a time
        key = item.partition("=")[0]
        expected = [e for e in expected if e.partition("=")[0] != key] + [item]
    assert list(_with_env(tuple(env), additions)) == expected


class _GoPanic(Exception):
    pass


def _go_make_env(variables):
    """docker/cli makeEnv as Go runs it: a backing array, a range over the slice as it was, removals by append."""
    array, length = [], 0
    for item in variables:
        key = item.split("=", 1)[0]
        for i in range(length):  # range evaluates the slice once: its old length
            current = array[i]
            if current == item:
                continue
            if current.startswith(key + "="):
                if i + 1 > length:
                    raise _GoPanic  # currentEnv[i+1:] out of range
                array[i:length - 1] = array[i + 1:length]
                length -= 1
        if length < len(array):
            array[length] = item
        else:
            array.append(item)
        length += 1
    return tuple(array[:length])


@given(st.lists(st.sampled_from(["A", "A=1", "A=2", "B=1", "B", "AB=1", "A=1=2"]), max_size=12))
def test_service_create_env_is_docker_s_make_env(variables):
    from swarmsim.dockercli.parse import _make_env
    try:
        expected = _go_make_env(variables)
    except _GoPanic:
        return  # the CLI crashes on this one
    assert _make_env(variables) == expected


@pytest.mark.parametrize("flags, healthcheck", [
    ("--health-cmd ''", None),                      # an empty command sets nothing (toHealthConfig)
    ("--health-interval 0s", Healthcheck()),        # a duration given, even 0s, makes one: {} in inspect
    ("--health-start-period 5s", None),             # the start period alone does not
    ("--health-cmd true --health-retries 0", Healthcheck(test=("CMD-SHELL", "true"))),
    ("--no-healthcheck --health-cmd ''", Healthcheck(test=("NONE",))),
])
def test_create_healthcheck_as_docker_makes_it(flags, healthcheck):
    assert create(f"--name w {flags} nginx").task.healthcheck == healthcheck


def test_update_health_cmd_empty_clears_the_test():
    spec = create("--name w --health-cmd true --health-interval 2s nginx")
    assert updated(spec, "--health-cmd ''").task.healthcheck == Healthcheck(interval=2.0)


def test_network_long_syntax_keeps_aliases_and_driver_options():
    """opts.NetworkOpt, as docker 20.10.24 kept them (Spec.TaskTemplate.Networks[].Aliases and DriverOpts)."""
    task = create("--name w --network name=Net1,alias=Web1,alias=web2 --network name=net2,driver-opt=foo=bar "
                  "--network net3 nginx").task
    assert task.networks == ("net1", "net2", "net3")  # the CLI lower-cases every key and value
    assert task.aliases == (("web1", "web2"), (), ()) and task.network_opts == ((), (("foo", "bar"),), ())
    added = updated(task_spec := create("--name w --network net1 nginx"), "--network-add name=net2,alias=x").task
    assert added.networks == ("net1", "net2") and added.aliases == ((), ("x",))
    assert updated(task_spec, "--network-rm net1").task.networks == ()


@pytest.mark.parametrize("value, words", [("name=n,bogus=1", "invalid field key bogus"),
                                          ("alias=a,x=1", "invalid field key x"),
                                          ("alias=a,driver-opt=x", "invalid key value pair format in driver options"),
                                          ("alias=a,b=c", "invalid field key b")])
def test_network_long_syntax_refusals(value, words):
    with pytest.raises(CommandError, match=words):
        create(f"--name w --network {value} nginx")


def test_an_explicit_zero_window_is_kept_and_a_zero_monitor_is_the_default_one():
    """docker 20.10.24 showed `"Window":0` for `--restart-window 0s` (none without the flag), and a Monitor of 5 s for
    `--update-monitor 0s`: the daemon sends a zero monitor as none, which swarmkit reads as its default."""
    import one_node
    c = "--no-resolve-image busybox sleep 100000"
    out = one_node.simulated([f"docker service create -d --name w --restart-window 0s {c}",
                              f"docker service create -d --name m --update-monitor 0s --rollback-monitor 0s {c}",
                              "docker service update -d --no-resolve-image --update-monitor 0s w",
                              "docker service inspect --format '{{json .Spec.TaskTemplate.RestartPolicy.Window}} "
                              "{{.Spec.UpdateConfig.Monitor}} {{.Spec.RollbackConfig.Monitor}}' w m"])
    assert out[-1] == "0 5s 5s\nnull 5s 5s\n"  # json of a nil *time.Duration
