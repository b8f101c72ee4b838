"""Text a scenario's small files can multiply into: the specs' text (limits.text), what one stack file expands to
(EXPANDED_TEXT: interpolated values, env_file lines) and the stack files the deploys parse. Each is refused at
its line, at once, instead of filling memory (10,000 services with one 1 MiB env_file each were 11.7 GB)."""
from __future__ import annotations

import json

import pytest

from swarmsim import loads_scenario
from swarmsim.model.limits import EXPANDED_TEXT, Limits
from swarmsim.scenario import ScenarioError


def _load(tmp_path, steps: list[str], files: dict[str, str], head: str = ""):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    lines = "".join(f"  - run: {json.dumps(s)}\n" for s in steps)
    return loads_scenario(f"version: 1\ncluster: {{managers: 1}}\n{head}steps:\n{lines}", str(tmp_path / "s.yaml"))


def test_the_specs_text_is_bounded_at_the_step_that_passes_it(tmp_path):
    label = "x" * 400
    steps = [f"docker service create -d --name s{i} --label l={label} nginx" for i in range(10)]
    with pytest.raises(ScenarioError, match=r"s.yaml:\d+: steps\[4\].run: the services' specs hold [\d,]+ characters "
                                            r"of text by this step, over the limit of 2,000"):
        _load(tmp_path, steps, {}, "limits: {text: 2000}\n")
    assert len(_load(tmp_path, steps[:3], {}, "limits: {text: 2000}\n").steps) == 3
    assert Limits().text == 256 << 20


def test_an_interpolation_that_multiplies_a_value_is_refused_before_it_is_built(tmp_path):
    value = "v" * 500_000
    stack = 'version: "3.8"\nservices:\n  web:\n    image: nginx\n    labels: {big: "' + "${A}" * 200 + '"}\n'
    with pytest.raises(ScenarioError, match=r"st.yml:5: services.web.labels.big: interpolating the file makes more "
                                            rf"than {EXPANDED_TEXT:,} characters"):
        _load(tmp_path, ["docker stack deploy -c st.yml app"], {"st.yml": stack}, f"env: {{A: {value}}}\n")


def test_env_files_read_again_and_again_are_bounded(tmp_path):
    env = "".join(f"K{i}={'v' * 990}\n" for i in range(1000))  # about 1 MB
    stack = 'version: "3.8"\nservices:\n  web:\n    image: nginx\n    env_file: [' + ", ".join(["e.env"] * 80) + "]\n"
    with pytest.raises(ScenarioError, match=r"st.yml:5: services.web.env_file: the services' env files hold more "
                                            rf"than {EXPANDED_TEXT:,} characters together"):
        _load(tmp_path, ["docker stack deploy -c st.yml app"], {"st.yml": stack, "e.env": env})


def test_stack_files_parsed_by_the_deploys_count(tmp_path):
    stack = 'version: "3.8"\nservices:\n  web:\n    image: nginx\n' + "#" * 1_000_000 + "\n"
    with pytest.raises(ScenarioError, match=r"s.yaml:4: steps\[0\].run: the steps' specs and stack files hold "
                                            r"[\d,]+ characters of text by this deploy"):
        _load(tmp_path, ["docker stack deploy " + "-c st.yml " * 300 + "app"], {"st.yml": stack})


def test_what_the_steps_print_is_bounded(monkeypatch, tmp_path):
    from swarmsim import SimBackend, backend, run_scenario
    from swarmsim.model.limits import LimitExceeded
    monkeypatch.setattr(backend, "OUTPUT_LIMIT", 5_000)
    scenario = _load(tmp_path, ["docker service create -d --name web --replicas 20 nginx"] +
                     ["docker service ps web"] * 10, {})
    with pytest.raises(LimitExceeded, match=r"s.yaml:\d+: steps\[\d+\]: the steps printed more than 5,000 characters"):
        run_scenario(scenario, SimBackend())
