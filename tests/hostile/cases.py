"""The hostile corpus: every class of issue 12, generated from small valid files by one change each.

Classes: `bomb` (YAML alias expansion and nesting), `file` (special, huge, binary and missing files),
`size` (counts past what can be simulated or past docker's integer range), `value` (values Docker
refuses), `timing` (latencies and intervals), `parser` (input that trips a library inside a parser),
`control` (control characters echoed back), `trace` (traces that break the trace contract), `sweep`,
`replay` (its arguments and the records `replay --cleanup` reads).
"""
from __future__ import annotations

import json

from .runner import Case

BASE = """version: 1
cluster: {managers: 1, workers: 2}
services:
  web:
    image: nginx
    deploy: {replicas: 2}
steps:
  - wait: 5s
"""


def scenario(text: str, name: str, klass: str, accepted: bool = False) -> Case:
    return Case(name, klass, ["run", "s.yaml"], {"s.yaml": text}, accepted=accepted)


def with_step(step: str, name: str, klass: str, accepted: bool = False) -> Case:
    return scenario(BASE.replace("  - wait: 5s\n", f"  - run: {json.dumps(step)}\n"), name, klass, accepted)


def with_service(body: str, name: str, klass: str, accepted: bool = False) -> Case:
    return scenario(BASE.replace("    image: nginx\n    deploy: {replicas: 2}\n", body), name, klass, accepted)


def bombs() -> list[Case]:
    cases = []
    for depth in (5, 9, 12, 20, 30):
        lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
        lines += [f"a{i}: &a{i} [{','.join(['*a%d' % (i - 1)] * 10)}]" for i in range(1, depth)]
        text = ("version: 1\ncluster: {managers: 1}\nimages:\n  bomb:\n    present:\n" +
                "".join(f"      - {line}\n" for line in lines))
        cases.append(scenario(text, f"billion-laughs-{depth}", "bomb"))
        # the same bomb under keys the loader reads early
        text2 = "version: 1\n" + "\n".join(f"k{i}: &k{i} [" + ",".join([f"*k{i-1}"] * 9) + "]" if i else
                                            "k0: &k0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]"
                                            for i in range(depth)) + "\ncluster: {managers: 1}\n"
        cases.append(scenario(text2, f"billion-laughs-top-{depth}", "bomb"))
    for depth in (100, 1000, 10_000, 100_000):
        cases.append(scenario("version: 1\ncluster: {managers: 1}\nsteps: " + "[" * depth + "]" * depth + "\n",
                              f"nested-lists-{depth}", "bomb"))
        cases.append(scenario("version: 1\ncluster: {managers: 1}\nimages: " + "{a: " * depth + "1" +
                              "}" * depth + "\n", f"nested-maps-{depth}", "bomb"))
    chain = "".join(f"- &c{i} [*c{i - 1}]\n" if i else "- &c0 [x]\n" for i in range(2000))
    cases.append(scenario("version: 1\ncluster: {managers: 1}\nimages:\n  x:\n    present:\n" +
                          "".join("      " + line for line in chain.splitlines(True)), "alias-chain-2000", "bomb"))
    cases.append(scenario("a: &a [*a]\nversion: 1\n", "self-alias", "bomb"))
    cases.append(scenario("version: 1\ncluster: &c {managers: 1}\nx: *undefined\n", "undefined-alias", "bomb"))
    return cases


def files() -> list[Case]:
    cases = [
        Case("dev-zero", "file", ["run", "/dev/zero"]),
        Case("dev-urandom", "file", ["run", "/dev/urandom"]),
        Case("fifo", "file", ["run", "pipe.yaml"], {"pipe.yaml": "FIFO"}),
        Case("directory", "file", ["run", "dir.yaml"], {"dir.yaml": "DIR"}),
        Case("missing", "file", ["run", "nowhere.yaml"]),
        Case("empty", "file", ["run", "e.yaml"], {"e.yaml": ""}),
        Case("binary", "file", ["run", "b.yaml"], {"b.yaml": bytes(range(256)) * 4}),
        Case("nul-bytes", "file", ["run", "n.yaml"], {"n.yaml": b"version: 1\x00\ncluster: {managers: 1}\n"}),
        Case("latin1", "file", ["run", "l.yaml"], {"l.yaml": "version: 1\nname: caf\xe9\n".encode("latin-1")}),
        Case("huge-comment", "file", ["run", "h.yaml"], {"h.yaml": b"# " + b"x" * (64 << 20) + b"\n"}),
        Case("huge-scalar", "file", ["run", "h.yaml"], {"h.yaml": b"version: 1\nname: " + b"x" * (40 << 20)}),
        Case("many-lines", "file", ["run", "h.yaml"], {"h.yaml": b"version: 1\n" + b"#\n" * (20 << 20)}),
        Case("stack-dev-zero", "file", ["run", "s.yaml"],
             {"s.yaml": "version: 1\ncluster: {managers: 1}\nstack: /dev/zero\n"}, names="/dev/zero"),
        Case("stack-fifo", "file", ["run", "s.yaml"],
             {"s.yaml": "version: 1\ncluster: {managers: 1}\nstack: p.yml\n", "p.yml": "FIFO"}, names="p.yml"),
        Case("stack-dir", "file", ["run", "s.yaml"],
             {"s.yaml": "version: 1\ncluster: {managers: 1}\nstack: d\n", "d": "DIR"}, names="d"),
        Case("trace-dev-zero", "file", ["compare", "/dev/zero", "/dev/zero"]),
        Case("trace-fifo", "file", ["compare", "p.jsonl", "p.jsonl"], {"p.jsonl": "FIFO"}),
        Case("trace-dir", "file", ["compare", "d", "d"], {"d": "DIR"}),
        Case("calibrate-fifo", "file", ["calibrate", "p.jsonl"], {"p.jsonl": "FIFO"}),
        Case("sweep-fifo", "file", ["sweep", "p.yaml", "--factor", "seed=1"], {"p.yaml": "FIFO"}),
    ]
    # the files a `docker stack deploy` step names: the compose files, their env_file, secrets and configs
    for label, special in {"dev-zero": "/dev/zero", "fifo": "FIFO", "dir": "DIR", "binary": bytes(range(256)),
                           "huge": b"#" * (2 << 20)}.items():
        path = special if special == "/dev/zero" else "x"
        extra = {} if special == "/dev/zero" else {"x": special}
        cases.append(stack_step(COMPOSE, f"deploy-c-{label}", "file", extra, f"docker stack deploy -c {path} app",
                                names=path))
        for key, item in (("env_file", f"env_file: {path}"), ("secret", f"secrets: [s]\nsecrets:\n  s: {{file: {path}}}"),
                          ("config", f"configs: [c]\nconfigs:\n  c: {{file: {path}}}")):
            if key != "env_file" and label in ("binary", "huge"):
                continue  # a secret's data is bytes
            cases.append(stack_step(COMPOSE + "    " + item + "\n", f"{key}-{label}", "file", extra))
        cases.append(stack_step(COMPOSE, f"env-file-flag-{label}", "file", extra,
                                f"docker service create --name w --env-file {path} nginx", names="s.yaml"))
    return cases


COMPOSE = "version: '3.8'\nservices:\n  web:\n    image: nginx\n"


def stack_step(compose: str, name: str, klass: str, extra: dict | None = None,
               step: str = "docker stack deploy -c st.yml app", names: str = "st.yml", accepted: bool = False) -> Case:
    """A scenario whose one step deploys the compose file `compose` (as st.yml) with `extra` files beside it."""
    text = "version: 1\ncluster: {managers: 1, workers: 2}\nsteps:\n  - run: " + json.dumps(step) + "\n"
    return Case(name, klass, ["run", "s.yaml"], {"s.yaml": text, "st.yml": compose, **(extra or {})}, names=names,
                accepted=accepted)


def sizes() -> list[Case]:
    cases = []
    for value in ("1000000000", "10000000000000000000000000000000", "18446744073709551616", "-1", "1e9", "2.5"):
        cases.append(with_service(f"    image: nginx\n    deploy: {{replicas: {value}}}\n",
                                  f"compose-replicas-{value[:12]}", "size"))
        cases.append(with_step(f"docker service create --name big --replicas {value} nginx",
                               f"cli-replicas-{value[:12]}", "size"))
        cases.append(with_step(f"docker service scale web={value}", f"scale-{value[:12]}", "size"))
        cases.append(with_step(f"docker service update --replicas {value} web", f"update-replicas-{value[:12]}",
                               "size"))
    for value in ("100000", "1000000000", "-3"):
        cases.append(scenario(BASE.replace("{managers: 1, workers: 2}", f"{{managers: 1, workers: {value}}}"),
                              f"workers-{value}", "size"))
        cases.append(scenario(BASE.replace("{managers: 1, workers: 2}", f"{{managers: {value}}}"),
                              f"managers-{value}", "size"))
    cases.append(with_service("    image: nginx\n    deploy: {replicas: 5000}\n" +
                              "".join(f"  s{i}:\n    image: nginx\n    deploy: {{replicas: 5000}}\n"
                                      for i in range(300)), "many-big-services", "size"))
    for rate in ("1e12", "1e400", "10000000"):
        cases.append(scenario(BASE.replace("steps:", f"traffic: [{{port: 80, rate: {rate}}}]\nsteps:")
                              .replace("deploy: {replicas: 2}", "deploy: {replicas: 2}\n    ports: ['80:80']"),
                              f"traffic-rate-{rate}", "size"))
    for limit in ("9223372036854775808", "-2", "1e30"):
        cases.append(with_step(f"docker service create --name h --task-history-limit {limit} nginx",
                               f"history-limit-{limit[:8]}", "size"))
    for mr in ("18446744073709551616", "-1"):
        cases.append(with_step(f"docker service create --name m --replicas-max-per-node {mr} nginx",
                               f"max-per-node-{mr[:8]}", "size"))
    cases.append(with_step("docker service create --name p --update-parallelism 18446744073709551616 nginx",
                           "parallelism-overflow", "size"))
    cases.append(scenario(BASE.replace("  - wait: 5s\n", "  - wait: 5s\n" * 200_000), "many-steps", "size"))
    cases.append(scenario(BASE.replace("deploy: {replicas: 2}", "deploy: {replicas: 3}\n    ports: ['1-65535:1-65535']")
                          .replace("steps:", "traffic: [{port: 65535, rate: 10000}]\nsteps:"), "traffic-65535-ports",
                          "size", accepted=True))  # each request looked at every published port
    # within Go's durations (2562047h), past limits.time: refused on load, not simulated for a year
    for label, steps in {"wait": "  - wait: 2562047h\n", "at": "  - at: 2562047h\n",
                         "converged": "  - wait: converged\n    timeout: 2562047h\n",
                         "think": "  - run: docker service ls\n    think: 2562047h\n",
                         "waits-add-up": "  - wait: 400h\n" * 2}.items():
        cases.append(scenario(BASE.replace("  - wait: 5s\n", steps), f"long-{label}", "size"))
    for value in ("0", "-1", "1e9", "2.5", "abc"):
        cases.append(scenario(BASE.replace("steps:", f"limits: {{events: {value}}}\nsteps:"), f"limits-events-{value}",
                              "size"))
    for value in ("-1s", "nan", "1e400s", "1h"):
        cases.append(scenario(BASE.replace("steps:", f"limits: {{time: {value}}}\nsteps:"), f"limits-time-{value}",
                              "size", accepted=value == "1h"))
    cases.append(scenario(BASE.replace("{managers: 1, workers: 2}", "{managers: 0}"), "no-nodes", "size"))
    cases.append(scenario(BASE.replace("{managers: 1, workers: 2}", "{nodes: []}"), "no-nodes-long-form", "size"))
    cases.append(with_service("    image: nginx\n    deploy: {placement: {constraints: [null]}}\n", "constraint-null",
                              "value"))
    cases.append(with_step("docker service create --name j --mode replicated-job --replicas 18446744073709551615 "
                           "nginx", "job-completions-max", "size"))  # a job's completions count as tasks
    cases.append(scenario(BASE.replace("  - wait: 5s\n", "  - wait: 100000000h\n"), "wait-forever", "size"))
    # raft took in each starting manager in turn, reading every node each time: 3,000 managers took 13 s
    cases.append(scenario(BASE.replace("{managers: 1, workers: 2}", "{managers: 10000}"), "managers-10000", "size",
                          accepted=True))
    # each service's tasks were checked against the limit by summing every service so far: 20,000 took 28 s
    cases.append(stack_step("version: '3.8'\nservices:\n" + "".join(f"  s{i}: {{image: nginx}}\n" for i in range(20_000)),
                            "stack-services-20000", "size", accepted=True))
    return cases


NAMES = {"space": "my web", "slash": "a/b", "empty": "", "tab": "a\\tb", "dot-start": ".web", "dash-start": "-web",
         "long": "x" * 64, "unicode": "wéb", "colon": "a:b", "at": "a@b", "question": "web?", "star": "*"}


def values() -> list[Case]:
    cases = []
    for label, name in NAMES.items():
        quoted = json.dumps(name)
        cases.append(with_service(f"    image: nginx\n  {quoted}:\n    image: nginx\n",
                                  f"compose-service-name-{label}", "value"))
        if name and not name.startswith("-"):
            cases.append(with_step(f"docker service create --name '{name}' nginx", f"cli-service-name-{label}",
                                   "value"))
            cases.append(with_step(f"docker network create -d overlay '{name}'", f"cli-network-name-{label}",
                                   "value"))
        cases.append(scenario(BASE.replace("steps:", f"networks:\n  {quoted}: {{}}\nsteps:"),
                              f"network-name-{label}", "value"))
        cases.append(scenario(BASE.replace("cluster: {managers: 1, workers: 2}",
                                           f"cluster:\n  nodes:\n    - {{name: {quoted}, role: manager}}"),
                              f"node-name-{label}", "value"))
    for label, image in {"empty": '""', "upper": "NGINX", "space": '"ngi nx"', "colons": '"a:::b"',
                         "at": '"nginx@sha256:zz"', "slash-end": '"nginx/"', "tag-long": '"nginx:' + "t" * 129 + '"',
                         "null": "null", "number": "3", "list": "[a]"}.items():
        cases.append(with_service(f"    image: {image}\n", f"compose-image-{label}", "value"))
    for image in ("NGINX", "'ngi nx'", "a:::b", "nginx/", "''"):
        cases.append(with_step(f"docker service create --name i {image}", f"cli-image-{image.strip(chr(39))}",
                               "value"))
    for code in ("-1", "256", "1e3", "abc", "99999999999999999999"):
        cases.append(scenario(BASE.replace("steps:", f"images: {{nginx: {{exit_code: {code}}}}}\nsteps:"),
                              f"exit-code-{code[:8]}", "value"))
    cases.append(with_step("docker service create --name p --publish 0:80 nginx", "publish-auto", "value",
                           accepted=True))
    for port in ("65536", "-5", "99999999999", "80-70", "abc"):
        cases.append(with_step(f"docker service create --name p --publish {port}:80 nginx", f"publish-{port[:8]}",
                               "value"))
        cases.append(with_step(f"docker service create --name p --publish 80:{port} nginx",
                               f"publish-target-{port[:8]}", "value"))
        cases.append(with_service(f"    image: nginx\n    ports: ['{port}:80']\n", f"compose-port-{port[:8]}",
                                  "value"))
        cases.append(scenario(BASE.replace("steps:", f"traffic: [{{port: {port}, rate: 1}}]\nsteps:"),
                              f"traffic-port-{port[:8]}", "value"))
    cases.append(with_step("docker service create --name h --health-cmd true --health-interval 0s nginx",
                           "health-interval-default", "value", accepted=True))
    for interval in ("0.5ms", "1ns", "-1s"):
        cases.append(with_step(f"docker service create --name h --health-cmd true --health-interval {interval} "
                               "nginx", f"health-interval-{interval}", "value"))
    for cpus in ("inf", "nan", "1e400", "-1", "0.0000000001", "1e30"):
        cases.append(with_step(f"docker service create --name c --reserve-cpu {cpus} nginx", f"reserve-cpu-{cpus}",
                               "value"))
        cases.append(with_step(f"docker service create --name c --limit-cpu {cpus} nginx", f"limit-cpu-{cpus}",
                               "value"))
        cases.append(scenario(BASE.replace("{managers: 1, workers: 2}", f"{{managers: 1, cpus: {cpus}}}"),
                              f"node-cpus-{cpus}", "value"))
    for size in ("1e400", "infinityGB", "-1MB", "99999999999999999999999GB", "nanMB", "1.5.5GB"):
        cases.append(with_step(f"docker service create --name m --reserve-memory {size} nginx",
                               f"reserve-memory-{size}", "value"))
        cases.append(scenario(BASE.replace("{managers: 1, workers: 2}", f"{{managers: 1, memory: {size}}}"),
                              f"node-memory-{size}", "value"))
        cases.append(scenario(BASE.replace("steps:", f"images: {{nginx: {{size: {size}}}}}\nsteps:"),
                              f"image-size-{size}", "value"))
    for duration in ("1e300h", "99999999999999999999h", "-5s", "nan", "inf", "5 s", "1.5.5s"):
        cases.append(with_step(f"docker service create --name d --update-delay {duration} nginx",
                               f"update-delay-{duration}", "value"))
        cases.append(with_step(f"docker service create --name d --stop-grace-period {duration} nginx",
                               f"grace-{duration}", "value", accepted=duration == "-5s"))  # as docker takes it
        cases.append(scenario(BASE.replace("  - wait: 5s\n", f"  - wait: {duration}\n"), f"wait-{duration}",
                              "value"))
        cases.append(scenario(BASE.replace("  - wait: 5s\n", f"  - at: {duration}\n"), f"at-{duration}", "value"))
    cases += [
        with_step("docker network create -d overlay --subnet notacidr net1", "subnet-notacidr", "value"),
        with_step("docker network create -d overlay --subnet 10.0.0.0/33 net1", "subnet-prefix-33", "value"),
        with_step("docker network create -d overlay --subnet 10.0.0.0/31 net1", "subnet-too-small", "value",
                  accepted=True),  # a network without free addresses: its tasks stay pending, as on Docker
        with_step("docker network create -d overlay --subnet 300.0.0.0/24 net1", "subnet-octet", "value"),
        scenario(BASE.replace("steps:", "networks:\n  ingress: {}\nsteps:"), "network-ingress", "value"),
        scenario(BASE.replace("steps:", "networks:\n  n1: {subnet: notacidr}\nsteps:"), "compose-subnet", "value"),
        scenario(BASE.replace("steps:", "networks:\n  n1: {driver: macvlan}\nsteps:"), "network-driver", "value"),
        with_step("docker network create -d overlay ingress", "cli-network-ingress", "value"),
        with_step("docker service create --name w --mode globalish nginx", "mode", "value"),
        with_step("docker service create --name w --restart-max-attempts -1 nginx", "restart-attempts", "value"),
        with_step("docker service create --name w --update-failure-action explode nginx", "failure-action",
                  "value"),
        with_step("docker service create --name w --update-max-failure-ratio 2 nginx", "failure-ratio", "value"),
        with_step("docker service create --name w --update-max-failure-ratio nan nginx", "failure-ratio-nan",
                  "value"),
        with_step("docker service create --name w --constraint 'node.labels.a~=b' nginx", "constraint-op", "value"),
        with_step("docker service create --name w --placement-pref 'random=node.id' nginx", "pref", "value"),
        with_step("docker node update --label-add '=x' node2", "label-empty-key", "value"),
    ]
    for label, env in {"space-in-key": "A B=1\n", "no-key": "=1\n", "tab-in-key": "A\tB=1\n",
                       "long-line": "A=" + "x" * 70_000 + "\n", "not-utf8": b"A=\xff\n"}.items():
        cases.append(stack_step(COMPOSE + "    env_file: e.env\n", f"env-file-{label}", "value", {"e.env": env}))
        cases.append(stack_step(COMPOSE, f"env-file-flag-{label}", "value", {"e.env": env},
                                "docker service create --name w --env-file e.env nginx", names="s.yaml"))
    cases.append(stack_step(COMPOSE + "    env_file: e.env\n", "env-file-docker-reads", "value",
                            {"e.env": "\ufeff  # comment\n\n  A=1 \r\nB\nC=x=y\n"}, accepted=True))
    for label, flt in {"node-unknown": "node=nodeX", "node-prefix": "node=n", "desired-state": "desired-state=weird"}.items():
        cases.append(with_step(f"docker service ps --filter {flt} web", f"ps-filter-{label}", "value",
                               accepted=True))  # the daemon's error is the step's output, the run goes on
    for label, top in {"services-text": "services: hello\n", "services-list": "services: [a]\n",
                       "networks-number": COMPOSE[len("version: '3.8'\n"):] + "networks: 5\n"}.items():
        cases.append(stack_step("version: '3.8'\n" + top, f"compose-{label}", "value"))  # 'services must be a mapping'
    cases.append(stack_step(COMPOSE + "    volumes: true\n", "compose-volumes-flag", "value"))
    cases.append(stack_step(COMPOSE + "    deploy: {placement: {max_replicas_per_node: 18446744073709551616}}\n",
                            "compose-max-per-node-overflow", "value"))
    return cases


LATENCIES = ("dispatch_batch", "scheduler_debounce", "container_start", "accept")  # zero is a latency, not a loop
TIMING = ("status_batch", "pull_rate", "cli_poll", "dispatch_batch", "heartbeat_period", "reaper_batch",
          "scheduler_debounce", "container_start", "accept")


def timing() -> list[Case]:
    cases = [scenario(BASE.replace("steps:", "timing: {contention_scope: planet}\nsteps:"), "scope-planet",
                      "timing")]
    for name in TIMING:
        for value in ("0", "0s", "-1s", "nan", "1e400s", "abc"):
            zero_ok = value in ("0", "0s") and name in LATENCIES
            cases.append(scenario(BASE.replace("steps:", f"timing: {{{name}: {value}}}\nsteps:"),
                                  f"timing-{name}-{value}", "timing", accepted=zero_ok))
    cases += [
        scenario(BASE.replace("steps:", "timing: {election_timeout: [20s, 10s]}\nsteps:"), "election-reversed",
                 "timing"),
        scenario(BASE.replace("steps:", "timing: {election_timeout: [0s, 0s]}\nsteps:"), "election-zero",
                 "timing"),
        scenario(BASE.replace("steps:", "traffic: [{port: 80, rate: 1, start: 10s, stop: 5s}]\nsteps:"),
                 "traffic-reversed", "timing"),
        scenario(BASE.replace("steps:", "timing: {contention_slots: -1}\nsteps:"), "slots-negative", "timing"),
        scenario(BASE.replace("steps:", "timing: {contention_slots: 1e9}\nsteps:"), "slots-float", "timing"),
        scenario(BASE.replace("steps:", "timing: {start_contention: 2}\nsteps:"), "contention-above-one",
                 "timing"),
        scenario("version: 1\ncluster: {managers: 1}\nimages: {bad: {exit_after: 0s, exit_code: 1}}\n"
                 "timing: {accept: 0s, container_create: 0s, container_start: 0s, stop_exit: 0s, ingress_setup: 0s,"
                 " scheduler_debounce: 0s}\n"
                 "steps:\n  - run: docker service create --name f --restart-delay 0s bad\n  - wait: 10s\n",
                 "zero-time-loop", "timing", accepted=True),  # status batches still advance the clock
        scenario(BASE.replace("  - wait: 5s\n", "  - wait: 0s\n  - at: 0s\n  - wait: converged\n    timeout: 0s\n"),
                 "wait-zero", "timing", accepted=True),
    ]
    # events that never thin out end at limits.events, at the step that ran into it (lowered to stay quick)
    loops = {
        "crash-loop": "images: {bad: {exit_after: 1ms, exit_code: 1}}\nsteps:\n"
                      "  - run: docker service create -d --name f --restart-delay 0s bad\n  - wait: 100h\n",
        "status-batch-1ns": "timing: {status_batch: 1ns, cli_poll: 1ns}\nsteps:\n  - wait: converged\n",
        "traffic-all-day": "traffic: [{port: 80, rate: 10000}]\nsteps:\n  - run: docker service update -d --publish-add "
                           "80:80 web\n  - wait: 24h\n",
        "attached-create-crash-loop": "images: {bad: {exit_after: 1ms, exit_code: 1}}\ntiming: {cli_poll: 1ns}\n"
                                      "steps:\n  - run: docker service create --name f --restart-delay 0s bad\n",
    }
    for label, body in loops.items():
        cases.append(scenario(BASE.replace("steps:\n  - wait: 5s\n", "limits: {events: 50000}\n" + body),
                              f"events-{label}", "timing"))
    return cases


def parser() -> list[Case]:
    return [
        with_step('docker service create --name "a nginx', "shlex-unbalanced", "parser"),
        with_step("docker service create --name a --mount 'type=bind,\"src=/a' nginx", "csv-mount", "parser"),
        with_step("docker service create --name a --publish 'published=8080,\"target' nginx", "csv-publish",
                  "parser"),
        with_step("docker service create --name a --env 'A=\x00' nginx", "nul-env", "parser"),
        with_step("docker service inspect --format '{{json .}' web", "template", "parser"),
        with_step("docker service create --name a " + "--env A=1 " * 100_000 + "nginx", "many-flags", "parser",
                  accepted=True),
        with_step("docker service create --name a " + "".join(f"--env A{i}=1 " for i in range(50_000)) + "nginx",
                  "many-env-names", "parser", accepted=True),
        with_step("docker " + "x" * 1_000_000, "long-word", "parser"),
        with_step("docker service create --name a " + "--constraint node.labels.a==b " * 10000 + "nginx",
                  "many-constraints", "parser", accepted=True),
        with_step("docker service create --name a nginx " + "'" * 3, "quotes", "parser"),
        with_step("docker service create --name a --health-cmd '[\"CMD\"' nginx", "health-json", "parser", accepted=True),
        scenario("version: !!python/object:os.system {}\n", "python-tag", "parser"),
        scenario("version: !!binary AAAA\n", "binary-tag", "parser"),
        scenario("version: !!int 1e400\n", "int-tag", "parser"),
        scenario("version: !!float abc\n", "float-tag", "parser"),
        scenario("version: !!timestamp 2001-99-99\n", "timestamp-tag", "parser"),
        scenario("version: 1\n---\nversion: 1\n", "two-documents", "parser"),
        scenario("version: 1\nseed: 99999999999999999999999999999\ncluster: {managers: 1}\n", "seed-huge",
                 "parser", accepted=True),
        scenario("version: 1\nseed: -1\ncluster: {managers: 1}\n", "seed-negative", "parser",
                 accepted=True),
        scenario("version: 1e400\n", "version-inf", "parser"),
        scenario("? [a, b]\n: 1\nversion: 1\n", "complex-key", "parser"),
        scenario("version: 1\ncluster: {managers: 1}\nsteps: {run: x}\n", "steps-mapping", "parser"),
        scenario("[1, 2]\n", "top-list", "parser"),
        scenario("version: 1\ncluster: {managers: 1}\nservices: {web: {image: a, deploy: {resources: "
                 "{limits: {cpus: '1e400'}}}}}\n", "compose-cpus-inf", "parser"),
    ]


def control() -> list[Case]:
    cases = []
    for label, char in {"esc": "\x1b[31m", "bell": "\x07", "cr": "\r", "del": "\x7f", "csi": "\x9b"}.items():
        cases.append(scenario(BASE.replace("steps:", f"\"x{json.dumps(char)[1:-1]}\": 1\nsteps:"),
                              f"control-key-{label}", "control"))
        cases.append(with_step(f"docker service update --image nginx:2 'w{char}b'", f"control-service-{label}",
                               "control"))
    # printed, not refused: the scenario's name, a --format's text, a trace's service name
    cases.append(scenario(BASE.replace("cluster:", 'name: "\\e[2J\\e]0;title\\a"\ncluster:')
                          .replace("  - wait: 5s\n", '  - run: "docker service ls --format \\"{{.Name}}\\e[31m\\""\n'),
                          "control-printed-scenario", "control", accepted=True))
    cases.append(Case("control-printed-trace", "control", ["compare", "a.jsonl", "a.jsonl"],
                      {"a.jsonl": _trace([dict(TASK, service="w\x1b[2Jb", task="w\x1b[2Jb.1")])}, accepted=True))
    return cases


HEADER = {"kind": "header", "schema": "swarmsim.trace/1", "backend": "sim", "scenario": "x", "seed": 0,
          "nodes": ["n1"], "swarmsim": "0.1.0"}


def _trace(events: list, header: dict | None = None) -> str:
    head = header if header is not None else HEADER
    return "\n".join(json.dumps(e) if not isinstance(e, str) else e for e in [head, *events]) + "\n"


TASK = {"t": 1.0, "seq": 0, "kind": "task", "task": "web.1", "gen": 1, "service": "web", "slot": 1, "node": "n1",
        "state": "running", "desired": "running", "image": "nginx", "msg": "started", "err": ""}


REQUEST = {"t": 1.0, "seq": 0, "kind": "request", "port": 80, "ok": True, "latency": 0.001, "via": "n1", "node": "n1",
           "task": "web.1", "err": ""}
AGGREGATE = {"t": 1.0, "seq": 0, "kind": "request", "port": 80, "via": "any", "count": 5, "failed": 1, "interval": 1.0}


def traces() -> list[Case]:
    bad = {
        "out-of-order": [dict(TASK, t=5.0, seq=0), dict(TASK, t=1.0, seq=1, state="shutdown")],
        "seq-backwards": [dict(TASK, seq=5), dict(TASK, seq=2, state="shutdown")],
        "nan-time": ['{"t": NaN, "seq": 0, "kind": "task"}'],
        "inf-time": ['{"t": Infinity, "seq": 0, "kind": "task"}'],
        "string-time": [dict(TASK, t="1s")],
        "negative-time": [dict(TASK, t=-1.0)],
        "bool-time": [dict(TASK, t=True)],
        "unknown-state": [dict(TASK, state="exploded")],
        "unknown-desired": [dict(TASK, desired="sideways")],
        "unknown-kind": [dict(TASK, kind="weather")],
        "missing-task": [{k: v for k, v in TASK.items() if k != "task"}],
        "missing-state": [{k: v for k, v in TASK.items() if k != "state"}],
        "missing-t": [{k: v for k, v in TASK.items() if k != "t"}],
        "missing-kind": [{k: v for k, v in TASK.items() if k != "kind"}],
        "slot-string": [dict(TASK, slot="one")],
        "node-number": [dict(TASK, node=3)],
        "gen-float": [dict(TASK, gen=1.5)],
        "two-headers": [{"kind": "header", "schema": "swarmsim.trace/1"}],
        "list-line": ["[1, 2]"],
        "number-line": ["3"],
        "broken-json": ['{"t": 1, "seq": '],
        "huge-number": ['{"t": 1e400, "seq": 0, "kind": "task"}'],
        "deep-json": ["[" * 100_000 + "]" * 100_000],
        "service-no-name": [{"t": 1, "seq": 0, "kind": "service", "update_state": "updating"}],
        "service-bad-update-state": [{"t": 1, "seq": 0, "kind": "service", "service": "web",
                                      "update_state": "confused", "replicas": 1}],
        "node-bad-status": [{"t": 1, "seq": 0, "kind": "node", "node": "n1", "status": "sleepy"}],
        "request-no-port": [{"t": 1, "seq": 0, "kind": "request", "ok": True}],
        "step-no-index": [{"t": 1, "seq": 0, "kind": "step", "step": "x", "ok": True}],
        "duplicate-seq": [dict(TASK, seq=0), dict(TASK, seq=0, t=2.0)],
        "time-past-float": [dict(TASK, t=10**400)],  # an integer JSON number no float can hold
        "kind-list": [dict(TASK, kind=[])],  # was an internal TypeError: unhashable type
        "digits-past-python": ['{"t": 1, "seq": ' + "9" * 5000 + ', "kind": "task"}'],
        "request-count-text": [dict(AGGREGATE, count="5")],
        "request-count-negative": [dict(AGGREGATE, count=-5)],
        "request-failed-over-count": [dict(AGGREGATE, failed=9)],
        "request-interval-zero": [dict(AGGREGATE, interval=0)],
        "request-latency-text": [dict(REQUEST, latency="fast")],
        "request-ok-text": [dict(REQUEST, ok="yes")],
        "step-reached-text": [{"t": 1, "seq": 0, "kind": "step", "index": 0, "step": "x", "ok": True, "output": "",
                               "reached": "no"}],
    }
    cases = []
    for label, events in bad.items():
        for command in (["compare", "a.jsonl", "good.jsonl"], ["calibrate", "a.jsonl"]):
            cases.append(Case(f"trace-{label}-{command[0]}", "trace", command,
                              {"a.jsonl": _trace(events), "good.jsonl": _trace([TASK])}, names="a.jsonl"))
    headers = {"no-header": None, "wrong-schema": {"kind": "header", "schema": "swarmsim.trace/9"},
               "header-list": "[]", "empty-header": {}, "header-nodes-text": dict(HEADER, nodes="n1"),
               "header-nodes-objects": dict(HEADER, nodes=[{"a": 1}]), "header-seed-text": dict(HEADER, seed="x"),
               "header-scenario-list": dict(HEADER, scenario=[1])}
    for label, head in headers.items():
        text = _trace([TASK], head) if head is not None else json.dumps(TASK) + "\n"
        if isinstance(head, str):
            text = head + "\n" + json.dumps(TASK) + "\n"
        cases.append(Case(f"trace-{label}", "trace", ["compare", "a.jsonl", "a.jsonl"], {"a.jsonl": text}))
    cases.append(Case("trace-empty", "trace", ["compare", "a.jsonl", "a.jsonl"], {"a.jsonl": ""}))
    good = {"good.jsonl": _trace([TASK])}
    cases.append(Case("calibrate-out-proc", "trace", ["calibrate", "good.jsonl", "--out", "/proc/version"], good,
                      names="/proc/version"))  # a write that fails without a file name in its OSError
    cases.append(Case("calibrate-out-dir", "trace", ["calibrate", "good.jsonl", "--out", "d"], {**good, "d": "DIR"},
                      names="d"))
    cases.append(Case("run-trace-dir", "trace", ["run", "s.yaml", "--trace", "d"], {"s.yaml": BASE, "d": "DIR"},
                      names="d"))
    # outputs where a FIFO no one reads is in the way: the write at the end blocked for ever
    cases.append(Case("run-trace-fifo", "trace", ["run", "s.yaml", "--trace", "t.jsonl"],
                      {"s.yaml": BASE, "t.jsonl": "FIFO"}, names="t.jsonl: cannot write the trace: it is a FIFO"))
    cases.append(Case("calibrate-out-fifo", "trace", ["calibrate", "good.jsonl", "--out", "o.yaml"],
                      {**good, "o.yaml": "FIFO"}, names="o.yaml: cannot write the timing file: it is a FIFO"))
    cases.append(Case("run-trace-empty", "trace", ["run", "s.yaml", "--trace", ""], {"s.yaml": BASE},
                      names="--trace ''"))  # was a run that wrote no trace and exit 0
    # a plot's file in the report folder: said before the run, not "not seekable" or [Errno 21] after it
    plots = {"run": (["run", "s.yaml"], "running.png"),
             "compare": (["compare", "good.jsonl", "good.jsonl"], "predicted_over_observed.png"),
             "seeds": (["run", "s.yaml", "--seeds", "2", "--workers", "1"], "end_states.png")}
    for label, (argv, plot) in plots.items():
        for kind in ("FIFO", "DIR"):
            cases.append(Case(f"report-plot-{kind.lower()}-{label}", "file", [*argv, "--report", "r"],
                              {**good, "s.yaml": BASE, f"r/{plot}": kind},
                              names=f"r/{plot}: cannot write the plot of --report r: it is"))
    cases.append(Case("trace-50k-tasks", "trace", ["compare", "a.jsonl", "a.jsonl"],
                      {"a.jsonl": _trace([dict(TASK, task=f"web.{i}", slot=i, seq=i) for i in range(50_000)])},
                      accepted=True))  # read and compared within the time limit
    cases.append(Case("trace-binary", "trace", ["compare", "a.jsonl", "a.jsonl"], {"a.jsonl": bytes(range(256))}))
    return cases


def sweeps() -> list[Case]:
    cases = [
        Case("sweep-huge-product", "sweep", ["sweep", "s.yaml"] + sum(
            (["--factor", f"x{i}=" + ",".join(map(str, range(10)))] for i in range(8)), []), {"s.yaml": BASE}),
        Case("sweep-seeds-huge", "sweep", ["sweep", "s.yaml", "--seeds", "100000000"], {"s.yaml": BASE}),
        Case("sweep-bad-factor", "sweep", ["sweep", "s.yaml", "--factor", "nonsense"], {"s.yaml": BASE},
             names="nonsense"),
        Case("sweep-bad-path", "sweep", ["sweep", "s.yaml", "--factor", "services.web.deploy.replicas=-1"],
             {"s.yaml": BASE}),
        Case("sweep-factor-200k-values", "sweep", ["sweep", "s.yaml", "--factor", "seed=" + ",".join(
            map(str, range(200_000)))], {"s.yaml": BASE}, names="seed"),  # counted before 200,000 YAML reads
        Case("sweep-seeds-negative", "sweep", ["sweep", "s.yaml", "--seeds", "-2"], {"s.yaml": BASE},
             names="--seeds"),  # was zero runs and exit 0
        Case("sweep-workers-negative", "sweep", ["sweep", "s.yaml", "--workers", "-5"], {"s.yaml": BASE},
             names="--workers"),
        Case("run-seeds-huge", "sweep", ["run", "s.yaml", "--seeds", "100000000000"], {"s.yaml": BASE}),
    ]
    sweep_files = {
        "seed-past-int64": "seeds: [-1, 99999999999999999999999]\n",  # the results table's int64 column
        "seed-factor-text": "factors: {seed: [a]}\n",
        "seeds-twice": "factors: {seed: [1, 2]}\nseeds: 2\n",
        "seeds-huge": "seeds: 100000000000000000000\n",
        "product-huge": "factors:\n" + "".join(f"  services.web.labels.l{i}: [a, b, c, d]\n" for i in range(40)),
    }
    for label, body in sweep_files.items():
        cases.append(Case(f"sweep-file-{label}", "sweep", ["sweep", "sw.yaml", "--out", "out"],
                          {"sw.yaml": "scenario: s.yaml\n" + body, "s.yaml": BASE}))
    # a results folder to resume whose record is damaged: said at its line, before any run
    row = '"scenario_hash": "ae69fa59669d941f"'
    records = {"list": "[1, 2]\n", "no-run": '{"a": 1}\n', "run-list": '{"run": [1], ' + row + '}\n',
               "run-number": '{"run": 5, ' + row + '}\n', "no-hash": '{"run": "{\\"seed\\": 0}"}\n',
               "hash-nan": '{"run": "x", "scenario_hash": NaN}\n', "not-json": "hello\n", "nul": b"\x00\n",
               "torn-inside": '{"run": "{\\"seed\\": 0}", "scen\n{"run": "y", ' + row + '}\n',
               "latin1": b'{"run": "caf\xe9"}\n', "digits": '{"run": "x", "n": ' + "9" * 5000 + '}\n',
               "deep": "[" * 100_000 + "]" * 100_000 + "\n", "nested-value": '{"run": "x", ' + row + ', "a": {}}\n',
               "second-line": '{"run": "x", ' + row + '}\n[]\n'}
    for label, record in records.items():
        line = 2 if label == "second-line" else 1
        cases.append(Case(f"sweep-record-{label}", "sweep", ["sweep", "s.yaml", "--factor", "seed=0,1", "--workers",
                                                              "1", "--out", "out"],
                          {"s.yaml": BASE, "out/runs.jsonl": record}, names=f"out/runs.jsonl:{line}: "))
    for label, (rel, kind) in {"fifo": ("runs.jsonl", "FIFO"), "dir": ("runs.jsonl", "DIR"),
                               "csv-tmp-dir": ("results.csv.tmp", "DIR"), "csv-dir": ("results.csv", "DIR"),
                               "parquet-tmp-fifo": ("results.parquet.tmp", "FIFO")}.items():
        cases.append(Case(f"sweep-results-{label}", "sweep", ["sweep", "s.yaml", "--factor", "seed=0,1", "--workers",
                                                             "1", "--out", "out"], {"s.yaml": BASE, f"out/{rel}": kind},
                          names=f"out/{rel}: "))  # a FIFO hung; a directory was a writer thread's traceback
    cases.append(Case("sweep-out-empty", "sweep", ["sweep", "s.yaml", "--factor", "seed=0", "--out", ""],
                      {"s.yaml": BASE}, names="--out ''"))  # was the default folder, silently
    return cases


def replays() -> list[Case]:
    """`swarmsim replay` arguments and the records `replay --cleanup` reads: refused before any swarm is
    touched (nothing here reaches a daemon or the local swarm)."""
    cases = [Case("replay-local-and-host", "replay", ["replay", "s.yaml", "--local", "2", "--docker-host", "tcp://x"],
                  {"s.yaml": BASE}, names="--local"),
             Case("replay-node-without-host", "replay", ["replay", "s.yaml", "--node", "a=b"], {"s.yaml": BASE},
                  names="--node")]
    for label, record in {"not-json": "{not json", "a-list": "[1, 2]", "no-fields": "{}", "fifo": "FIFO",
                          "deep": "[" * 100_000 + "]" * 100_000, "dir": "DIR"}.items():
        cases.append(Case(f"cleanup-record-{label}", "replay", ["replay", "--cleanup", "--state-dir", "st"],
                          {"st/x.json": record}, names="st/x.json"))
    return cases


LONG = 100_000  # a word under the 128 KiB a `run:` word may have


def linear() -> list[Case]:
    """Long words that fail at their end: docker's Go regexps run in linear time, the same patterns in
    Python's backtracking re took quadratic or exponential time (a `--publish` of 70,000 letters hung)."""
    words = {"publish": f"--name w --publish {'x' * LONG} nginx", "network": f"--name w --network {'x' * LONG} nginx",
             "name": f"--name {'a' * LONG}! nginx", "image": f"--name w {'a' * LONG}!",
             "image-dashes": f"--name w {'a-' * (LONG // 2)}!", "cpus": f"--name w --reserve-cpu {'1' * LONG}x nginx",
             "limit-cpu": f"--name w --limit-cpu 1.{'1' * LONG}x nginx"}
    cases = [with_step(f"docker service create {flags}", f"linear-{label}", "parser") for label, flags in words.items()]
    cases.append(with_step(f"docker network create -d overlay {'a' * LONG}!", "linear-network-name", "parser"))
    for label, fmt in {"opens": "{{ " * (LONG // 3), "open-lines": "{{ .Name\n" * (LONG // 10) + "}}",
                       "opens-newline": "{{" * (LONG // 2) + "\n}}"}.items():
        cases.append(with_step(f"docker service ls --format '{fmt}'", f"linear-format-{label}", "parser"))
    cases.append(with_service("    image: " + "a" * LONG + "!\n", "linear-compose-image", "parser"))
    return cases


def arguments() -> list[Case]:
    """swarmsim's own command line, its output folders and sweep inputs: one line each, naming what is wrong."""
    good = {"s.yaml": BASE, "file": "x", "t.jsonl": _trace([TASK])}
    cases = [
        Case("args-seed-text", "parser", ["run", "s.yaml", "--seed", "abc"], good, names="--seed"),  # was argparse's
        Case("args-seed-digits", "parser", ["run", "s.yaml", "--seed", "9" * 5000], good, names="--seed"),  # usage
        Case("args-missing-scenario", "parser", ["run"], good, names="scenario"),  # block: two lines
        Case("args-seeds-zero", "sweep", ["run", "s.yaml", "--seeds", "0"], good, names="--seeds"),  # was one run
        Case("args-workers-huge", "sweep", ["run", "s.yaml", "--seeds", "2", "--workers", "100000"], good,
             names="--workers"),  # a pool of 100,000 processes
        Case("args-dask-local-huge", "sweep", ["run", "s.yaml", "--seeds", "2", "--dask", "local:100000"], good,
             names="--dask"),
        Case("args-dask-scheme", "sweep", ["run", "s.yaml", "--seeds", "2", "--dask", "nonsense://x"], good,
             names="--dask"),  # dask's words did not say which argument
        Case("report-is-a-file", "file", ["run", "s.yaml", "--report", "file"], good, names="file"),  # [Errno 17]
        Case("report-under-a-file", "file", ["run", "s.yaml", "--report", "file/r"], good, names="file/r"),
        Case("compare-report-proc", "file", ["compare", "t.jsonl", "t.jsonl", "--report", "/proc/x"], good,
             names="/proc/x"),
        Case("sweep-out-is-a-file", "file", ["sweep", "s.yaml", "--factor", "seed=1,2", "--out", "file"], good,
             names="file"),
        Case("sweep-factor-not-yaml", "sweep", ["sweep", "s.yaml", "--factor", "seed=[1"], good,
             names="seed"),  # was an internal error: yaml's ParserError
        Case("sweep-factor-surrogate", "sweep", ["sweep", "s.yaml", "--factor", "seed=\udcff"], good, names="seed"),
        Case("sweep-factor-list", "sweep", ["sweep", "s.yaml", "--factor", "name=&a [*a]"], good, names="name"),
        Case("cleanup-state-dir-file", "replay", ["replay", "--cleanup", "--state-dir", "file"], good,
             names="file"),  # was "Nothing to clean up" and exit 0
    ]
    for label, body in {"seeds-empty": "seeds: []\n", "placeholder": "factors:\n  nope: [1, 2]\n"}.items():
        cases.append(Case(f"sweep-file-{label}", "sweep", ["sweep", "sw.yaml", "--out", "out"],
                          {"sw.yaml": "scenario: s.yaml\n" + body, "s.yaml": BASE}, names="sw.yaml:"))
    return cases


def preferences() -> list[Case]:
    """Placement preferences past what the scheduler's recursive tree can hold (5,000 were a RecursionError)."""
    many = ", ".join(f"{{spread: node.labels.a{i}}}" for i in range(5000))
    flags = "".join(f"--placement-pref spread=node.labels.a{i} " for i in range(101))
    adds = "".join(f"--placement-pref-add spread=node.labels.a{i} " for i in range(60))
    return [
        with_service(f"    image: nginx\n    deploy: {{placement: {{preferences: [{many}]}}}}\n", "prefs-compose-5000",
                     "size"),
        with_step(f"docker service create --name p {flags}nginx", "prefs-cli-101", "size"),
        scenario(BASE.replace("  - wait: 5s\n", f"  - run: docker service update {adds}web\n" * 2),
                 "prefs-updates-add-up", "size", accepted=True),  # the second update fails as a step, run goes on
        stack_step(COMPOSE + f"    deploy: {{placement: {{preferences: [{many}]}}}}\n", "prefs-stack-5000", "size",
                   names="s.yaml"),
    ]


def stack_names() -> list[Case]:
    """A stack's service name or image docker refuses: said at the stack file's line, not only the step's."""
    return [stack_step("version: '3.8'\nservices:\n  web:\n    image: '3}}'\n", "stack-image-invalid", "value",
                       names="st.yml:4"),
            stack_step("version: '3.8'\nservices:\n  'a:b':\n    image: nginx\n", "stack-name-invalid", "value",
                       names="st.yml:3"),
            stack_step(COMPOSE, "stack-namespace-invalid", "value", step="docker stack deploy -c st.yml 'a:b'",
                       names="s.yaml:4")]  # the step's stack name is at fault, not the file


def merges_and_tags() -> list[Case]:
    """Found by a second hostile round: merge-key bombs hung, tags PyYAML cannot construct and undefined
    secrets were internal errors, sweep values grew the scenario without bound or overflowed the results."""
    cases = []
    for depth in (8, 14):
        chain = "".join(f"  x{i}: &x{i} {{<<: [{', '.join(['*x%d' % (i - 1)] * 10)}]}}\n" if i else
                        "  x0: &x0 {size: 1}\n" for i in range(depth))
        cases.append(scenario("version: 1\ncluster: {managers: 1}\nimages:\n" + chain, f"merge-bomb-{depth}",
                              "bomb", accepted=True))  # the merge spec keeps each key once: a few values
        stack = ("version: '3.8'\nx-a:\n" + chain.replace("{size: 1}", "{image: nginx}") +
                 f"services:\n  web: *x{depth - 1}\n")
        cases.append(stack_step(stack, f"merge-bomb-stack-{depth}", "bomb"))  # yaml.v2 applies each: refused
        cases.append(Case(f"merge-bomb-stack-import-{depth}", "bomb", ["run", "s.yaml"],
                          {"s.yaml": "version: 1\ncluster: {managers: 1}\nstack: st.yml\n", "st.yml": stack},
                          names="st.yml"))
    for tag in ("!!bool", "!!timestamp", "!!binary"):
        label = tag.strip("!")
        cases.append(scenario(f"version: {tag} 1\ncluster: {{managers: 1}}\n", f"tag-{label}-version", "parser"))
        cases.append(scenario(f"version: 1\ncluster: {{managers: 1}}\nsteps:\n  - run: {tag} docker node ls\n",
                              f"tag-{label}-run", "parser"))
        cases.append(Case(f"sweep-factor-tag-{label}", "sweep", ["sweep", "sw.yaml", "--out", "out"],
                          {"sw.yaml": f"scenario: s.yaml\nfactors:\n  p: [{tag} 1]\n",
                           "s.yaml": BASE.replace("replicas: 2", "replicas: {p}")}, names="sw.yaml"))
        cases.append(Case(f"sweep-cli-factor-tag-{label}", "sweep", ["sweep", "s.yaml", "--factor",
                                                                     f"services.web.deploy.replicas={tag} 1"],
                          {"s.yaml": BASE}, names="services.web.deploy.replicas"))
    for kind in ("secrets", "configs"):
        cases.append(with_service(f"    image: nginx\n    {kind}: [abc]\n", f"scenario-service-{kind}", "value"))
        cases.append(Case(f"stack-import-{kind}", "value", ["run", "s.yaml"],
                          {"s.yaml": "version: 1\ncluster: {managers: 1}\nstack: st.yml\n",
                           "st.yml": COMPOSE + f"    {kind}: [{{source: abc, target: t}}]\n"}, names="st.yml"))
    amplified = BASE.replace("replicas: 2", "replicas: {p}") + "# " + "{p}" * 2000 + "\n"
    cases.append(Case("sweep-fill-amplified", "sweep", ["sweep", "s.yaml", "--factor", "p=" + "x" * 500_000],
                      {"s.yaml": amplified}))
    cases.append(Case("sweep-factor-past-int64", "sweep", ["sweep", "sw.yaml", "--out", "out"],
                      {"sw.yaml": "scenario: s.yaml\nfactors:\n  limits.events: [999999999999999999999]\n",
                       "s.yaml": BASE}, names="sw.yaml"))
    cases.append(Case("sweep-cli-factor-past-int64", "sweep", ["sweep", "s.yaml", "--factor",
                                                               "limits.events=99999999999999999999"],
                      {"s.yaml": BASE}, names="limits.events"))
    cases.append(Case("sweep-scenario-fifo", "file", ["sweep", "sw.yaml", "--out", "out"],
                      {"sw.yaml": "scenario: f.yaml\n", "f.yaml": "FIFO"}, names="a FIFO"))
    cases.append(Case("sweep-file-too-big", "file", ["sweep", "sw.yaml"],
                      {"sw.yaml": "scenario: s.yaml\nseeds: [" + ",".join(map(str, range(300_000))) + "]\n",
                       "s.yaml": BASE}, names="scenario or sweep file"))
    cases.append(scenario("version: 1\ncluster: {managers: " + "9" * 100_000 + "}\n", "value-echoed-100k", "size"))
    return cases


def corpus() -> list[Case]:
    cases = (bombs() + files() + sizes() + values() + timing() + parser() + control() + traces() + sweeps() +
             replays() + linear() + arguments() + preferences() + stack_names() + merges_and_tags())
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases
