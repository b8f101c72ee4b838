"""docker stack deploy/ls/services/ps/rm on the simulator, with real stack files (tests/stacks/)."""
import json
from pathlib import Path

import pytest

from swarmsim.model.service import ref_names
from swarmsim import SimBackend, loads_scenario, run_scenario
from swarmsim.control.constraint import node_matches, parse_all
from swarmsim.model import ServiceMode, TaskState
from swarmsim.model.stack import NAMESPACE_LABEL
from swarmsim.scenario import ScenarioError

STACKS = Path(__file__).parent / "stacks"
CORPUS = sorted(STACKS.glob("*.yml"))
REFUSED = sorted((STACKS / "refused").glob("*.yml"))
NET = "docker network create --driver overlay "


def _secret(name: str) -> str:
    return f"docker secret create {name} pw.txt"


TRAEFIK_LABEL = "docker node update --label-add traefik-public.traefik-public-certificates=true node1"
TRAEFIK_ENV = {"DOMAIN": "traefik.example.com", "USERNAME": "admin", "HASHED_PASSWORD": "$apr1$x$y",
               "EMAIL": "admin@example.com"}


#: What each real file needs on the swarm and beside it before `docker stack deploy` (as its README says):
#: external networks, secrets and configs made first; `run` steps, `env` values and files its configs,
#: secrets and env_files read (their content does not matter here)
SETUP: dict[str, dict] = {
    "0culty-docker-elk.yml": {"files": ["elasticsearch/config/elasticsearch.yml", "logstash/config/logstash.yml",
                                        "logstash/pipeline/logstash.conf", "kibana/config/kibana.yml"]},
    "7t4-galera.yml": {"run": [NET + "dbnet"] + [f"docker node update --label-add db=true node{i}" for i in (2, 3)]},
    "adipsys-dnsprotect.yml": {"env": {"MYSQL_ROOT_PASSWORD": "pw", "OPERATOR": "op", "SERVER_NAME": "dns.example",
                                       "SERVER_ALIAS": "ns.example", "ADMIN_PASSWD": "pw", "WEB_IHM_PORT": "8080",
                                       "WEB_IHM_SSL_PORT": "8443", "RSYSLOG_SERVER": "syslog", "DNS_PORT": "53",
                                       "PRODUCT_VERSION": "1.0"}},
    "alanjui-docker-swarm.yml": {"run": [_secret("my_password")]},
    "atsea-docker-stack.yml": {"run": ["docker node update --label-add pcidss=yes node2"] + [_secret(s) for s in ("postgres_password", "staging_token", "revprox_key",
                                                            "revprox_cert")]},
    "dfmonitor-exporters-aws.yml": {"run": [NET + "monitor", NET + "proxy"]},
    "dfmonitor-go-demo-instrument-alert.yml": {"run": [NET + "monitor", NET + "proxy"]},
    "dfmonitor-stack.yml": {"run": [_secret("alert_manager_config"), NET + "monitor", NET + "proxy",
                                    NET + "infra_default"]},
    "dfstacks-docker-flow-proxy-secrets.yml": {"run": [_secret("dfp_stats_user"), _secret("dfp_stats_pass"),
                                                       NET + "proxy"]},
    "dfstacks-flusso-ci-stack.yml": {"run": [NET + "drove-ci", NET + "proxy"], "files": ["manatee_proxy.pem"]},
    "docker-elastic-docker-compose.yml": {"run": [NET + "elastic"], "env": {"PWD": "."},
                                          "files": ["elk/logstash/config/pipeline/logstash.conf"]},
    "docker-elastic-filebeat.yml": {"env": {"PWD": "."}, "files": ["elk/beats/filebeat/config/filebeat.yml"]},
    "dockercli-e2e-named-resources.yml": {"files": ["data"]},
    "dockerswarm-rocks-swarmpit.yml": {"run": [NET + "traefik-public",
                                               "docker node update --label-add swarmpit.db-data=true node1",
                                               "docker node update --label-add swarmpit.influx-data=true node1"], "env": {"DOMAIN": "swarmpit.example.com"}},
    "dogvscat-stack-ee-ghost.yml": {"run": [_secret("ghost-db-password")]},
    "dogvscat-stack-elk.yml": {"run": [NET + "proxy"], "files": [
        "docker-elk/elasticsearch/config/elasticsearch.yml", "docker-elk/logstash/config/logstash.yml",
        "logstash.conf", "docker-elk/kibana/config/kibana.yml"]},
    "dogvscat-stack-rexray.yml": {"run": [_secret("rexray_do_token")]},
    "dogvscat-stack-swarmprom.yml": {"run": [NET + "proxy"], "files": [
        "swarmprom/dockerd-exporter/Caddyfile", "swarmprom/prometheus/rules/swarm_node.rules.yml",
        "swarmprom/prometheus/rules/swarm_task.rules.yml"]},
    "dogvscat-stack-voting.yml": {"run": [NET + "proxy"]},
    "jpetazzo-prometheus-config.yml": {"files": ["../prom/prometheus.yml"]},
    "portainer-nginx-proxy-swarm.yml": {"run": [NET + "proxy", NET + "agent_network"]},
    "swarm-cronjob-configs.yml": {"files": ["config.txt"]},
    "swarmprom-docker-compose.traefik.yml": {
        "run": [NET + "traefik-public"], "env": {"DOMAIN": "example.com", "ADMIN_USER": "admin",
                                                "HASHED_PASSWORD": "$apr1$x$y"},
        "files": ["dockerd-exporter/Caddyfile", "prometheus/rules/swarm_node.rules.yml",
                  "prometheus/rules/swarm_task.rules.yml"]},
    "swarmprom-docker-compose.yml": {"files": ["caddy/Caddyfile", "dockerd-exporter/Caddyfile",
                                               "prometheus/rules/swarm_node.rules.yml",
                                               "prometheus/rules/swarm_task.rules.yml"]},
    "udemy-secrets-sample-2.yml": {"files": ["psql_user.txt", "psql_password.txt"]},
    "udemy-swarm-secrets-assignment-1.yml": {"run": [_secret("psql-pw")]},
    "vegasbrianc-prometheus-docker-stack.yml": {"files": ["grafana/config.monitoring"]},
    "vegasbrianc-prometheus-traefik-stack.yml": {"files": ["grafana/config.monitoring"]},
    "vegasbrianc-prometheus-pwd-stack.yml": {"env": {"HOSTNAME": "node1"}},
    "caddy-docker-proxy-ingress-networks.yml": {"env": {"DOCKER_SOCKET_PATH": "/var/run/docker.sock",
                                                        "DOCKER_SOCKET_TYPE": "bind"}},
    "caddy-docker-proxy-standalone.yml": {"files": ["Caddyfile"]},
    "dfstacks-jenkins-df-proxy-aws-full.yml": {"run": [NET + "proxy"] + [_secret(s) for s in (
        "jenkins-user", "jenkins-pass", "cluster-info.properties")]},
    "dfstacks-jenkins-swarm-agent-secrets.yml": {"run": [_secret("jenkins-user"), _secret("jenkins-pass")]},
    "dfstacks-prometheus-grafana.yml": {"run": [NET + "logging_default"]},
    "dockerswarm-rocks-portainer.yml": {"run": [NET + "traefik-public",
                                                "docker node update --label-add portainer.portainer-data=true node1"],
                                        "env": {"DOMAIN": "portainer.example.com"}},
    "dockerswarm-rocks-thelounge.yml": {"run": [NET + "traefik-public",
                                                "docker node update --label-add thelounge.thelounge-data=true node2"],
                                        "env": {"DOMAIN": "irc.example.com"}},
    "dockerswarm-rocks-traefik.yml": {"run": [NET + "traefik-public", TRAEFIK_LABEL], "env": TRAEFIK_ENV},
    "dockerswarm-rocks-traefik-host.yml": {"run": [NET + "traefik-public", TRAEFIK_LABEL], "env": TRAEFIK_ENV},
    "israeldoamaral-portainer-agent-stack.yml": {"run": [NET + "traefik_public"]},
    "openfaas-faas.yml": {"run": [_secret("basic-auth-user"), _secret("basic-auth-password")],
                          "files": ["prometheus/prometheus.yml", "prometheus/alert.rules.yml",
                                    "prometheus/alertmanager.yml"]},
    "ruanbekker-fluentd-logging.yml": {"run": [NET + "appnet"], "files": ["fluent.conf"],
                                       "env": {"DOMAIN": "example.com", "ELASTICSEARCH_URL": "http://es"}},
    "ruanbekker-mongodb-tutum.yml": {"run": [NET + "appnet"]},
    "ruanbekker-monitoring.yml": {"run": [NET + "appnet"]},
    "ragedunicorn-mariadb.yml": {"run": [_secret("com.ragedunicorn.mariadb." + s) for s in (
        "root_password", "app_user", "app_user_password")]},
}


def _run(tmp: Path, steps: list[str], files: dict[str, str] | None = None, workers: int = 2,
         env: dict[str, str] | None = None):
    for name, text in (files or {}).items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(text)
    lines = "\n".join(f"  - {s}" if s.startswith("wait") else f"  - run: {s}" for s in steps)
    scenario = loads_scenario(f"version: 1\ncluster: {{managers: 1, workers: {workers}}}\nenv: {json.dumps(env or {})}"
                              f"\nsteps:\n{lines}\n", str(tmp / "scenario.yaml"))
    backend = SimBackend()
    trace = run_scenario(scenario, backend)
    return backend.swarm, trace.steps()


def _running(swarm, service) -> int:
    return sum(1 for t in swarm.store.service_tasks(service.id) if t.state is TaskState.RUNNING)


def prepare(path: Path, tmp: Path) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """The file copied unchanged into `tmp`/stack (its relative files one level below, for `../`); the steps that
    go before its deploy, the environment, and the files beside it (path under `tmp` -> text)."""
    setup = SETUP.get(path.name, {})
    here = tmp / "stack"
    env = {k: str(here) if v == "." else v for k, v in setup.get("env", {}).items()}
    files = {f"stack/{name}": "placeholder" for name in setup.get("files", [])} | {"pw.txt": "hunter2"}
    here.mkdir(parents=True)
    (here / path.name).write_bytes(path.read_bytes())
    return list(setup.get("run", [])), env, files


def _deploy_real_file(path: Path, tmp: Path, wait: bool = True, after: tuple[str, ...] = ()):
    """Its deploy on 1 manager and 2 workers (`prepare`), then the steps `after`."""
    runs, env, files = prepare(path, tmp)
    return _run(tmp, runs + [f"docker stack deploy -c stack/{path.name} s"] + (["wait: converged"] if wait else []) +
                list(after), files, env=env)


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_real_stack_file_deploys_unchanged_and_rm_leaves_nothing(path, tmp_path):
    assert len(CORPUS) >= 50
    assert path.read_text().startswith("# source: https://github.com/")
    swarm, steps = _deploy_real_file(path, tmp_path)
    assert all(s["ok"] for s in steps), [(s["step"], s["output"]) for s in steps if not s["ok"]]
    services = list(swarm.store.services.values())
    assert services
    for service in services:
        assert service.name.startswith("s_") and service.spec.labels[NAMESPACE_LABEL] == "s"
        eligible = parse_all(service.spec.task.placement.constraints)
        want = (sum(node_matches(eligible, n) for n in swarm.store.nodes.values())
                if service.spec.mode is ServiceMode.GLOBAL else service.spec.replicas)
        assert _running(swarm, service) == want, service.name
    ours = {n.name for n in swarm.networks.values() if n.labels.get(NAMESPACE_LABEL) == "s"}
    networks_before = set(swarm.networks)
    from swarmsim.sim import stack as stacks
    ok, out = stacks.remove(swarm, ("s",))
    assert ok and out.splitlines()[0].startswith("Removing service s_")
    assert not swarm.store.services
    assert not [n for n in swarm.networks.values() if n.labels.get(NAMESPACE_LABEL) == "s"]
    assert networks_before - ours == set(swarm.networks)


#: What docker 20.10 answered to each refused real file (`docker stack deploy` on the local swarm); the sim
#: says the same, a check of the file with its file, line and key, or the deploy's last line
REFUSED_WITH = {
    "affell-swarm-manager.yml": 'stack/affell-swarm-manager.yml:26: services.swarm-manager.networks: service '
                                'swarm-manager: undefined network "public"',
    "dfstacks-registry-rexray-external.yml": 'stack/dfstacks-registry-rexray-external.yml:19: volumes.registry.driver: '
                                             'conflicting parameters "external" and "driver" specified for volume '
                                             '"registry"',
    "swarmpit-docker-compose.yml": "stack/swarmpit-docker-compose.yml:2: version: unsupported Compose file version: 1.0",
    "traefik-forward-auth-v1.7-swarm.yml": "failed to create service s_traefik-forward-auth: Error response from "
                                           "daemon: rpc error: code = InvalidArgument desc = ContainerSpec: image "
                                           "reference must be provided",
    "docker-library-geonetwork.yml": "stack/docker-library-geonetwork.yml:28: services.geonetwork.depends_on: "
                                     "services.geonetwork.depends_on must be a list",
    "docker-library-mongo.yml": "stack/docker-library-mongo.yml:23: services.mongo-express.environment."
                                "ME_CONFIG_BASICAUTH: services.mongo-express.environment.ME_CONFIG_BASICAUTH must be a "
                                "string, number or null",
    "lhns-otel-stack-swarm.yml": 'stack/lhns-otel-stack-swarm.yml:101: services.mimir.networks: service mimir: '
                                 'undefined network "web"',
    "ruanbekker-monitoring.yml": 'stack/ruanbekker-monitoring.yml:64: services.grafana.volumes[0]: service grafana: '
                                 'undefined volume "grafana"',
}


@pytest.mark.parametrize("path", REFUSED, ids=[p.name for p in REFUSED])
def test_real_stack_file_docker_refuses_is_refused_with_dockers_words(path, tmp_path):
    assert set(REFUSED_WITH) == {p.name for p in REFUSED}
    assert path.read_text().startswith("# source: https://github.com/")
    try:
        _, steps = _deploy_real_file(path, tmp_path, wait=False)
    except ScenarioError as err:
        said = str(err)
    else:
        assert not steps[-1]["ok"]
        said = steps[-1]["output"].splitlines()[-1]
    assert said.startswith(REFUSED_WITH[path.name]) and "Traceback" not in said


V1 = """version: "3.8"
services:
  web:
    image: nginx:1.24
    deploy: {replicas: 3, update_config: {parallelism: 1, delay: 1s}}
  api:
    image: api:1
    deploy: {replicas: 2}
"""


def test_redeploy_updates_only_the_changed_service(tmp_path):
    v2 = V1.replace("nginx:1.24", "nginx:1.25")
    swarm, steps = _run(tmp_path, ["docker stack deploy -c v1.yml app", "wait: converged",
                                   "docker stack ps -q app", "docker stack deploy -c v2.yml app",
                                   "wait: converged", "docker stack ps app"], {"v1.yml": V1, "v2.yml": v2})
    assert steps[0]["output"].splitlines() == ["Creating network app_default", "Creating service app_web",
                                               "Creating service app_api"]
    web, api = swarm.store.service("app_web"), swarm.store.service("app_api")
    assert steps[3]["output"].splitlines() == [f"Updating service app_web (id: {web.id})",
                                               f"Updating service app_api (id: {api.id})"]
    api_tasks = {t.id for t in swarm.store.service_tasks(api.id)}
    assert len(api_tasks) == 2  # not replaced: no history
    web_tasks = swarm.store.service_tasks(web.id)
    assert sum(t.state is TaskState.RUNNING and t.spec.image == "nginx:1.25" for t in web_tasks) == 3
    assert sum(t.spec.image == "nginx:1.24" for t in web_tasks) == 3  # the old ones, shut down one by one
    assert "\\_ app_web.1" in steps[5]["output"]


def test_prune_removes_services_no_longer_in_the_file(tmp_path):
    v2 = V1.split("  api:")[0]
    files = {"v1.yml": V1, "v2.yml": v2}
    swarm, steps = _run(tmp_path, ["docker stack deploy -c v1.yml app", "docker stack deploy -c v2.yml app",
                                   "docker stack services -q app", "docker stack deploy --prune -c v2.yml app",
                                   "docker stack ls"], files)
    assert len(steps[2]["output"].splitlines()) == 2  # without --prune app_api stays
    assert steps[3]["output"].splitlines()[0] == "Removing service app_api"
    assert [s.name for s in swarm.store.services.values()] == ["app_web"]
    assert steps[4]["output"] == "NAME      SERVICES   ORCHESTRATOR\napp       1          Swarm\n"


def test_entrypoint_is_the_containers_command_and_command_its_args(tmp_path):
    """convert.Service sends `entrypoint:` as ContainerSpec.Command (it was read and dropped): the real file's
    tikv and pd0 as docker 20.10.24's `service inspect` showed them after this deploy on the local swarm."""
    path = STACKS / "hundundm-tidb-docker-swarm.yml"
    (tmp_path / "stack").mkdir()
    (tmp_path / "stack" / path.name).write_bytes(path.read_bytes())
    _, steps = _run(tmp_path, [f"docker stack deploy -c stack/{path.name} s", "docker service inspect s_tikv s_pd0"])
    tikv, pd0 = (spec["Spec"]["TaskTemplate"]["ContainerSpec"] for spec in json.loads(steps[1]["output"]))
    assert tikv["Command"] == ["/bin/sh", "-c", "/tikv-server --advertise-addr=$HOSTNAME:20160 --addr=0.0.0.0:20160 "
                               "--data-dir=/data/tikv$TASK_SLOT "
                               "--pd=pd0:2379,pd1:2379,pd2:2379 --config=/tikv.toml "
                               "--log-file=/logs/tikv$TASK_SLOT.log --log-level=info"] and "Args" not in tikv
    assert "Command" not in pd0 and pd0["Args"][0] == "--name=pd0"


EXTERNAL = """version: "3.5"
services:
  web: {image: nginx, networks: [public]}
networks:
  public: {external: true, name: traefik-public}
"""


def test_external_network_is_looked_up_not_created(tmp_path):
    swarm, steps = _run(tmp_path, ["docker stack deploy -c s.yml app"], {"s.yml": EXTERNAL})
    assert not steps[0]["ok"]
    assert steps[0]["output"] == ('network "traefik-public" is declared as external, but could not be found. You '
                                  'need to create a swarm-scoped network before the stack is deployed')
    swarm, steps = _run(tmp_path, ["docker network create -d overlay traefik-public",
                                   "docker stack deploy -c s.yml app", "docker stack rm app"])
    assert steps[1]["output"] == "Creating service app_web"
    assert swarm.store.service("app_web") is None and "traefik-public" in swarm.networks
    assert steps[2]["output"] == "Removing service app_web"


SECRETS = """version: "3.1"
services:
  db: {image: postgres, secrets: [pw, token]}
secrets:
  pw: {file: ./pw.txt}
  token: {external: true}
"""


def test_secrets_created_from_files_and_a_missing_external_one_fails(tmp_path):
    (tmp_path / "pw.txt").write_text("hunter2")
    swarm, steps = _run(tmp_path, ["docker stack deploy -c s.yml app", "docker stack rm app"], {"s.yml": SECRETS})
    assert steps[0]["output"].splitlines() == ["Creating network app_default", "Creating secret app_pw",
                                               "service db: secret not found: token"]
    assert not steps[0]["ok"]
    assert steps[1]["output"].splitlines() == ["Removing secret app_pw", "Removing network app_default"]


def test_stack_ps_and_services_of_an_unknown_stack(tmp_path):
    _, steps = _run(tmp_path, ["docker stack services nope", "docker stack ps nope", "docker stack rm nope"])
    assert steps[0]["output"] == "Nothing found in stack: nope"
    assert (steps[1]["ok"], steps[1]["output"]) == (False, "nothing found in stack: nope")
    assert steps[2]["output"] == "Nothing found in stack: nope"


def test_all_errors_of_a_file_at_once_with_file_line_and_key(tmp_path):
    bad = """version: "3.2"
services:
  web:
    image: nginx
    imagee: typo
    deploy: {replicas: 2, rollback_config: {parallelism: 1}}
  db:
    image: ${DB_IMAGE:?set DB_IMAGE}
    extends: web
  cache:
    networks: [nowhere]
"""
    (tmp_path / "bad.yml").write_text(bad)
    with pytest.raises(ScenarioError) as err:
        _run(tmp_path, ["docker stack deploy -c bad.yml app"])
    lines = str(err.value).splitlines()
    assert lines == [
        "bad.yml:8: services.db.image: invalid interpolation format for services.db.image: \"required variable "
        "DB_IMAGE is missing a value: set DB_IMAGE\"; you may need to escape any $ with another $",
        "bad.yml:5: services.web.imagee: services.web Additional property imagee is not allowed (did you mean "
        "'image'?)",
        "bad.yml:6: services.web.deploy.rollback_config: services.web.deploy Additional property rollback_config is "
        "not allowed (it needs version: \"3.7\" or later)",
        "bad.yml:9: services.db.extends: Compose file contains unsupported options: extends: Support for `extends` "
        "is not implemented yet.",
    ]


def test_unsupported_and_deprecated_options_reported_once(tmp_path):
    text = V1.replace("    image: nginx:1.24\n", "    image: nginx:1.24\n    build: .\n    restart: always\n"
                      "    container_name: w\n    links: [api]\n").replace("    image: api:1\n",
                                                                           "    image: api:1\n    build: ./api\n")
    _, steps = _run(tmp_path, ["docker stack deploy -c s.yml app"], {"s.yml": text})
    assert steps[0]["output"].startswith(
        "Ignoring unsupported options: build, links, restart\n\nIgnoring deprecated options:\n\n"
        "container_name: Setting the container name is not supported.\n\nCreating network app_default\n")


def test_merge_keys_and_scenario_env(tmp_path):
    text = """version: "3.8"
x-base: &base
  image: nginx:${TAG:-1.0}
  deploy: {replicas: 2}
services:
  a: {<<: *base}
  b:
    <<: *base
    deploy: {replicas: 1}
    command: echo $$HOME
"""
    (tmp_path / "s.yml").write_text(text)
    scenario = loads_scenario("version: 1\ncluster: {managers: 1}\nenv: {TAG: '2.0'}\nsteps:\n"
                              "  - run: docker stack deploy -c s.yml st\n", str(tmp_path / "x.yaml"))
    stack = scenario.steps[0].parsed.stack
    a, b = stack.services
    assert (a.name, a.task.image, a.replicas) == ("st_a", "nginx:2.0", 2)
    assert (b.task.image, b.replicas, b.task.args) == ("nginx:2.0", 1, ("echo", "$HOME"))


def test_two_files_merge_in_order(tmp_path):
    override = 'version: "3.8"\nservices:\n  web:\n    deploy: {replicas: 5}\n'
    swarm, steps = _run(tmp_path, ["docker stack deploy -c v1.yml -c o.yml app"], {"v1.yml": V1, "o.yml": override})
    web = swarm.store.service("app_web")
    assert web.spec.replicas == 5 and web.spec.task.image == "nginx:1.24"


BASE = """version: "3.8"
services:
  web:
    image: nginx
    ports: ["8080:80", "9090:90"]
    environment: [A=1, B=2]
    deploy: {labels: {tier: front}}
    secrets: [s1, {source: s2, target: two}]
    command: [nginx, -g]
secrets:
  s1: {file: ./pw.txt}
  s2: {file: ./pw.txt}
"""
OVERRIDE = """version: "3.8"
services:
  web:
    ports: ["8080:81", {target: 53, published: 53, protocol: udp}]
    environment: {B: 3, C: 4}
    deploy: {labels: [owner=ops]}
    secrets: [{source: s1, target: one}]
    command: [nginx]
"""


def test_files_merge_item_by_item_as_docker_clis_loader(tmp_path):
    """merge.go: ports by published port, secrets by source, environment and labels by name (docker/cli's
    merge_test: 8080:80 + 8080:81 is one port, 8080->81); other lists are replaced."""
    swarm, steps = _run(tmp_path, ["docker stack deploy -c base.yml -c over.yml app"],
                        {"base.yml": BASE, "over.yml": OVERRIDE, "pw.txt": "x"})
    assert steps[0]["ok"], steps
    web = swarm.store.service("app_web").spec
    assert [(p.published, p.target, p.protocol) for p in web.endpoint.ports] == [(53, 53, "udp"), (8080, 81, "tcp"),
                                                                              (9090, 90, "tcp")]
    assert web.task.env == ("A=1", "B=3", "C=4")
    assert ref_names(web.task.secrets) == ("app_s1", "app_s2")
    assert {k: v for k, v in web.labels.items() if not k.startswith("com.docker")} == {"tier": "front", "owner": "ops"}
    assert web.task.args == ("nginx",)  # replaced (see docs/reference/scenario.md)


def _refusal(tmp: Path, text: str) -> str:
    """What deploying `text` as s.yml says: the check's errors, or the deploy's output."""
    try:
        _, steps = _run(tmp, ["docker stack deploy -c s.yml s"], {"s.yml": text})
    except ScenarioError as err:
        return str(err)
    return steps[0]["output"]


SVC = 'version: "3"\nservices:\n  web:\n    image: busybox\n'
#: compose snippets docker 20.10 refused on the local swarm, with its words (the schema's types, the loader's keys)
DOCKER_REFUSES = [
    (SVC + "    deploy:\n      resources:\n        limits: {cpus: 0.5}\n",
     "s.yml:7: services.web.deploy.resources.limits.cpus: services.web.deploy.resources.limits.cpus must be a string"),
    (SVC + "    environment:\n      A: 1\n      B: true\n",
     "s.yml:7: services.web.environment.B: services.web.environment.B must be a string, number or null"),
    (SVC + "    deploy:\n      labels:\n        traefik.enable: true\n",
     "s.yml:7: services.web.deploy.labels.traefik.enable: services.web.deploy.labels.traefik.enable must be a "
     "string, number or null"),
    (SVC.replace('"3"', "3"), "s.yml:1: version: version must be a string"),
    ('version: "3"\nservices:\n  - foo:\n      image: busybox\n', "s.yml:2: services: services must be a mapping"),
    (SVC + "    command: 5\n", "s.yml:5: services.web.command: services.web.command must be a string"),
    (SVC + "    labels: foo\n", "s.yml:5: services.web.labels: services.web.labels must be a mapping"),
    (SVC + "networks:\n  default: bridge\n", "s.yml:6: networks.default: networks.default must be a mapping or null"),
    (SVC + "volumes:\n  data: local\n", "s.yml:6: volumes.data: volumes.data must be a mapping or null"),
    (SVC + '    deploy:\n      replicas: "2"\n',
     "s.yml:6: services.web.deploy.replicas: services.web.deploy.replicas must be a integer"),
    (SVC.replace('"3"', '"3.2"') + "    ports: [true]\n", "s.yml:5: services.web.ports[0]: services.web.ports.0 must "
                                                          "be a number"),
    (SVC + "    healthcheck:\n      test: [CMD, 'true']\n      interval: 10\n",
     "s.yml:7: services.web.healthcheck.interval: services.web.healthcheck.interval must be a string"),
    (SVC + "    healthcheck:\n      test: [CMD, 'true']\n      interval: '10'\n",
     "s.yml:7: services.web.healthcheck.interval: error decoding 'HealthCheck.Interval': time: missing unit in "
     'duration "10"'),
    (SVC + "    stop_grace_period: '10'\n",
     "s.yml:5: services.web.stop_grace_period: services.web.stop_grace_period Does not match format 'duration'"),
    (SVC.replace('"3"', '"3.4"') + "    deploy:\n      update_config:\n        order: first\n",
     's.yml:7: services.web.deploy.update_config.order: services.web.deploy.update_config.order services.web.deploy.'
     'update_config.order must be one of the following: "start-first", "stop-first"'),
    (SVC.replace('"3"', '"3.6"') + "    volumes:\n      - type: tmpfs\n        target: /app\n        tmpfs:\n"
                                   "          size: -1\n",
     "s.yml:9: services.web.volumes[0].tmpfs.size: services.web.volumes.0.tmpfs.size Must be greater than or equal "
     "to 0"),
    (SVC + "  123:\n    image: busybox\n", "s.yml:5: services.123: Non-string key in services: 123"),
    (SVC + "    environment:\n      1: FOO\n",
     "s.yml:6: services.web.environment.1: Non-string key in services.web.environment: 1"),
    (SVC.replace('"3"', '"3.5"') + "networks:\n  foo:\n    name: mine\n    external:\n      name: theirs\n",
     "s.yml:7: networks.foo.name: network foo: network.external.name and network.name conflict; only use "
     "network.name"),
    (SVC + "volumes:\n  v:\n    external: true\n    driver: foobar\n",
     's.yml:8: volumes.v.driver: conflicting parameters "external" and "driver" specified for volume "v"'),
]


@pytest.mark.parametrize("text, said", DOCKER_REFUSES, ids=[s.split(": ")[1] for _, s in DOCKER_REFUSES])
def test_compose_rules_refuse_what_docker_refuses_in_its_words(text, said, tmp_path):
    assert _refusal(tmp_path, text) == said


def test_secret_without_file_reads_the_stacks_folder_and_a_driver_one_needs_its_plugin(tmp_path):
    """convert.Secrets: no file: reads the working directory; driver: sends no data, and the daemon looks for the
    plugin (docker 20.10 said both, after creating the network)."""
    nofile = SVC.replace('"3"', '"3.8"') + "secrets:\n  s:\n    name: bar\n"
    assert _refusal(tmp_path, nofile) == f"s.yml:6: secrets.s: read {tmp_path.resolve()}: is a directory"
    driver = SVC.replace('"3"', '"3.8"') + "    secrets: [s]\nsecrets:\n  s:\n    driver: vault\n"
    assert _refusal(tmp_path, driver).splitlines() == [
        "Creating network s_default", "Creating secret s_s", 'failed to create secret s_s: Error response from '
        'daemon: rpc error: code = Unknown desc = plugin "vault" not found']


def test_service_without_image_is_sent_and_the_daemon_refuses_it(tmp_path):
    text = 'version: "3"\nservices:\n  ok:\n    image: busybox\n  built:\n    build: .\n'
    assert _refusal(tmp_path, text).splitlines() == [
        "Ignoring unsupported options: build", "", "Creating network s_default", "Creating service s_ok",
        "Creating service s_built", "failed to create service s_built: Error response from daemon: rpc error: "
        "code = InvalidArgument desc = ContainerSpec: image reference must be provided"]


def test_host_address_of_a_port_is_ignored_with_dockers_warning(tmp_path):
    text = SVC + '    ports: ["127.0.0.1:5000:5000/udp", "0.0.0.0:80:80"]\n'
    swarm, steps = _run(tmp_path, ["docker stack deploy -c s.yml s"], {"s.yml": text})
    assert steps[0]["output"].splitlines() == [
        "level=warning msg=\"ignoring IP-address (127.0.0.1:5000:5000/udp) service will listen on '0.0.0.0'\"",
        "Creating network s_default", "Creating service s_web"]
    ports = swarm.store.service("s_web").spec.endpoint.ports
    assert [(p.published, p.target, p.protocol) for p in ports] == [(80, 80, "tcp"), (5000, 5000, "udp")]


def test_repeated_key_last_wins_and_external_name_is_deprecated_from_3_5(tmp_path):
    text = ('version: "3.5"\nservices:\n  web:\n    image: busybox\n    image: nginx\n    networks: [front]\n'
            'networks:\n  front:\n    external:\n      name: outside\n')
    swarm, steps = _run(tmp_path, ["docker network create -d overlay outside", "docker stack deploy -c s.yml s"],
                        {"s.yml": text})
    assert steps[1]["output"].splitlines() == [
        'level=warning msg="network front: network.external.name is deprecated in favor of network.name"',
        "Creating service s_web"]
    assert swarm.store.service("s_web").spec.task.image == "nginx:latest"  # the client tags an untagged image


def test_relative_paths_are_the_first_files_folder(tmp_path):
    """getConfigDetails: one working directory for the stack, the first file's; an override file's `file:`
    and `env_file:` are read from there."""
    (tmp_path / "over").mkdir()
    files = {"base.yml": SVC.replace('"3"', '"3.1"'), "pw.txt": "x", "web.env": "A=1\n",
             "over/o.yml": 'version: "3.1"\nservices:\n  web:\n    env_file: web.env\n    secrets: [pw]\n'
                           'secrets:\n  pw:\n    file: pw.txt\n'}
    swarm, steps = _run(tmp_path, ["docker stack deploy -c base.yml -c over/o.yml s"], files)
    assert steps[0]["ok"], steps[0]["output"]
    assert swarm.store.service("s_web").spec.task.env == ("A=1",)


def test_env_file_read_as_docker_clis_kvfile(tmp_path):
    """Leading whitespace and a BOM dropped, trailing whitespace kept, CRLF's CR dropped, a bare KEY taking the
    scenario's env, a value holding '='; before the fix the value's trailing space was lost."""
    (tmp_path / "s.yml").write_text("version: '3.8'\nservices:\n  a: {image: nginx, env_file: e.env}\n")
    (tmp_path / "e.env").write_bytes("\ufeff  # comment\n\n  A=1 \r\nB\nC=x=y\nUNSET\n".encode())
    scenario = loads_scenario("version: 1\ncluster: {managers: 1}\nenv: {B: two}\nsteps:\n"
                              "  - run: docker stack deploy -c s.yml st\n", str(tmp_path / "x.yaml"))
    (a,) = scenario.steps[0].parsed.stack.services
    assert list(a.task.env) == ["A=1 ", "B=two", "C=x=y"]


#: short and long ports as docker 20.10.24 deployed them on the local swarm (service inspect's EndpointSpec.Ports,
#: sorted by published port as convertEndpointSpec sorts them) and its warnings
PORTS_DOCKER_TAKES = [
    ('"8000-8010:80"', [(p, 80, "tcp", "ingress") for p in range(8000, 8011)], []),
    ('"127.0.0.1:8000-8002:80"', [(p, 80, "tcp", "ingress") for p in range(8000, 8003)],
     ["level=warning msg=\"ignoring IP-address (127.0.0.1:8000-8002:80/tcp) service will listen on '0.0.0.0'\""]),
    ('"8000-8002:80-82/udp"', [(8000, 80, "udp", "ingress"), (8001, 81, "udp", "ingress"), (8002, 82, "udp", "ingress")], []),
    ('"8080:80/TCP"', [(8080, 80, "tcp", "ingress")], []),
    ("{target: 80, published: 8080, protocol: xyz}", [(8080, 80, "tcp", "ingress")], []),
    ("{target: 80, published: 8080, mode: xyz}", [(8080, 80, "tcp", "ingress")], []),
    ("{published: 8080}", [(8080, 0, "tcp", "ingress")], []),
    ("{target: 70000, published: 65536}", [(65536, 70000, "tcp", "ingress")], []),
    ('"9000:90", "8000:80", "7000", {target: 443, published: 8443, mode: host}, "6000"',
     [(0, 7000, "tcp", "ingress"), (0, 6000, "tcp", "ingress"), (8000, 80, "tcp", "ingress"),
      (8443, 443, "tcp", "host"), (9000, 90, "tcp", "ingress")], []),
]


@pytest.mark.parametrize("ports, want, warnings", PORTS_DOCKER_TAKES, ids=[p[0] for p in PORTS_DOCKER_TAKES])
def test_ports_deploy_as_docker_deployed_them(ports, want, warnings, tmp_path):
    swarm, steps = _run(tmp_path, ["docker stack deploy -c s.yml s", "docker service ls --format {{.Ports}}"],
                        {"s.yml": SVC.replace('"3"', '"3.8"') + f"    ports: [{ports}]\n"})
    assert steps[0]["ok"] and steps[0]["output"].splitlines()[:-2] == warnings
    got = swarm.store.service("s_web").spec.endpoint.ports
    assert [(p.published, p.target, p.protocol, p.mode) for p in got] == want
    if ports == '"8000-8010:80"':
        assert steps[1]["output"] == "*:8000-8010->80/tcp\n"  # docker's PORTS column for it


PORTS_DOCKER_REFUSES = [
    ('"8000-8010:80-81"', "s.yml:5: services.web.ports[0]: error decoding 'Ports': Invalid ranges specified for "
                          "container and host Ports: 80-81 and 8000-8010"),
    ('"8080:80-81/xyz"', "s.yml:5: services.web.ports[0]: error decoding 'Ports': Invalid ranges specified for "
                         "container and host Ports: 80-81 and 8080"),  # nat checks the ranges before the protocol
    ("{target: -1}", "s.yml:5: services.web.ports[0].target: cannot parse 'Ports[0].Target', -1 overflows uint"),
    ('"8000-8001:80", {published: -1, target: 80}',
     "s.yml:5: services.web.ports[1].published: cannot parse 'Ports[2].Published', -1 overflows uint"),
]


@pytest.mark.parametrize("ports, said", PORTS_DOCKER_REFUSES, ids=[p[0] for p in PORTS_DOCKER_REFUSES])
def test_ports_docker_refuses_are_refused_with_its_words(ports, said, tmp_path):
    assert _refusal(tmp_path, SVC.replace('"3"', '"3.8"') + f"    ports: [{ports}]\n").startswith(said)


#: a negative count, as docker 20.10.24 refused it on the local swarm (mapstructure decoding into uint64)
NEGATIVE_COUNTS = [
    ("    deploy: {replicas: -1}\n", "cannot parse 'Deploy.Replicas', -1 overflows uint"),
    ("    deploy: {update_config: {parallelism: -2}}\n", "cannot parse 'Deploy.update_config.Parallelism', -2 overflows uint"),
    ("    deploy: {rollback_config: {parallelism: -1}}\n",
     "cannot parse 'Deploy.rollback_config.Parallelism', -1 overflows uint"),
    ("    deploy: {restart_policy: {max_attempts: -1}}\n",
     "cannot parse 'Deploy.restart_policy.max_attempts', -1 overflows uint"),
    ("    deploy: {placement: {max_replicas_per_node: -1}}\n",
     "cannot parse 'Deploy.Placement.max_replicas_per_node', -1 overflows uint"),
    ("    healthcheck: {retries: -1}\n", "cannot parse 'HealthCheck.Retries', -1 overflows uint"),
]


@pytest.mark.parametrize("text, said", NEGATIVE_COUNTS, ids=[n[1].split("'")[1] for n in NEGATIVE_COUNTS])
def test_negative_count_is_refused_in_mapstructures_words(text, said, tmp_path):
    assert _refusal(tmp_path, SVC.replace('"3"', '"3.8"') + text).splitlines()[0].endswith(": " + said)
