"""Compose services and networks read into the same model values `docker stack deploy` would create."""
from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from swarmsim.scenario import composeschema
from swarmsim.scenario.compose import Field, FieldError, format_path, networks, service, stack, workload
from swarmsim.model import (FailureAction, PortConfig, Resources, RestartCondition, RestartPolicy, ServiceMode,
                            UpdateConfig, UpdateOrder, Workload)
from swarmsim.model.scenario import NetworkDecl


def read(text: str, name: str = "web"):
    return service(name, Field(yaml.safe_load(text), ("services", name)))


def test_minimal_service_has_dockers_defaults():
    spec = read("image: nginx")
    assert (spec.name, spec.task.image, spec.mode, spec.replicas) == ("web", "nginx", ServiceMode.REPLICATED, 1)
    assert spec.update_config == spec.rollback_config == UpdateConfig()
    assert spec.task.restart_policy == RestartPolicy() and spec.task.stop_grace_period == 10.0
    assert spec.endpoint.mode == "vip" and spec.task.workload is None


@pytest.mark.parametrize("command, args", [("sh -c 'sleep 5'", ("sh", "-c", "sleep 5")), (["a", "b c"], ("a", "b c"))])
def test_command_becomes_args(command, args):
    assert read(yaml.safe_dump({"image": "x", "command": command})).task.args == args


@pytest.mark.parametrize("env", [{"B": 2, "A": "x", "C": None}, ["B=2", "A=x", "C"]])
def test_environment_list_or_map_is_sorted(env):
    assert read(yaml.safe_dump({"image": "x", "environment": env})).task.env == ("A=x", "B=2", "C")


def test_ports_short_and_long():
    spec = read("""
image: x
ports:
  - "8080:80"
  - 9000
  - "53:53/udp"
  - {target: 443, published: 8443, mode: host, protocol: tcp}
""")
    # convertEndpointSpec sorts by published port (seen on 20.10: the unpublished first, in file order)
    assert spec.endpoint.ports == (PortConfig(9000, 0), PortConfig(53, 53, "udp"), PortConfig(80, 8080),
                                   PortConfig(443, 8443, "tcp", "host"))


@pytest.mark.parametrize("nets", [["a", "b"], {"a": None, "b": {"aliases": ["x"]}}])
def test_networks_list_or_map(nets):
    assert read(yaml.safe_dump({"image": "x", "networks": nets})).task.networks == ("a", "b")


def test_deploy_section():
    spec = read("""
image: x
stop_grace_period: 1m
labels: {container: only}
deploy:
  replicas: 4
  endpoint_mode: dnsrr
  labels: [tier=web]
  placement:
    constraints: [node.role==worker]
    preferences: [{spread: node.labels.zone}]
    max_replicas_per_node: 2
  resources:
    reservations: {cpus: '0.25', memory: 64M}
    limits: {cpus: 1, memory: 1GiB}
  restart_policy: {condition: on-failure, delay: 2s, max_attempts: 3, window: 1m}
  update_config: {parallelism: 2, delay: 10s, failure_action: rollback, monitor: 30s, max_failure_ratio: 0.5,
                  order: start-first}
  rollback_config: {parallelism: 0, order: stop-first}
""")
    assert spec.replicas == 4 and spec.endpoint.mode == "dnsrr" and spec.labels == {"tier": "web"}
    assert spec.task.stop_grace_period == 60.0
    assert spec.task.placement.constraints == ("node.role==worker",)
    assert spec.task.placement.preferences == ("node.labels.zone",) and spec.task.placement.max_replicas == 2
    assert spec.task.reservations == Resources(250_000_000, 64 * 1024**2)
    assert spec.task.limits == Resources(1_000_000_000, 1024**3)
    assert spec.task.restart_policy == RestartPolicy(RestartCondition.ON_FAILURE, 2.0, 3, 60.0)
    assert spec.update_config == UpdateConfig(2, 10.0, FailureAction.ROLLBACK, 30.0, 0.5, UpdateOrder.START_FIRST)
    assert spec.rollback_config == UpdateConfig(parallelism=0)


def test_global_mode_and_workload():
    spec = read("""
image: prom/node-exporter
deploy: {mode: global}
x-workload: {size: 20MB, present: none, start_time: 2s, exit_after: 1m, exit_code: 1, serve_port: 9100,
             ignore_sigterm: true}
x-anything-else: ignored
""")
    assert spec.mode is ServiceMode.GLOBAL
    assert spec.task.workload == Workload(20_000_000, (), 2.0, 60.0, 1, 9100, True)


@pytest.mark.parametrize("present, value", [("all", None), ("none", ()), (["node1"], ("node1",))])
def test_workload_present(present, value):
    assert workload(Field({"present": present})).present == value


def test_networks_and_stack():
    data = yaml.safe_load("""
version: "3.8"
services:
  web: {image: nginx}
  api: {image: api}
networks:
  ov1:
  ov2: {driver: overlay, attachable: true, driver_opts: {encrypted: ""}}
  br: {driver: bridge}
x-common: {}
""")
    specs, nets = stack(Field(data))
    assert [s.name for s in specs] == ["web", "api"]
    assert nets == (NetworkDecl("ov1"), NetworkDecl("ov2", attachable=True, options={"encrypted": ""}),
                    NetworkDecl("br", driver="bridge"))
    from swarmsim.model.scenario import encrypted  # what the real backend creates the network with
    assert encrypted(nets[1].options) and not encrypted(nets[0].options)
    assert not encrypted({"encrypted": "false"}) and not encrypted({"encrypted": "0"}) and encrypted({"encrypted": "yes"})
    assert networks(Field({})) == ()


def test_a_network_with_an_ipam_plugin_is_refused_as_the_daemon_refuses_it():
    """docker 20.10.24 made the stack's other networks, then failed on this one (`error during lookup of plugin
    overlay`: the daemon looks the IPAM driver up as a plugin); the default driver is fine."""
    nets = networks(Field(yaml.safe_load("a: {ipam: {driver: default, config: [{subnet: 172.28.0.0/16}]}}")))
    assert nets[0].subnet == "172.28.0.0/16"
    with pytest.raises(FieldError, match="error during lookup of plugin overlay"):
        networks(Field(yaml.safe_load("b: {driver: overlay, ipam: {driver: overlay, config: [{subnet: 10.9.0.0/16}]}}")))


@pytest.mark.parametrize("data, path, message", [
    ({}, ("services", "web"), "missing key 'image'"),
    ({"image": 3}, ("services", "web", "image"), "expected a string, got an integer"),
    ({"image": "x", "imag": 1}, ("services", "web", "imag"), "did you mean 'image'?"),
    ({"image": "x", "deploy": {"replicas": True}}, ("services", "web", "deploy", "replicas"), "got True"),
    ({"image": "x", "deploy": {"mode": "global", "replicas": 1}}, ("services", "web", "deploy", "replicas"),
     "replicas can only be used"),
    ({"image": "x", "deploy": {"placement": {"constraints": ["a"]}}},
     ("services", "web", "deploy", "placement", "constraints", 0), "constraint expected one operator"),
    ({"image": "x", "deploy": {"placement": {"preferences": [{"pack": "x"}]}}},
     ("services", "web", "deploy", "placement", "preferences", 0, "pack"), "unknown key 'pack'"),
    ({"image": "x", "deploy": {"resources": {"limits": {"cpus": "many"}}}},
     ("services", "web", "deploy", "resources", "limits", "cpus"), "expected a number of CPUs"),
    ({"image": "x", "deploy": {"resources": {"limits": {"gpus": 3}}}},
     ("services", "web", "deploy", "resources", "limits", "gpus"), "unknown key 'gpus'"),
    ({"image": "x", "deploy": {"update_config": {"order": "first"}}},
     ("services", "web", "deploy", "update_config", "order"), "expected one of stop-first, start-first"),
    ({"image": "x", "deploy": {"endpoint_mode": "dnsrr"}, "ports": ["80:80"]}, ("services", "web", "ports"),
     "dnsrr"),
    ({"image": "x", "ports": [{"target": 80, "host_ip": "1.2.3.4"}]}, ("services", "web", "ports", 0, "host_ip"),
     "unknown key"),
    ({"image": "x", "command": 5}, ("services", "web", "command"), "expected a string"),
    ({"image": "x", "x-workload": {"present": "some"}}, ("services", "web", "x-workload", "present"),
     "expected a list of node names, all or none"),
    ({"image": "x", "environment": "A=1"}, ("services", "web", "environment"), "expected a mapping, got a string"),
])
def test_errors_carry_the_key_path(data, path, message):
    with pytest.raises(FieldError) as info:
        service("web", Field(data, ("services", "web")))
    assert info.value.path == path
    assert message in str(info.value)


def test_network_errors():
    with pytest.raises(FieldError, match="expected one of overlay, bridge") as info:
        networks(Field({"n": {"driver": "macvlan"}}, ("networks",)))
    assert info.value.path == ("networks", "n", "driver")


def test_format_path():
    assert format_path(("steps", 3, "run")) == "steps[3].run"
    assert format_path(("partition", 1, 0)) == "partition[1][0]"
    assert format_path(()) == ""


# -- value types (composeschema.type_error) -------------------------------------------------------------------------

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3) |
                       st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=8)
_TYPES = sorted({k.type for k in composeschema.KEYS.values()})


@settings(max_examples=300, deadline=None)
@given(value=_VALUES, kind=st.sampled_from(_TYPES))
def test_a_value_either_fits_its_type_or_gets_one_docker_sentence_about_one_place_in_it(value, kind):
    found = composeschema.type_error(value, kind, ("services", "web", "key"))
    if found is not None:
        where, message = found
        assert where[:3] == ("services", "web", "key")
        assert message.startswith(".".join(map(str, where)) + " must be a ")


@settings(max_examples=200, deadline=None)
@given(service=st.dictionaries(st.sampled_from(["image", "command", "environment", "ports", "deploy", "labels",
                                                "healthcheck", "networks", "secrets", "volumes"]), _VALUES,
                               max_size=4))
def test_checking_any_service_data_returns_sentences_and_never_raises(service):
    errors = composeschema.check({"version": "3.9", "services": {"web": service}}, "3.9")
    assert all(isinstance(message, str) and message for _, message in errors)
