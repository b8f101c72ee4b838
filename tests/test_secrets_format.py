"""docker secret/config as swarm objects, --secret/--config on services, --format, service ls -f, inspect -f."""
import json
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from swarmsim.model.service import ref_names
from swarmsim import SimBackend, loads_scenario, run_scenario
from swarmsim.dockercli import template
from swarmsim.dockercli.render import _table
from swarmsim.scenario import ScenarioError


def _run(tmp: Path, steps: list[str]):
    (tmp / "pw.txt").write_text("hunter2\n")
    lines = "".join(f"  - {s}\n" if s.startswith("wait:") else f"  - run: {json.dumps(s)}\n" for s in steps)
    scenario = loads_scenario(f"version: 1\ncluster: {{managers: 1, workers: 1}}\nsteps:\n{lines}",
                              str(tmp / "s.yaml"))
    backend = SimBackend()
    trace = run_scenario(scenario, backend)
    return backend.swarm, [(s["ok"], s["output"]) for s in trace.steps()]


def test_secrets_and_configs_are_swarm_objects_services_use(tmp_path):
    swarm, out = _run(tmp_path, [
        "docker secret create --label team=a db pw.txt", "docker config create site pw.txt",
        "docker secret create db pw.txt",
        "docker service create -d --name web --secret db --config source=site,target=/x nginx",
        "docker service create -d --name api --secret nope nginx",
        "docker service create -d --name api2 --config nope nginx",
        "docker secret rm db", "docker secret ls", "docker service update -d --secret-rm db web",
        "docker secret rm db nothere", "docker config ls -q"])
    ident = swarm.objects["config"]["site"][0]
    assert out[0][0] and len(out[0][1]) == 25 and swarm.objects["secret"].get("db") is None
    assert out[2] == (False, "Error response from daemon: rpc error: code = AlreadyExists desc = secret db already "
                             "exists")
    assert out[3][0] and swarm.service("web").spec.task.secrets == () and \
        ref_names(swarm.service("web").spec.task.configs) == ("site",)
    assert out[4] == (False, "secret not found: nope") and out[5] == (False, "config not found: nope")
    assert out[6] == (False, "Error response from daemon: rpc error: code = InvalidArgument desc = secret 'db' is in "
                             "use by the following service: web")
    assert out[7][1].splitlines()[0] == "ID                          NAME      DRIVER    CREATED                  UPDATED"
    assert out[9] == (False, "db\nError response from daemon: secret nothere not found")
    assert out[10] == (True, ident + "\n")


def test_a_missing_secret_file_is_refused_on_load(tmp_path):
    with pytest.raises(ScenarioError, match=r"s.yaml:4: steps\[0\].run: open .*nope.txt: no such file"):
        _run(tmp_path, ["docker secret create s nope.txt"])


def test_format_filter_and_inspect_templates(tmp_path):
    _, out = _run(tmp_path, [
        "docker service create -d --name web --label tier=front nginx:1.25",
        "docker service create -d --name worker --mode global --label tier=back busybox",
        "docker service ls --format 'table {{.Name}}\\t{{.Mode}}'",
        "docker service ls --format '{{.Name}}={{.Image}}' -f label=tier=back",
        "docker service ls -q -f mode=replicated -f name=nope",
        "docker service ls --format '{{json .}}' -f name=we",
        "docker service inspect -f '{{.Spec.Name}} {{json .Spec.Labels}}' web worker",
        "docker service ls --format '{{.Nope}}'"])
    assert out[2][1] == "NAME      MODE\nweb       replicated\nworker    global\n"
    assert out[3][1] == "worker=busybox:latest\n"  # the client tags an untagged image
    assert out[4][1] == ""
    assert out[5][1].startswith('{"ID":"') and out[5][1].endswith('","Image":"nginx:1.25","Mode":"replicated",'
                                                                 '"Name":"web","Ports":"","Replicas":"0/1"}\n')
    assert out[6][1] == 'web {"tier":"front"}\nworker {"tier":"back"}\n'
    assert not out[7][0] and "can't evaluate field Nope" in out[7][1]


@given(st.lists(st.fixed_dictionaries({"ID": st.text("abc0123", min_size=1, max_size=12),
                                       "Name": st.text("xyz_", min_size=1, max_size=30)}), max_size=8))
def test_a_table_format_is_the_default_table_of_its_columns(items):
    """`table {{.ID}}\\t{{.Name}}` lays out exactly as the built-in tables do (one tabwriter)."""
    got = template.execute("table {{.ID}}\\t{{.Name}}", items, {"ID": "ID", "Name": "NAME"}, "ctx", _table)
    assert got == _table([["ID", "NAME"]] + [[i["ID"], i["Name"]] for i in items])
    assert template.execute("{{.Name}}", items, {}, "ctx", _table) == "".join(i["Name"] + "\n" for i in items)


def test_task_network_and_stack_listings_take_a_format(tmp_path):
    (tmp_path / "app.yml").write_text('version: "3.8"\nservices:\n  web: {image: nginx, deploy: {replicas: 2}}\n')
    _, out = _run(tmp_path, [
        "docker stack deploy -c app.yml app", "wait: converged",
        "docker service ps --format '{{.Name}} {{.DesiredState}}' app_web",
        "docker stack ps --format 'table {{.Name}}\\t{{.Node}}' app",
        "docker network ls --format '{{.Name}}/{{.Driver}}/{{.Scope}}'",
        "docker stack ls --format '{{json .}}'",
        "docker node ps --format '{{.Image}}'"])
    out = out[1:]
    assert out[1][1] == "app_web.1 Running\napp_web.2 Running\n"
    header, *rows = out[2][1].splitlines()
    assert header.split() == ["NAME", "NODE"] and [r.split()[0] for r in rows] == ["app_web.1", "app_web.2"]
    assert "app_default/overlay/swarm" in out[3][1].splitlines() and "ingress/overlay/swarm" in out[3][1]
    assert out[4][1] == '{"Name":"app","Orchestrator":"Swarm","Services":"1"}\n'
    assert out[5][1] == "nginx:latest\n"


def test_a_template_that_does_not_parse_is_refused_on_load(tmp_path):
    with pytest.raises(ScenarioError, match="unclosed action"):
        _run(tmp_path, ["docker service ls --format '{{.Name'"])
    with pytest.raises(ScenarioError, match='unexpected "}" in operand'):
        _run(tmp_path, ["docker service inspect -f '{{json .}' web"])
    with pytest.raises(ScenarioError, match='function "shout" not defined'):
        _run(tmp_path, ["docker secret ls --format '{{shout .Name}}'"])
