"""Stack files whose meaning depends on docker's YAML reading (yaml.v2) and on Go's time.ParseDuration, with what
docker 20.10.24 did with each on the local swarm (`docker stack deploy -c s.yml s`, `docker service inspect`,
2026-12-02): its refusals word for word, and the values it set.
"""
from __future__ import annotations

import pytest

from swarmsim.model import ServiceMode
from tests.test_stack import _refusal, _run

WEB = 'version: "3.8"\nservices:\n  web:\n    image: busybox\n    command: sleep 3600\n'

#: each snippet (after WEB) and docker's refusal, at the snippet's line (6) unless said
DOCKER_REFUSES = [
    ("    environment: {DEBUG: y}\n",
     "services.web.environment.DEBUG: services.web.environment.DEBUG must be a string, number or null"),
    ("    labels: {a: y}\n", "services.web.labels.a: services.web.labels.a must be a string, number or null"),
    ("    deploy: {labels: {a: On}}\n",
     "services.web.deploy.labels.a: services.web.deploy.labels.a must be a string, number or null"),
    ("    tty: yES\n", "services.web.tty: services.web.tty must be a boolean"),
    ("    environment: {y: 1}\n", "services.web.environment.y: Non-string key in services.web.environment: true"),
    ("    environment: {VA: .nan}\n", "services.web.environment.VA: json: unsupported value: NaN"),
    ("    environment: {VU: .inf}\n", "services.web.environment.VU: json: unsupported value: +Inf"),
    ("    environment: [0x10]\n", "services.web.environment[0]: services.web.environment.0 must be a string"),
    ('    ports: ["8081:80", 0x50:80]\n', "services.web.ports[1]: error decoding 'Ports': Invalid hostPort: 0x50"),
    ("    ports: [80:80, 190:20:30]\n",
     "services.web.ports[1]: error decoding 'Ports': Invalid ip address: 190"),
    ("    deploy: {replicas: 1.5}\n", "services.web.deploy.replicas: services.web.deploy.replicas must be a integer"),
    ("    deploy: {replicas: !!int abc}\n", "services.web.deploy.replicas: yaml: cannot decode !!str `abc` as a !!int"),
    ("    deploy: {replicas: !!float 18446744073709551615}\n",
     "services.web.deploy.replicas: yaml: cannot decode !!int `18446744073709551615` as a !!float"),
    ("    stop_grace_period: 1:30\n", "services.web.stop_grace_period: services.web.stop_grace_period Does not match "
                                    "format 'duration'"),
    ("    stop_grace_period: 10\n", "services.web.stop_grace_period: services.web.stop_grace_period must be a string"),
    ("    stop_grace_period: 0\n", "services.web.stop_grace_period: services.web.stop_grace_period must be a string"),
] + [(f"    stop_grace_period: {text}\n", "services.web.stop_grace_period: services.web.stop_grace_period Does not "
                                          "match format 'duration'")
     for text in ("1e3s", "9223372036854775808ns", "2562048h", "''", "' 5s'")]


@pytest.mark.parametrize("snippet, said", DOCKER_REFUSES, ids=[s for s, _ in DOCKER_REFUSES])
def test_docker_refuses_these_in_its_words(snippet, said, tmp_path):
    assert _refusal(tmp_path, WEB + snippet) == f"s.yml:6: {said}"


@pytest.mark.parametrize("text, said", [
    ('version: "3.8"\nservices:\n  web:\n    image: n\n', "s.yml:4: services.web.image: services.web.image must be "
                                                         "a string"),
    ('version: "3.8"\n1.0: x\nservices:\n  web:\n    image: busybox\n', "s.yml:2: 1.0: Non-string key at top "
                                                                        "level: 1"),
    ('version: "3.8"\n18446744073709551615: x\nservices:\n  web:\n    image: busybox\n',
     "s.yml:2: 18446744073709551615: Non-string key at top level: 0xffffffffffffffff"),
    ('version: "3.8"\nservices:\n  web:\n    image: busybox\n    networks: [n]\nnetworks:\n  n: {}\n',
     "s.yml:7: networks.n: Non-string key in networks: false"),
    ('version: "3.8"\nservices:\n  web:\n    <<: 12\n',
     "s.yml:4: services.web: yaml: map merge requires map or sequence of maps as the value"),
    ('version: "3.8"\nx-a: &a {image: busybox}\nservices:\n  web:\n    "<<": *a\n',
     "s.yml:5: services.web.<<: services.web Additional property << is not allowed"),
    ('version: "3.8"\nx-foo: -.inf\nservices:\n  web:\n    image: busybox\n',
     "s.yml:2: x-foo: json: unsupported value: -Inf"),
])
def test_docker_refuses_these_files_first_in_its_words(text, said, tmp_path):
    """Docker stops at its first problem; the loader says every one, docker's first among them."""
    assert _refusal(tmp_path, text).splitlines()[0] == said


def _deployed(tmp_path, snippet: str, text: str = WEB):
    swarm, steps = _run(tmp_path, ["docker stack deploy -c s.yml s"], {"s.yml": text + snippet})
    assert steps[0]["output"].splitlines()[-1] == "Creating service s_web", steps[0]["output"]
    return swarm.store.service("s_web").spec


def test_numbers_in_environment_and_labels_are_set_as_go_prints_them(tmp_path):
    spec = _deployed(tmp_path, "    environment: {VA: 0x1F, VB: 010, VC: 1e3, VD: 1_000, VE: 1.0, VF: .5, VG: 1:30, "
                               "VH: 2001-12-14, VI: 18446744073709551615, VJ: 18446744073709551616, VK: 0b101, "
                               "VL: 1e400, VM: ~, VN: +12, VO: 0o17, VP: 1e21, VQ: 08, VR: 123456789.0, VS: 1e-7, "
                               "VT: -0.0, VV: 0x8000000000000000, VW: 9223372036854775808, "
                               "VX: -9223372036854775809, VY: 1.5e-400, VZ: 0.1}\n"
                               "    deploy:\n      labels: {a: 0x10, b: 1.0, c: 1e3, d: ~}\n")
    assert spec.task.env == (  # docker service inspect: .Spec.TaskTemplate.ContainerSpec.Env
        "VA=31", "VB=8", "VC=1000", "VD=1000", "VE=1", "VF=0.5", "VG=1:30", "VH=2001-12-14",
        "VI=18446744073709551615", "VJ=1.8446744073709552e+19", "VK=5", "VL=1e400", "VM", "VN=12", "VO=15",
        "VP=1e+21", "VQ=8", "VR=1.23456789e+08", "VS=1e-07", "VT=-0", "VV=9223372036854775808",
        "VW=9223372036854775808", "VX=-9.223372036854776e+18", "VY=0", "VZ=0.1")
    assert {k: v for k, v in spec.labels.items() if not k.startswith("com.docker")} == {
        "a": "16", "b": "1", "c": "1000", "d": ""}


@pytest.mark.parametrize("replicas, count", [("010", 8), ("08", 8), ("2e0", 2)])
def test_replicas_in_yaml_v2s_numbers(replicas, count, tmp_path):
    spec = _deployed(tmp_path, f"    deploy: {{replicas: {replicas}}}\n")
    assert (spec.mode, spec.replicas) == (ServiceMode.REPLICATED, count)


def test_ports_read_as_yaml_v2_reads_them(tmp_path):
    spec = _deployed(tmp_path, "    ports:\n      - 1:30\n      - 0x50\n"
                               "      - {target: 0x51, published: 0o17, mode: host}\n")
    assert [(p.published, p.target, p.mode) for p in spec.endpoint.ports] == [
        (0, 80, "ingress"), (1, 30, "ingress"), (15, 81, "host")]


def test_booleans_y_and_n_and_tags(tmp_path):
    _deployed(tmp_path, "    tty: y\n    stdin_open: Y\n    read_only: n\n")  # docker: TTY and OpenStdin true
    spec = _deployed(tmp_path, "    environment: {A: !foo 12, B: !!str 12, C: !!float 3, D: !!binary aGVsbG8=}\n")
    assert spec.task.env == ("A=12", "B=12", "C=3", "D=hello")


def test_merge_keys_apply_where_they_stand(tmp_path):
    """yaml.v2: a merge overwrites the keys before it, the keys after it win, the first mapping of a list wins."""
    spec = _deployed(tmp_path, "", 'version: "3.8"\nx-d: &d\n  image: busybox:1\n  command: sleep 3600\n'
                                   '  stop_grace_period: 3s\nservices:\n  web:\n    image: busybox:2\n    <<: *d\n'
                                   '    stop_grace_period: 4s\n')
    assert (spec.task.image, spec.task.stop_grace_period) == ("busybox:1", 4.0)
    spec = _deployed(tmp_path, "", 'version: "3.8"\nx-a: &a {stop_grace_period: 5s, command: sleep 3600}\n'
                                   'x-b: &b {stop_grace_period: 6s, image: busybox}\nservices:\n  web:\n'
                                   '    <<: [*a, *b]\n')
    assert (spec.task.image, spec.task.args, spec.task.stop_grace_period) == ("busybox:latest", ("sleep", "3600"), 5.0)


def test_durations_as_go_reads_them(tmp_path):
    spec = _deployed(tmp_path, "    stop_grace_period: .5s\n    healthcheck: {test: [CMD, 'true'], interval: 1.s, "
                               "timeout: +5s, start_period: 1h1.5m}\n")
    check = spec.task.healthcheck
    assert (spec.task.stop_grace_period, check.interval, check.timeout, check.start_period) == (0.5, 1, 5, 3690)
    assert _deployed(tmp_path, "    stop_grace_period: 1\u00b5s2\u03bcs3us\n").task.stop_grace_period == 6e-6
    assert _deployed(tmp_path, "    stop_grace_period: '0'\n").task.stop_grace_period == 0
    assert _deployed(tmp_path, "    stop_grace_period: -1s\n").task.stop_grace_period == -1  # the daemon takes it


@pytest.mark.parametrize("snippet, said", [
    ("    deploy: {update_config: {delay: -1s}, restart_policy: {delay: -2s}}\n",
     "TaskSpec: restart-delay cannot be negative"),
    ("    healthcheck: {test: [CMD, 'true'], interval: -1s}\n", "ContainerSpec: Interval in HealthConfig cannot be "
                                                               "less than 1ms"),
])
def test_negative_durations_are_the_daemons_to_refuse(snippet, said, tmp_path):
    assert _refusal(tmp_path, WEB + snippet).splitlines() == [
        "Creating network s_default", "Creating service s_web",
        f"failed to create service s_web: Error response from daemon: rpc error: code = InvalidArgument desc = {said}"]


@pytest.mark.parametrize("after", ['---\nversion: "3.8"\nfoo: bar\n', "---\n[1, 2\n"])
def test_only_the_first_document_is_read(after, tmp_path):
    """yaml.v2 parses the first document and no further: docker 20.10.24 read both files and went on to ask the
    daemon (the second document has an unknown key, then is not YAML at all)."""
    assert _deployed(tmp_path, "---\n" + after.removeprefix("---\n")).task.image == "busybox:latest"
