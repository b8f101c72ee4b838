"""The ContainerSpec flags of `docker service create` and `update` that set one field outright
(docker/cli 20.10 cli/command/service/opts.go ToService, update.go updateService), and how
`docker service inspect` shows them: JSON in the Go struct's field order, --pretty as formatter.go's
template. The JSON, the --pretty blocks, the create and update results and every refusal below were seen
on docker 20.10.24 (the local swarm, 2026-12-02)."""
from __future__ import annotations

import json

import pytest

from swarmsim.dockercli.parse import CommandError, apply_update, parse_command_line
from swarmsim.dockercli.render import service_inspect_json, service_inspect_pretty
from swarmsim.model import Service
from swarmsim.model.errors import container_create_error as invalid_container


def create(flags: str, args: str = ""):
    return parse_command_line(f"docker service create --name web {flags} nginx {args}").spec


def updated(spec, flags: str):
    return apply_update(spec, parse_command_line(f"docker service update {flags} web").changes)


def container(spec) -> dict:
    return json.loads(service_inspect_json([Service(id="x" * 25, spec=spec)]))[0]["Spec"]["TaskTemplate"][
        "ContainerSpec"]


def test_create_sets_each_field_and_entrypoint_is_split_into_shell_words():
    task = create("--hostname '{{.Node.Hostname}}-{{.Task.Slot}}' -u 1000:1000 -w /app --init --read-only -t "
                  "--stop-signal SIGQUIT --entrypoint \"/bin/sh -c 'exec nginx'\"").task
    assert task.hostname == "{{.Node.Hostname}}-{{.Task.Slot}}"  # the agent expands it, inspect shows it as sent
    assert (task.user, task.dir, task.stop_signal) == ("1000:1000", "/app", "SIGQUIT")
    assert task.init and task.read_only and task.tty
    assert task.command == ("/bin/sh", "-c", "exec nginx")


def test_long_forms_and_the_last_value_wins():
    task = create("--user=a --user b --workdir=/x --tty=false --entrypoint a --entrypoint 'b c'").task
    assert (task.user, task.dir, task.tty, task.command) == ("b", "/x", False, ("b", "c"))


def test_a_bad_boolean_is_pflags_refusal():
    with pytest.raises(CommandError, match='invalid argument "maybe" for "-t, --tty" flag: strconv.ParseBool'):
        create("--tty=maybe")


def test_update_replaces_what_a_flag_names_and_keeps_the_rest():
    spec = create("--hostname h -u nobody -w /app --init -t --read-only --stop-signal SIGINT --entrypoint 'a b'")
    after = updated(spec, "--user root --entrypoint c")
    assert (after.task.user, after.task.command) == ("root", ("c",))
    assert (after.task.hostname, after.task.dir, after.task.stop_signal) == ("h", "/app", "SIGINT")
    assert after.task.init and after.task.tty and after.task.read_only
    # an explicit false is a change (pflag's Changed), not a flag left out
    off = updated(spec, "--init=false --tty=false --read-only=false")
    assert not (off.task.init or off.task.tty or off.task.read_only)
    assert updated(spec, "--entrypoint ''").task.command == ()


def test_inspect_json_in_the_structs_order_empty_ones_omitted():
    plain = container(create(""))
    assert list(plain) == ["Image", "Init", "StopGracePeriod", "DNSConfig", "Isolation"]
    assert plain["Init"] is False
    spec = create("--hostname h -u nobody -w /app --init -t --read-only --stop-signal SIGINT --entrypoint 'a b' "
                  "-e A=1 --mount type=tmpfs,dst=/t", args="x")
    full = container(spec)
    assert list(full) == ["Image", "Command", "Args", "Hostname", "Env", "Dir", "User", "Init", "StopSignal", "TTY",
                          "ReadOnly", "Mounts", "StopGracePeriod", "DNSConfig", "Isolation"]
    assert (full["Command"], full["Hostname"], full["Dir"], full["User"]) == (["a", "b"], "h", "/app", "nobody")
    assert full["Init"] is full["TTY"] is full["ReadOnly"] is True
    assert full["StopSignal"] == "SIGINT"


def test_pretty_shows_dir_init_and_user_as_the_template_does():
    spec = create("-w /app --init -u nobody -e A=1 --hostname h -t")
    pretty = service_inspect_pretty(Service(id="x" * 25, spec=spec), 0.0)
    assert "\n Env:\t\tA=1 \n Dir:\t\t/app\n Init:\t\ttrue\n User: nobody\nResources:" in pretty
    assert "Hostname" not in pretty and "TTY" not in pretty  # the template has no line for them
    assert "\n Image:\t\tnginx\n Init:\t\tfalse\nResources:" in service_inspect_pretty(
        Service(id="x" * 25, spec=create("")), 0.0)


def test_container_labels_as_docker_keeps_them():
    spec = create("--container-label ' a=1' --container-label b --container-label c=x=y --label ' s=1'")
    assert container(spec)["Labels"] == {" a": "1", "b": "", "c": "x=y"}  # the key as written, no value: ""
    assert spec.labels == {" s": "1"}
    assert list(container(spec)).index("Labels") == 1  # right after Image


@pytest.mark.parametrize("flag, value, message", [
    ("--container-label", "b =2", "label 'b ' contains whitespaces"),  # ValidateLabel
    ("--container-label", " x y=2", "label 'x y' contains whitespaces"),
    ("--container-label", "=2", "invalid label '=2': empty name"),
    ("-l, --label", "b =2", "label 'b ' contains whitespaces"),
    ("--dns", "1.2.3", "1.2.3 is not an ip address"),  # ValidateIPAddress
    ("--dns", "010.1.1.1", "010.1.1.1 is not an ip address"),
    ("--dns", "fe80::1%eth0", "fe80::1%eth0 is not an ip address"),
    ("--dns-search", "123", "123 is not a valid domain"),  # ValidateDNSSearch
    ("--dns-search", "a..b", "a..b is not a valid domain"),
    ("--dns-search", "-a.com", "-a.com is not a valid domain"),
    ("--host", "noip", 'bad format for add-host: "noip"'),  # ValidateExtraHost
    ("--host", ":1.2.3.4", 'bad format for add-host: ":1.2.3.4"'),
    ("--host", "h:1.2.3", 'invalid IP address in add-host: "1.2.3"'),
    ("--ulimit", "nofile", "invalid ulimit argument: nofile"),  # go-units ParseUlimit
    ("--ulimit", "bad=1", "invalid ulimit type: bad"),
    ("--ulimit", "nofile=x", 'strconv.ParseInt: parsing "x": invalid syntax'),
    ("--ulimit", "nofile=1:2:3", "too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`"),
    ("--ulimit", "nofile=5:2", "ulimit soft limit must be less than or equal to hard limit: 5 > 2"),
    ("--ulimit", "nofile=-1:5",
     "ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 5"),
    ("--ulimit", "nofile=1:x", 'strconv.ParseInt: parsing "x": invalid syntax'),
    ("--ulimit", "nofile=99999999999999999999", 'strconv.ParseInt: parsing "99999999999999999999": value out of range'),
])
def test_flag_refusals_in_dockers_words(flag, value, message):
    with pytest.raises(CommandError) as info:
        create(f"{flag.split(', ')[-1]} {value!r}")
    assert str(info.value) == f'invalid argument "{value}" for "{flag}" flag: {message}'


def test_container_label_update_removes_then_adds():
    spec = create("--container-label ' a=1' --container-label b --container-label c=x=y")
    after = updated(spec, "--container-label-add b=new --container-label-rm b --container-label-rm c "
                          "--container-label-rm nothere")
    assert container(after)["Labels"] == {" a": "1", "b": "new"}
    with pytest.raises(CommandError, match="for \"--container-label-add\" flag: label 'q r' contains whitespaces"):
        updated(spec, "--container-label-add 'q r=1'")


def test_groups_kept_as_given_on_create_sorted_by_an_update_that_names_them():
    spec = create("--group b --group a --group b")
    assert container(spec)["Groups"] == ["b", "a", "b"]
    assert list(container(spec)).index("Groups") == list(container(spec)).index("Init") - 1
    assert updated(spec, "--user x").task.groups == ("b", "a", "b")  # updateGroups runs only for -add/-rm
    assert updated(spec, "--group-add c --group-add a --group-rm b").task.groups == ("a", "a", "c")


def test_dns_flags_checked_and_kept_as_docker_keeps_them():
    spec = create("--dns ' 8.8.8.8' --dns ::ffff:1.2.3.4 --dns 2001:db8:0:0::1 --dns 1.1.1.1 "
                  "--dns-search example.com. --dns-search . --dns-search :x.org --dns-option ndots:2 "
                  "--dns-option ndots:2")
    assert container(spec)["DNSConfig"] == {"Nameservers": ["8.8.8.8", "1.2.3.4", "2001:db8::1", "1.1.1.1"],
                                            "Search": ["example.com", ".", ":x.org"],
                                            "Options": ["ndots:2", "ndots:2"]}  # as given on create
    after = updated(spec, "--dns-add 9.9.9.9 --dns-add 1.1.1.1 --dns-rm 8.8.8.8 --dns-search-rm . "
                          "--dns-option-add debug")
    assert container(after)["DNSConfig"] == {"Nameservers": ["1.1.1.1", "1.2.3.4", "2001:db8::1", "9.9.9.9"],
                                             "Search": [":x.org", "example.com"], "Options": ["debug", "ndots:2"]}
    assert updated(spec, "--user x").task.dns == spec.task.dns  # untouched without a DNS flag
    assert updated(after, "--dns-rm ' 1.1.1.1'").task.dns == after.task.dns  # a removal is matched as written
    with pytest.raises(CommandError, match='for "--dns-add" flag: 1.2.3 is not an ip address'):
        updated(spec, "--dns-add 1.2.3")


def test_hosts_as_swarmkit_keeps_them_and_updatehosts_merge():
    spec = create("--host h1:10.0.0.1 --host 'h2: 10.0.0.2' --host h1:10.0.0.1 --host gw:host-gateway --host v6:::1")
    assert container(spec)["Hosts"] == ["10.0.0.1 h1", " 10.0.0.2 h2", "10.0.0.1 h1", "host-gateway gw", "::1 v6"]
    assert list(container(spec)).index("Hosts") == list(container(spec)).index("DNSConfig") - 1
    # a removal for another address keeps h1; every line written again, then duplicates dropped
    after = updated(spec, "--host-rm h1:10.0.0.9 --host-add h3:10.0.0.3 --host-add h3:10.0.0.3")
    assert after.task.hosts == ("10.0.0.1 h1", "10.0.0.2 h2", "host-gateway gw", "::1 v6", "10.0.0.3 h3")
    after = updated(after, "--host-rm h1 --host-rm gw:host-gateway --host-rm v6:::1 --host-rm any:notip")
    assert after.task.hosts == ("10.0.0.2 h2", "10.0.0.3 h3")


def test_pflag_quotes_the_value_as_go_does():
    with pytest.raises(CommandError) as info:
        create("--host 'h:1.2.3.\"'")
    assert str(info.value) == 'invalid argument "h:1.2.3.\\"" for "--host" flag: invalid IP address in add-host: ' \
                              '"1.2.3.\\""'


def caps(spec) -> tuple:
    return spec.task.capabilities


def test_capabilities_normalised_adding_wins_all_alone():
    spec = create("--cap-add net_admin --cap-add CAP_SYS_TIME --cap-drop ' chown ' --cap-drop NET_ADMIN "
                  "--cap-add RESET")
    assert caps(spec) == (("CAP_NET_ADMIN", "CAP_SYS_TIME"), ("CAP_CHOWN",))
    assert list(container(spec))[-2:] == ["CapabilityAdd", "CapabilityDrop"]
    assert caps(create("--cap-add ALL --cap-drop chown")) == (("ALL",), ("CAP_CHOWN",))
    assert caps(create("--cap-add ALL --cap-add x --cap-drop all")) == (("ALL",), ())


def test_capabilities_update_is_tri_state_and_reset_clears():
    spec = create("--cap-add net_admin --cap-add sys_time --cap-drop chown")
    after = updated(spec, "--cap-drop net_admin --cap-add chown --cap-add sys_admin")
    assert caps(after) == (("CAP_SYS_ADMIN", "CAP_SYS_TIME"), ())
    after = updated(updated(after, "--user x"), "--cap-add RESET --cap-drop all --cap-drop chown")
    assert caps(after) == ((), ("ALL",))
    pretty = service_inspect_pretty(Service(id="x" * 25, spec=after), 0.0)
    assert "\n Init:\t\tfalse\n User: x\nCapabilities:\n Drop: ALL\nResources:" in pretty
    assert caps(updated(after, "--cap-drop RESET --cap-add all --cap-add x")) == (("ALL",), ())
    assert "\nCapabilities:\n Add: CAP_NET_ADMIN, CAP_SYS_TIME\n Drop: CAP_CHOWN\n" in service_inspect_pretty(
        Service(id="x" * 25, spec=spec), 0.0)


# Two services created on docker 20.10.24 with these flags (the image swarmsim/busybox:1 there), and the
# ContainerSpec `docker service inspect` returned for them, key order included.
SEEN = [
    ("--hostname '{{.Node.Hostname}}-{{.Task.Slot}}' -u nobody -w /app --init --read-only -t --stop-signal SIGQUIT "
     "--entrypoint \"/bin/sh -c 'sleep 1000'\" -e A=1 --mount type=tmpfs,dst=/t", "x",
     '{"Image":"nginx","Command":["/bin/sh","-c","sleep 1000"],"Args":["x"],'
     '"Hostname":"{{.Node.Hostname}}-{{.Task.Slot}}","Env":["A=1"],"Dir":"/app","User":"nobody","Init":true,'
     '"StopSignal":"SIGQUIT","TTY":true,"ReadOnly":true,"Mounts":[{"Type":"tmpfs","Target":"/t"}],'
     '"StopGracePeriod":10000000000,"DNSConfig":{},"Isolation":"default"}'),
    ("--group b --group a --group b --dns ' 8.8.8.8' --dns ::ffff:1.2.3.4 --dns 2001:db8:0:0::1 --dns 1.1.1.1 "
     "--dns-search example.com. --dns-search . --dns-search ':x.org' --dns-option ndots:2 --dns-option ndots:2 "
     "--host h1:10.0.0.1 --host 'h2: 10.0.0.2' --host h1:10.0.0.1 --host gw:host-gateway --host v6:::1 "
     "--cap-add net_admin --cap-add CAP_SYS_TIME --cap-drop ' chown ' --cap-drop NET_ADMIN --cap-add RESET",
     "sleep 1000",
     '{"Image":"nginx","Args":["sleep","1000"],"Groups":["b","a","b"],"Init":false,"StopGracePeriod":10000000000,'
     '"Hosts":["10.0.0.1 h1"," 10.0.0.2 h2","10.0.0.1 h1","host-gateway gw","::1 v6"],'
     '"DNSConfig":{"Nameservers":["8.8.8.8","1.2.3.4","2001:db8::1","1.1.1.1"],'
     '"Search":["example.com",".",":x.org"],"Options":["ndots:2","ndots:2"]},"Isolation":"default",'
     '"CapabilityAdd":["CAP_NET_ADMIN","CAP_SYS_TIME"],"CapabilityDrop":["CAP_CHOWN"]}'),
]


@pytest.mark.parametrize("flags, args, seen", SEEN)
def test_the_container_spec_is_the_one_docker_returned(flags, args, seen):
    assert json.dumps(container(create(flags, args)), separators=(",", ":")) == seen


@pytest.mark.parametrize("flags, error", [
    ("-w rel --stop-signal FOO --cap-add foo", "the working directory 'rel' is invalid, it needs to be an absolute path"),
    ("--stop-signal FOO --cap-add foo --cap-drop bar", "Invalid signal: FOO"),
    ("--stop-signal 0", "Invalid signal: 0"),
    ("--stop-signal ' TERM'", "Invalid signal:  TERM"),
    ("--cap-drop bar", 'invalid CapDrop: unknown capability: "CAP_BAR"'),
    ("--cap-add bpf", 'invalid CapAdd: unknown capability: "CAP_BPF"'),  # 20.10 stops at CAP_AUDIT_READ
])
def test_settings_dockerd_refuses_reject_the_task(flags, error):
    assert invalid_container(create(flags).task) == error


@pytest.mark.parametrize("flags", ["--stop-signal=-5 -w /x", "--stop-signal sigrtmin+3 --cap-add audit_read "
                                   "--cap-drop ALL", "--stop-signal 38 --cap-add ALL"])
def test_settings_dockerd_takes(flags):
    assert invalid_container(create(flags).task) is None


def test_the_task_is_rejected_while_preparing_and_replaced():
    from swarmsim import SimBackend, loads_scenario, run_scenario
    scenario = loads_scenario("version: 1\ncluster: {managers: 1}\nsteps:\n"
                              "  - run: docker service create -d --name sg --stop-signal FOO nginx\n"
                              "  - wait: 12s\n"
                              "  - run: docker service ps --no-trunc --format '{{.CurrentState}} {{.Error}}' sg\n",
                              "s.yaml")
    output = [s["output"] for s in run_scenario(scenario, SimBackend()).steps()][-1]
    lines = output.splitlines()
    assert len(lines) > 1 and all(line.startswith("Rejected ") and line.endswith('"Invalid signal: FOO"')
                                  for line in lines)


def test_log_driver_as_docker_keeps_and_shows_it():
    spec = create("--log-driver json-file --log-opt max-size=10m --log-opt max-file=3 --log-opt flag")
    template = json.loads(service_inspect_json([Service(id="x" * 25, spec=spec)]))[0]["Spec"]["TaskTemplate"]
    assert list(template)[-3:] == ["LogDriver", "ForceUpdate", "Runtime"]
    assert template["LogDriver"] == {"Name": "json-file", "Options": {"flag": "", "max-file": "3", "max-size": "10m"}}
    pretty = service_inspect_pretty(Service(id="x" * 25, spec=spec), 0.0)
    assert ("\n Init:\t\tfalse\nLog Driver:\n Name:\t\tjson-file\n LogOpts:\n  flag\n  max-file:       3\n"
            "  max-size:       10m\n\nResources:") in pretty
    assert create("--log-opt max-size=10m").task.log_driver is None  # options alone: no driver
    assert updated(spec, "--log-opt max-size=1m").task.log_driver == spec.task.log_driver
    assert updated(spec, "--log-driver local").task.log_driver == ("local", ())  # the options go with it
    assert updated(spec, "--log-driver '' --log-opt a=b").task.log_driver == spec.task.log_driver


def test_a_log_driver_no_node_has_leaves_the_task_pending():
    from swarmsim import SimBackend, loads_scenario, run_scenario
    scenario = loads_scenario("version: 1\ncluster: {managers: 1}\nsteps:\n"
                              "  - run: docker service create -d --name a --log-driver nosuch nginx\n"
                              "  - run: docker service create -d --name b --log-driver local --log-opt max-size=1m nginx\n"
                              "  - wait: 5s\n"
                              "  - run: docker service ps --no-trunc --format '{{.Name}} {{.CurrentState}} {{.Error}}' a b\n",
                              "s.yaml")
    lines = [s["output"] for s in run_scenario(scenario, SimBackend()).steps()][-1].splitlines()
    assert lines[0].startswith("a.1 Pending ") and lines[0].endswith('"no suitable node (missing plugin on 1 node)"')
    assert lines[1].startswith("b.1 Running ")


SYSCTL_ULIMIT = ("--sysctl net.core.somaxconn=1024 --sysctl kernel.foo --sysctl 'a=b=c' --ulimit nofile=1024:2048 "
                 "--ulimit nproc=-1 --ulimit core=5 --ulimit nofile=10")


def test_sysctls_and_ulimits_as_docker_keeps_and_shows_them():
    spec = create(SYSCTL_ULIMIT, args="sleep 1000")
    assert json.dumps(container(spec), separators=(",", ":")) == (  # docker 20.10.24's, the image aside
        '{"Image":"nginx","Args":["sleep","1000"],"Init":false,"StopGracePeriod":10000000000,"DNSConfig":{},'
        '"Isolation":"default","Sysctls":{"a":"b=c","kernel.foo":"","net.core.somaxconn":"1024"},'
        '"Ulimits":[{"Name":"core","Hard":5,"Soft":5},{"Name":"nofile","Hard":10,"Soft":10},'
        '{"Name":"nproc","Hard":-1,"Soft":-1}]}')
    pretty = service_inspect_pretty(Service(id="x" * 25, spec=spec), 0.0)
    assert ("\n Init:\t\tfalse\nSysCtls:\n a: b=c\n kernel.foo\n net.core.somaxconn: 1024\nUlimits:\n core: 5:5"
            "\n nofile: 10:10\n nproc: -1:-1\nResources:") in pretty


def test_sysctl_and_ulimit_updates_remove_then_add():
    after = updated(create(SYSCTL_ULIMIT), "--sysctl-rm kernel.foo=x --sysctl-add net.x=1 --sysctl-add a=new "
                                           "--sysctl-rm a --ulimit-rm core=1 --ulimit-add nproc=5:6 --ulimit-rm nproc")
    assert dict(after.task.sysctls) == {"a": "new", "net.core.somaxconn": "1024", "net.x": "1"}
    assert after.task.ulimits == (("nofile", 10, 10), ("nproc", 5, 6))


def test_isolation_as_the_daemon_converts_it():
    assert [create(f"--isolation {i}").task.isolation for i in ("foo", "process", "HyperV")] == [
        "default", "process", "hyperv"]
    assert container(updated(create("--isolation process"), "--isolation default"))["Isolation"] == "default"
    assert invalid_container(create("--isolation HyperV").task) == "invalid isolation 'hyperv' on linux"
    assert invalid_container(create("--isolation process").task) is None  # it ran on the local swarm


def test_limit_pids_in_resources_and_pretty():
    spec = create("--limit-pids 100")
    assert container_resources(spec) == {"Limits": {"Pids": 100}, "Reservations": {}}
    assert "\nResources:\n Limits:\n  PIDs:\t\t100\nEndpoint Mode:" in service_inspect_pretty(
        Service(id="x" * 25, spec=spec), 0.0)
    negative = create("--limit-pids -5")  # sent as it is; --pretty shows neither Limits nor PIDs
    assert negative.task.limits.pids == -5
    assert "\nResources:\nEndpoint Mode:" in service_inspect_pretty(Service(id="x" * 25, spec=negative), 0.0)
    assert updated(spec, "--limit-pids 0").task.limits.pids == 0
    assert updated(spec, "--limit-cpu 1").task.limits.pids == 100
    both = updated(spec, "--limit-cpu 1 --limit-pids 7")
    assert container_resources(both) == {"Limits": {"NanoCPUs": 1000000000, "Pids": 7}, "Reservations": {}}
    assert "\n Limits:\n  CPU:\t\t1\n  PIDs:\t\t7\nEndpoint Mode:" in service_inspect_pretty(
        Service(id="x" * 25, spec=both), 0.0)


def container_resources(spec) -> dict:
    return json.loads(service_inspect_json([Service(id="x" * 25, spec=spec)]))[0]["Spec"]["TaskTemplate"]["Resources"]


def test_update_takes_max_concurrent_and_changes_nothing():
    job = parse_command_line("docker service create --name j --mode replicated-job --replicas 2 --max-concurrent 1 "
                             "nginx true").spec
    assert apply_update(job, parse_command_line("docker service update --max-concurrent 5 j").changes) == job
    with pytest.raises(CommandError, match='invalid argument "x" for "--max-concurrent" flag: strconv.ParseUint'):
        parse_command_line("docker service update --max-concurrent x j")
