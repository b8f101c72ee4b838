"""Every malformed scenario is refused with one ScenarioError naming its file, line and problem.

Each file in tests/scenarios/bad/ starts with `# expect: LINE: FRAGMENT`.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swarmsim.scenario import ScenarioError, load_scenario, loads_scenario

BAD = Path(__file__).parent / "scenarios" / "bad"
FILES = sorted(BAD.glob("*.yaml"))
GOOD_TEXT = """version: 1
cluster:
  nodes:
    - {name: node1, role: manager}
    - {name: node2, labels: {zone: a}}
    - {name: node3, joined: false}
networks:
  ov1: {attachable: true}
services:
  web:
    image: nginx
    ports: ["8080:80", {target: 81, mode: host}]
    networks: [ov1]
    deploy: {replicas: 2, placement: {constraints: [node.role==worker]}, update_config: {delay: 5s}}
images:
  nginx: {size: 10MB, present: [node1]}
timing: {heartbeat_period: 2s, election_timeout: [1s, 2s]}
traffic: [{port: 8080, rate: 5, via: node2}]
steps:
  - run: docker service update --replicas 3 web
  - {run: docker swarm join --token T node1:2377, on: node3}
  - wait: converged
    timeout: 1m
  - at: 10s
  - fail: {node: node2, kind: crash}
  - partition: [[node1], [node2, node3]]
  - heal: true
"""


def expectation(path: Path) -> tuple[int, str]:
    match = re.match(r"# expect: (\d+): (.*)", path.read_text().splitlines()[0])
    assert match, f"{path.name} lacks an '# expect: LINE: FRAGMENT' header"
    return int(match.group(1)), match.group(2)


def test_the_fuzzing_seed_is_itself_valid():
    assert len(loads_scenario(GOOD_TEXT).steps) == 7


def test_there_are_enough_bad_files():
    assert len(FILES) >= 45


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_bad_file_is_refused_at_its_line(path):
    line, fragment = expectation(path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert fragment in message
    assert "\n" not in message
    assert info.value.line == line


def test_missing_file_is_named():
    with pytest.raises(ScenarioError, match="no-such-file.yaml: cannot read the scenario file"):
        load_scenario("no-such-file.yaml")


def test_error_names_the_key_path():
    with pytest.raises(ScenarioError) as info:
        load_scenario(BAD / "unknown_flag.yaml")
    assert info.value.path == "steps[0].run"


def _mutations(text: str):
    lines = text.splitlines()
    return st.one_of(
        st.text(max_size=200),
        st.builds(lambda i, junk: "\n".join(lines[:i] + [junk] + lines[i + 1:]),
                  st.integers(0, len(lines) - 1), st.text(max_size=40)),
        st.builds(lambda i, j: text[:i] + text[j:], st.integers(0, len(text)), st.integers(0, len(text))),
        st.builds(lambda i, s: text[:i] + s + text[i:], st.integers(0, len(text)),
                  st.sampled_from(["[", "]", "{", ":", "- ", "\t", "&a ", "*a", "!!int ", "'", "-1", "null", "\n  "])),
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations(GOOD_TEXT))
def test_random_or_mutated_yaml_raises_only_scenario_error(text):
    try:
        loads_scenario(text, "fuzz.yaml")
    except ScenarioError as err:
        assert str(err).startswith("fuzz.yaml")
        assert "\n" not in str(err)
