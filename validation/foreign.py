"""Replaying on a swarm swarmsim did not create: which real node plays which scenario node, and a
preflight that says everything the swarm lacks before anything on it is touched.

Scenario nodes are mapped, in this order: by `--node NAME=HOSTNAME`; by a real node whose hostname is
the scenario's name; the rest by role (the first --docker-host is the leader's stand-in, managers to
managers, workers to workers). swarmsim never promotes, demotes or takes out of the swarm a node it
did not create: a node whose role differs from the scenario's is something the swarm lacks.
"""
from __future__ import annotations

import shlex
import subprocess
import urllib.parse
from dataclasses import dataclass, field

import docker

from swarmsim.backend import required_capabilities
from swarmsim.dockercli import commands as c
from swarmsim.model import Role
from swarmsim.model.scenario import Run, Scenario
from swarmsim.model.stack import NAMESPACE_LABEL

from .docker_backend import DockerBackend, capabilities, client_for, early_problems, scenario_order
from .ledger import Ledger, new_run_id


@dataclass
class Plan:
    """What a replay on this swarm would do, and what stands in its way."""
    hostnames: dict[str, str] = field(default_factory=dict)   # scenario node -> real hostname
    clients: dict[str, docker.DockerClient] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)          # what swarmsim will set, and put back
    notes: list[str] = field(default_factory=list)            # what could not be checked

    def format(self, where: str) -> str:
        lines = [f"preflight on {where}:"]
        lines += [f"  node {name} is {host}" for name, host in self.hostnames.items()]
        lines += [f"  will set (and put back): {x}" for x in self.changes]
        lines += [f"  not checked: {x}" for x in self.notes]
        if self.problems:
            lines.append("the swarm lacks what the scenario needs (nothing was changed):")
            lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


def parse_node_map(items: list[str]) -> dict[str, str]:
    """`--node NAME=HOSTNAME`, repeatable."""
    mapping = {}
    for item in items:
        name, sep, host = item.partition("=")
        if not sep or not name or not host:
            raise ValueError(f"--node {item}: expected NAME=HOSTNAME (a scenario node and a real node's hostname)")
        mapping[name] = host
    return mapping


def map_nodes(scenario: Scenario, real: list[dict], first_id: str, node_map: dict[str, str],
              plan: Plan) -> None:
    """Fill plan.hostnames (joined scenario nodes -> real hostnames) and plan.exclude."""
    by_host = {n["Description"]["Hostname"]: n for n in real}
    wanted = [d for d in scenario_order(scenario) if d.joined]
    names = {d.name for d in scenario.nodes}
    for name, host in node_map.items():
        if name not in names:
            plan.problems.append(f"--node {name}={host}: the scenario has no node {name} "
                                 f"(its nodes: {', '.join(sorted(names))})")
        elif host not in by_host:
            plan.problems.append(f"--node {name}={host}: the swarm has no ready node with hostname {host} "
                                 f"(its nodes: {', '.join(sorted(by_host))})")
        else:
            plan.hostnames[name] = host
    taken = set(plan.hostnames.values())
    for d in wanted:
        if d.name not in plan.hostnames and d.name in by_host and d.name not in taken:
            plan.hostnames[d.name] = d.name
            taken.add(d.name)
    first = next((h for h, n in by_host.items() if n["ID"] == first_id), None)
    rest = sorted((n for h, n in by_host.items() if h not in taken),
                  key=lambda n: (n["ID"] != first_id, n["Spec"]["Role"] != "manager", n["Description"]["Hostname"]))
    for d in wanted:
        if d.name in plan.hostnames:
            continue
        pick = next((n for n in rest if n["Spec"]["Role"] == d.role.value), None)
        if d.name == scenario.leader and first not in taken and first is not None:
            pick = by_host[first]
        if pick is None:
            plan.problems.append(f"the scenario's {d.role.value} {d.name} has no real node left to play it "
                                 f"(the swarm has {len(real)} ready nodes, "
                                 f"{sum(n['Spec']['Role'] == 'manager' for n in real)} managers; "
                                 f"the scenario {len(wanted)} nodes, "
                                 f"{sum(x.role is Role.MANAGER for x in wanted)} managers)")
            continue
        rest.remove(pick)
        plan.hostnames[d.name] = pick["Description"]["Hostname"]
        taken.add(plan.hostnames[d.name])
    for d in wanted:
        node = by_host.get(plan.hostnames.get(d.name))
        if node is not None and node["Spec"]["Role"] != d.role.value:
            plan.problems.append(f"the scenario's {d.role.value} {d.name} is played by {node['Description']['Hostname']}, "
                                 f"a {node['Spec']['Role']}: swarmsim does not change roles on a swarm it did not "
                                 f"create; {'promote' if d.role is Role.MANAGER else 'demote'} it, or map "
                                 f"{d.name} with --node")
    plan.exclude = tuple(h for h in by_host if h not in taken)


def check_nodes(scenario: Scenario, real: list[dict], plan: Plan) -> None:
    """Labels and availability swarmsim will set, and what only the nodes' daemons can provide."""
    by_host = {n["Description"]["Hostname"]: n for n in real}
    for step in scenario.steps:
        if isinstance(step, Run) and isinstance(step.parsed, (c.SwarmLeave, c.NodeRm)):
            plan.problems.append(f"'{step.command}': swarmsim takes no node out of a swarm it did not create "
                                 "(a cleanup could not put it back)")
    for d in scenario.nodes:
        if not d.joined:
            plan.problems.append(f"the scenario's node {d.name} starts outside the swarm: swarmsim takes no node "
                                 "out of a swarm it did not create")
            continue
        node = by_host.get(plan.hostnames.get(d.name))
        if node is None:
            continue
        host, spec = node["Description"]["Hostname"], node["Spec"]
        labels = spec.get("Labels") or {}
        for key, value in d.labels.items():
            if labels.get(key) != value:
                was = "absent" if key not in labels else f"now {labels[key]!r}"
                plan.changes.append(f"node label {key}={value} on {host} ({was})")
        if spec["Availability"] != d.availability.value:
            plan.changes.append(f"availability {d.availability.value} on {host} (now {spec['Availability']})")
        engine = node["Description"].get("Engine", {}).get("Labels") or {}
        for key, value in d.engine_labels.items():
            if engine.get(key) != value:
                plan.problems.append(f"engine label {key}={value} on {host}: set it in that daemon's daemon.json "
                                     '"labels" and restart it')
        platform = node["Description"].get("Platform", {})
        if (platform.get("OS"), platform.get("Architecture")) != (d.os, d.arch):
            plan.problems.append(f"the scenario's {d.name} is {d.os}/{d.arch}, {host} is "
                                 f"{platform.get('OS')}/{platform.get('Architecture')}")


def check_names(scenario: Scenario, api: docker.APIClient, plan: Plan) -> None:
    """Names the scenario creates that are taken on the swarm: a create would fail half way."""
    creates = [spec.name for spec in scenario.services]
    creates += [s.parsed.spec.name for s in scenario.steps if isinstance(s, Run) and isinstance(s.parsed, c.ServiceCreate)]
    services = {s["Spec"]["Name"] for s in api.services()}
    for name in dict.fromkeys(creates):
        if name in services:
            plan.problems.append(f"a service named {name} exists already (not created by swarmsim; it is left alone)")
    nets = [n.name for n in scenario.networks]
    nets += [s.parsed.name for s in scenario.steps if isinstance(s, Run) and isinstance(s.parsed, c.NetworkCreate)]
    existing = {n["Name"] for n in api.networks()}
    for name in dict.fromkeys(nets):
        if name in existing:
            plan.problems.append(f"a network named {name} exists already")
    for s in scenario.steps:
        if isinstance(s, Run) and isinstance(s.parsed, c.StackDeploy) and \
                api.services(filters={"label": f"{NAMESPACE_LABEL}={s.parsed.namespace}"}):
            plan.problems.append(f"a stack named {s.parsed.namespace} is deployed already")


def check_image(image: str, plan: Plan, real: list[dict]) -> None:
    """The workload image on every node there is a client for; the others cannot be asked."""
    for name, client in plan.clients.items():
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            plan.problems.append(f"image {image} is not on {plan.hostnames.get(name, name)} "
                                 f"(docker -H {plan.urls[name]} pull {image}, or --workload-image)")
    unreached = sorted(h for n, h in plan.hostnames.items() if n not in plan.clients)
    if unreached:
        plan.notes.append(f"image {image} on {', '.join(unreached)} (no --docker-host reaches them; "
                          "they pull it when a task starts)")


def ssh_has_ipvs(url: str) -> bool | None:
    """Whether the kernel behind an ssh:// URL has IPVS (None: cannot tell), asked with the ssh client
    the docker SDK uses, read-only."""
    parts = urllib.parse.urlparse(url)
    args = ["ssh", "-o", "BatchMode=yes"] + (["-l", parts.username] if parts.username else []) + \
        (["-p", str(parts.port)] if parts.port else [])
    probe = ("if test -e /proc/net/ip_vs || grep -qw ip_vs /proc/modules || "
             "ls /lib/modules/$(uname -r)/kernel/net/netfilter/ipvs/ip_vs.ko* >/dev/null 2>&1; then exit 0; fi; exit 1")
    try:
        proc = subprocess.run([*args, "--", parts.hostname, "sh -c " + shlex.quote(probe)],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return {0: True, 1: False}.get(proc.returncode)


def survey(urls: list[str], scenario: Scenario, node_map: dict[str, str], mesh: bool, image: str) -> Plan:
    """Everything the replay would need, read from the swarm without changing it."""
    plan = Plan()
    needs = capabilities(True, False)
    plan.problems += early_problems(scenario, capabilities(mesh, local=False), local=False)
    first = client_for(urls[0])
    info = first.info()
    if not info.get("Swarm", {}).get("ControlAvailable"):
        plan.problems.append(f"{urls[0]} is not a swarm manager (the first --docker-host must be one)")
        return plan
    real = [n for n in first.api.nodes() if n["Status"]["State"] == "ready"]
    map_nodes(scenario, real, info["Swarm"]["NodeID"], node_map, plan)
    by_host = {h: n for n, h in plan.hostnames.items()}
    if plan.hostnames.get(scenario.leader, info["Name"]) != info["Name"]:
        plan.problems.append(f"the first --docker-host ({urls[0]}, {info['Name']}) must be the node that plays the "
                             f"scenario's leader {scenario.leader} ({plan.hostnames[scenario.leader]})")
    plan.clients[scenario.leader], plan.urls[scenario.leader] = first, urls[0]
    for url in urls[1:]:
        client = client_for(url)
        name = by_host.get(client.info()["Name"])
        if name is None:
            plan.problems.append(f"{url} is {client.info()['Name']}, which plays no scenario node "
                                 f"({', '.join(sorted(by_host))} do)")
            continue
        plan.clients[name], plan.urls[name] = client, url
    check_nodes(scenario, real, plan)
    check_names(scenario, first.api, plan)
    check_image(image, plan, real)
    if mesh and required_capabilities(scenario) & needs:
        ipvs = ssh_has_ipvs(urls[0]) if urls[0].startswith("ssh://") else None
        if ipvs is False:
            plan.problems.append(f"the routing mesh (an ingress-mode port or a VIP on a network): the kernel "
                                 f"behind {urls[0]} has no IPVS; use dnsrr and mode=host ports, and --no-mesh")
        elif ipvs is None:
            plan.notes.append("IPVS for the routing mesh (only an ssh:// manager can be asked); if the kernel "
                              "lacks it, ingress ports never answer: say --no-mesh")
    backend = DockerBackend(plan.clients, urls=plan.urls, hostnames=plan.hostnames, mesh=mesh)
    plan.problems += backend.problems(scenario)
    plan.problems = list(dict.fromkeys(plan.problems))
    return plan


def remote_backend(plan: Plan, url: str, *, mesh: bool, image: str, ledger_dir=None) -> DockerBackend:
    """A backend on the swarm a preflight found nothing lacking on; what it changes goes in a ledger file."""
    return DockerBackend(plan.clients, urls=plan.urls, hostnames=plan.hostnames, exclude=plan.exclude,
                         mesh=mesh, image=image, ledger=Ledger.create(new_run_id(), url, ledger_dir))
