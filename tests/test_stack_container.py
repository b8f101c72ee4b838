"""A stack file's container settings (hostname, user, working_dir, init, stop_signal, tty, stdin_open,
read_only, dns, extra_hosts, capabilities, sysctls, ulimits, container labels, isolation, logging) as docker/cli's
convert.Service sends them, in `service inspect`, and a redeploy that changes one of them rolling the service's
tasks, as docker 20.10.24 did on a fresh one-node swarm (tests/fixtures/cli_output/stack_container.txt; `python
tests/test_stack_container.py RAW.json` writes it, tests/one_node.py)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import cli_capture as cc
import one_node
from swarmsim import loads_scenario

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "stack_container.txt"
STACKS = Path(__file__).parent / "fixtures" / "stacks"
_SPEC = "docker service inspect --format '{{json .Spec.TaskTemplate.ContainerSpec}}'"
_PS = "docker service ps --format '{{.Name}} {{.DesiredState}}'"
STACK_STEPS = (
    "docker stack deploy --resolve-image never -c STACKS/container.yml st",
    "SLEEP 4",
    f"{_SPEC} st_full",
    f"{_SPEC} st_plain",
    "docker service inspect --format '{{json .Spec.TaskTemplate.LogDriver}} {{json .Spec.Labels}}' st_full",
    "docker service inspect st_plain",
    "docker service inspect --pretty st_full",
    "docker stack deploy --resolve-image never -c STACKS/container-renamed.yml st",
    "SLEEP 6",
    f"{_PS} st_plain",
    f"{_SPEC} st_plain",
)


def _steps(steps):
    return [line.replace("STACKS", str(STACKS)) for line in steps]


def _unordered(line: str, text: str) -> str:
    """docker/cli's deployServices ranges over a Go map: the services come in a random order, and with them
    the order their VIPs are allocated in. A deploy's lines as a set, a VIP's last byte as a placeholder."""
    if line.startswith("docker stack deploy"):
        return "".join(sorted(text.splitlines(keepends=True)))
    return re.sub(r'("Addr": "10\.0\.1\.)\d+', r"\1N", text)


def test_the_simulator_prints_what_docker_printed():
    for entry, output in one_node.pairs(FIXTURE, STACK_STEPS, _steps(STACK_STEPS)):
        assert _unordered(entry["line"], cc.normal(output)) == _unordered(entry["line"], entry["out"]), entry["line"]



def _spec(tmp_path, service: str, networks: str = ""):
    (tmp_path / "st.yml").write_text(f'version: "3.8"\nservices:\n  web:\n    image: nginx\n{service}{networks}')
    scenario = loads_scenario(f"version: 1\ncluster: {{managers: 1}}\nsteps:\n  - run: docker stack deploy -c "
                              f"{tmp_path / 'st.yml'} app\n")
    (spec,) = scenario.steps[0].parsed.stack.services
    return spec.task


def test_a_mapping_of_extra_hosts_is_sorted_and_its_empty_entries_dropped(tmp_path):
    task = _spec(tmp_path, "    extra_hosts: {zz: 10.0.0.9, aa: 10.0.0.1, nothing: null}\n")
    assert task.hosts == ("10.0.0.1 aa", "10.0.0.9 zz")


def test_ulimits_sysctls_and_isolation_as_convert_service_sends_them(tmp_path):
    task = _spec(tmp_path, "    ulimits: {nproc: 64, nofile: {soft: 1, hard: 2}}\n    sysctls: [b=2, a=1]\n"
                           "    isolation: HyperV\n")
    assert task.ulimits == (("nofile", 1, 2), ("nproc", 64, 64))
    assert task.sysctls == (("a", "1"), ("b", "2")) and task.isolation == "hyperv"
    assert task.init is None and task.from_stack


def test_networks_sorted_by_their_swarm_names_with_the_services_name_as_an_alias(tmp_path):
    task = _spec(tmp_path, "    networks:\n      zeta: {aliases: [z1]}\n      alpha:\n",
                 "networks:\n  zeta: {}\n  alpha: {}\n")
    assert task.networks == ("app_alpha", "app_zeta") and task.aliases == (("web",), ("z1", "web"))


def test_a_cli_created_service_still_sends_init_and_both_resource_blocks():
    (out,) = one_node.simulated([f"docker service create -d --name c {cc.IMAGE}",
                                 "docker service inspect --format '{{json .Spec.TaskTemplate.ContainerSpec.Init}} "
                                 "{{json .Spec.TaskTemplate.Resources}}' c"])[1:]
    assert out.strip() == 'false {"Limits":{},"Reservations":{}}'


if __name__ == "__main__":
    one_node.record(Path(sys.argv[1]), FIXTURE, _steps(STACK_STEPS), cc.normal, shown=STACK_STEPS)
