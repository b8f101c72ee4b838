"""What the docker CLI prints for the read-only commands, from plain model data.

Every format is the docker CLI's own, as of v20.10.24 (the engine the validation
swarms run): the templates in cli/command/{service,task,node,network,swarm}.
Tables go through Go's text/tabwriter as cli/command/formatter configures it
(minwidth 10, padding 3, spaces, the last cell unpadded), so each non-final
column is max(10, widest cell + 3) wide and lines may end in spaces, as docker's do.

Scenario time is float seconds; an absolute timestamp is EPOCH plus that time.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from ..model import (Node, NodeStatus, PortConfig, Role, Service, ServiceMode, ServiceSpec, Task, TaskSpec, TaskState,
                    UpdateConfig)
from ..model.cluster import ClusterSpec
from ..model.service import Resources, UpdateState
from ..model.stack import SwarmObject
from . import template
from ..model.gofmt import go_float
from ..model.gostrings import quote
from ..model.reference import familiar_repo
from .units import NANO, format_bytes, format_duration

EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
MAX_ERR_LENGTH = 30  # task/formatter.go maxErrLength
MANAGER_PORT = 2377


# --- shared pieces ------------------------------------------------------------------------------

def _table(rows: Sequence[Sequence[str]]) -> str:
    """Go tabwriter(minwidth 10, padding 3): every cell but the last padded to its column."""
    widths = [max(10, max(len(row[i]) for row in rows) + 3) for i in range(len(rows[0]) - 1)]
    return "".join("".join(c.ljust(w) for c, w in zip(row, widths)) + row[-1] + "\n" for row in rows)


def _lines(values: Iterable[str]) -> str:
    """The quiet formats: one value a line, no header."""
    return "".join(f"{v}\n" for v in values)


def _natural_key(text: str) -> tuple:
    """sortorder.NaturalLess as a key: digit runs by value (fewer leading zeros first), digits first."""
    key = []
    for run in re.findall(rb"\d+|\D", text.encode()):
        if run.isdigit():
            digits = run.lstrip(b"0")
            key.append((0, len(digits), digits, len(run) - len(digits)))
        else:
            key.append((1, run[0]))
    return tuple(key)


def _short_id(ident: str) -> str:
    """stringid.TruncateID."""
    return ident[:12]


def _pretty(text: str) -> str:
    """command.PrettyPrint (capitalizeFirst): the first letter upper-cased, the rest lower-cased, so a
    time's zone prints as "+0000 utc"; a single letter is lower-cased."""
    return text.lower() if len(text) < 2 else text[0].upper() + text[1:].lower()


def _nanos(seconds: float) -> int:
    """A Go time.Duration (and the API's JSON durations) count nanoseconds."""
    return round(seconds * NANO)


def _clock(t: float) -> tuple[str, str]:
    """EPOCH + t as ("YYYY-MM-DD", "HH:MM:SS[.fraction]"), Go trimming the fraction's zeros."""
    whole, frac = divmod(_nanos(t), NANO)
    when = EPOCH + timedelta(seconds=whole)
    fraction = f".{frac:09d}".rstrip("0") if frac else ""
    return f"{when:%Y-%m-%d}", f"{when:%H:%M:%S}{fraction}"


def _rfc3339(t: float) -> str:
    """A time as the API's JSON has it (time.RFC3339Nano, UTC)."""
    day, clock = _clock(t)
    return f"{day}T{clock}Z"


def _go_time(t: float) -> str:
    """A time as Go's time.Time.String() prints it (what PrettyPrint gives for CreatedAt)."""
    day, clock = _clock(t)
    return f"{day} {clock} +0000 UTC"


def _human_duration(seconds: float) -> str:
    """go-units HumanDuration."""
    if (secs := int(seconds)) < 1:
        return "Less than a second"
    if secs == 1:
        return "1 second"
    if secs < 60:
        return f"{secs} seconds"
    if (minutes := int(seconds / 60)) == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    if (hours := int(seconds / 3600 + 0.5)) == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"


def humanize_since(seconds: float) -> str:
    """How docker says how long ago something happened ("About a minute ago")."""
    return f"{_human_duration(seconds)} ago"


def _display_image(image: str) -> str:
    """The familiar name:tag docker lists, digest dropped; an untagged reference is left as written."""
    repo, sep, tag = image.split("@", 1)[0].rpartition(":")
    if not sep or "/" in tag:
        return image
    return f"{familiar_repo(repo)}:{tag}"


# --- docker service ps --------------------------------------------------------------------------

def _task_name(task: Task, nodes: Mapping[str, Node]) -> str:
    """service.slot, or service.<node ID> for a global task (task.generateTaskNames)."""
    if task.slot:
        return f"{task.service}.{task.slot}"
    node = nodes.get(task.node or "")
    return f"{task.service}.{node.id if node else task.node or ''}"


class DaemonError(ValueError):
    """The daemon refusing a listing's filters; str() is what the docker CLI prints."""

    def __init__(self, message: str):
        super().__init__(f"Error response from daemon: {message}")


def _node_id(ref: str, nodes: Mapping[str, Node]) -> str:
    """The daemon's getNode: full ID, then name, then a unique ID prefix."""
    matches = [n.id for n in nodes.values() if n.id == ref] or [n.id for n in nodes.values() if n.name == ref]
    matches = matches or [n.id for n in nodes.values() if n.id.startswith(ref)]
    if not matches:
        raise DaemonError(f"node {ref} not found")
    if len(matches) > 1:
        raise DaemonError(f"node {ref} is ambiguous ({len(matches)} matches found)")
    return matches[0]


def _desired_state(value: str) -> TaskState:
    try:
        return TaskState[value.upper()]
    except KeyError:
        raise DaemonError(f"Invalid desired-state filter: '{value}'") from None


def _task_filter(filters: Iterable[tuple[str, str]], nodes: Mapping[str, Node]) -> Callable[[Task], bool]:
    """The task list filters the daemon applies: values of one key OR'ed, keys AND'ed."""
    wanted: dict[str, list[str]] = {}
    for key, value in filters:
        if key not in ("name", "id", "node", "desired-state"):
            raise DaemonError(f"Invalid filter '{key}'")
        wanted.setdefault(key, []).append(value)
    states = {_desired_state(v) for v in wanted.get("desired-state", ()) if v}
    node_ids = {_node_id(v, nodes) for v in wanted.get("node", ())}

    def keep(task: Task) -> bool:
        node = nodes.get(task.node or "")
        full_name = f"{_task_name(task, nodes)}.{task.id}"  # naming.Task
        return all((
            not wanted.get("name") or any(full_name.startswith(p) for p in wanted["name"]),
            not wanted.get("id") or any(task.id.startswith(p) for p in wanted["id"]),
            "node" not in wanted or (node is not None and node.id in node_ids),
            not states or task.desired in states,
        ))
    return keep


def _ps_order(tasks: Iterable[Task], nodes: Mapping[str, Node], newest_first: bool = True) -> list[tuple[str, Task]]:
    """(name, task) by name naturally, then most recently created first (task.tasksSortable).

    `tasks` come in creation order; tasks created at the same instant keep that order
    (reversed when newest come first), as their real timestamps would differ by microseconds.
    """
    sign = -1 if newest_first else 1
    named = [(i, _task_name(t, nodes), t) for i, t in enumerate(tasks)]
    ordered = sorted(named, key=lambda it: (_natural_key(it[1]), sign * it[2].created_at, sign * it[0]))
    return [(name, t) for _, name, t in ordered]


def _host_ports(task: Task, bound: Mapping[str, Sequence[PortConfig]] | None) -> str:
    """Host-mode published ports, which only a running container reports in its port status: as dockerd bound
    them (`bound` by task ID: a picked port filled in), each twice (20.10 binds 0.0.0.0 and ::), the ports in
    the order of the container's port map, a Go map (an order of its own per task here)."""
    if task.state is not TaskState.RUNNING:
        return ""
    ports = bound[task.id] if bound and task.id in bound else [p for p in task.endpoint.ports if p.mode == "host"]
    ordered = sorted(ports, key=lambda p: hashlib.blake2b(f"{task.id}:{p.target}/{p.protocol}".encode()).digest())
    return ",".join(f"*:{p.published}->{p.target}/{p.protocol}" for p in ordered for _ in range(2))


def _task_error(err: str, trunc: bool) -> str:
    if trunc and len(err) > MAX_ERR_LENGTH:
        err = err[:MAX_ERR_LENGTH - 1] + "…"
    return f'"{err}"' if err else ""


TASK_COLUMNS = {"ID": "ID", "Name": "NAME", "Image": "IMAGE", "Node": "NODE", "DesiredState": "DESIRED STATE",
                "CurrentState": "CURRENT STATE", "Error": "ERROR", "Ports": "PORTS"}
TASK_FORMAT = ("table {{.ID}}\\t{{.Name}}\\t{{.Image}}\\t{{.Node}}\\t{{.DesiredState}}\\t{{.CurrentState}}\\t"
               "{{.Error}}\\t{{.Ports}}")


def service_ps(tasks: Iterable[Task], nodes: Mapping[str, Node], now: float, *, no_trunc: bool = False,
               quiet: bool = False, filters: Iterable[tuple[str, str]] = (), format: str | None = None,
               bound: Mapping[str, Sequence[PortConfig]] | None = None) -> str:
    """`docker service ps SERVICE...` over the tasks of the asked services (also `stack ps`, `node ps`);
    `bound`: each running container's host-mode ports as its node bound them."""
    rows = _ps_order(filter(_task_filter(filters, nodes), tasks), nodes)
    if quiet:
        return _lines(t.id for _, t in rows)
    trunc, fmt = not no_trunc, format or TASK_FORMAT
    items, previous = [], None
    for name, task in rows:
        items.append({
            "ID": _short_id(task.id) if trunc else task.id,
            "Name": f" \\_ {name}" if name == previous and fmt.startswith("table") else name,
            "Image": _display_image(task.image) if trunc else task.image,
            "Node": task.node or "",
            "DesiredState": _pretty(task.desired.label),
            "CurrentState": f"{_pretty(task.state.label)} {humanize_since(now - task.status_at).lower()}",
            "Error": _task_error(task.err, trunc),
            "Ports": _host_ports(task, bound),
        })
        previous = name
    return _formatted(fmt, items, TASK_COLUMNS, "*task.taskContext")


# --- docker service ls --------------------------------------------------------------------------

def _replicas(service: Service, own: list[Task]) -> str:
    """running/desired as swarmkit's ListServiceStatuses counts them (API >= 1.41), from the service's tasks.

    Running: the service's tasks whose observed state is running, whatever their
    node's state. Desired: the replica count, or for a global service the tasks
    desired running.
    """
    if service.is_job:  # only the current iteration counts, completed ones apart (serviceContext.Replicas)
        own = [t for t in own if t.job_iteration == service.job_iteration]
        running = sum(t.state is TaskState.RUNNING for t in own)
        completed = sum(t.state is TaskState.COMPLETE for t in own)
        if service.per_node:
            desired = sum(t.state is not TaskState.COMPLETE and t.desired is TaskState.COMPLETE for t in own)
            return f"{running}/{desired} ({completed}/{desired + completed} completed)"
        return f"{running}/{service.spec.max_concurrent} ({completed}/{service.spec.replicas} completed)"
    running = sum(t.state is TaskState.RUNNING for t in own)
    if service.is_global:
        return f"{running}/{sum(t.desired is TaskState.RUNNING for t in own)}"
    max_per_node = service.spec.task.placement.max_replicas
    suffix = f" (max {max_per_node} per node)" if max_per_node else ""
    return f"{running}/{service.spec.replicas}{suffix}"


def _port_range(published: tuple[int, int], target: tuple[int, int], protocol: str) -> str:
    def span(lo: int, hi: int) -> str:
        return f"{lo}-{hi}" if hi > lo else f"{lo}"
    return f"*:{span(*published)}->{span(*target)}/{protocol}"


def _ingress_ports(ports: Iterable[PortConfig]) -> str:
    """The PORTS of `service ls`: ingress ports, consecutive ones grouped into ranges (serviceContext.Ports)."""
    ranges: list[list] = []  # [p_start, p_end, t_start, t_end, protocol]
    for p in sorted(ports, key=lambda p: (p.protocol, p.published)):
        if p.mode != "ingress":
            continue
        last = ranges[-1] if ranges else None
        if (last is None or p.protocol != last[4] or p.published - last[1] not in (0, 1)
                or p.target - last[3] not in (0, 1) or (last[3] != last[2] and p.target <= last[3])):
            ranges.append([p.published, p.published, p.target, p.target, p.protocol])
        else:
            last[1], last[3] = p.published, p.target
    return ", ".join(_port_range((r[0], r[1]), (r[2], r[3]), r[4]) for r in ranges if r[0] > 0)


SERVICE_COLUMNS = {"ID": "ID", "Name": "NAME", "Mode": "MODE", "Replicas": "REPLICAS", "Image": "IMAGE",
                   "Ports": "PORTS"}


def _formatted(fmt: str, items: list[dict], columns: Mapping[str, str], context: str) -> str:
    return template.execute(fmt, items, columns, context, _table)


def _has_label(labels: Mapping[str, str], want: str) -> bool:
    """A `label=` filter's value: KEY (present) or KEY=VALUE (present with that value), as the daemons match it."""
    key, sep, value = want.partition("=")
    return key in labels and (not sep or labels[key] == value)


def _service_filter(filters: Iterable[tuple[str, str]]) -> Callable[[Service], bool]:
    """`service ls -f`: id= and name= match a prefix, label= a key or key=value, mode= the mode; values of
    one key are alternatives, keys all have to match (docker's filters.Args)."""
    by_key: dict[str, list[str]] = {}
    for key, value in filters:
        by_key.setdefault(key, []).append(value)

    tests = {"id": lambda s, v: s.id.startswith(v), "name": lambda s, v: s.name.startswith(v),
             "label": lambda s, v: _has_label(s.spec.labels, v), "mode": lambda s, v: s.spec.mode.value == v}
    return lambda s: all(any(tests[k](s, v) for v in values) for k, values in by_key.items())


def service_ls(services: Iterable[Service], tasks: Sequence[Task], *, quiet: bool = False,
               filters: Iterable[tuple[str, str]] = (), format: str | None = None,
               ports: Mapping[str, Sequence[PortConfig]] | None = None) -> str:
    """`docker service ls`: services by name; IDs are always truncated, even with -q. PORTS are the
    allocated ones (`ports` by service ID, a picked port filled in; the spec's when not given)."""
    keep = _service_filter(filters)
    ordered = sorted((s for s in services if keep(s)), key=lambda s: _natural_key(s.name))
    if quiet:
        return _lines(_short_id(s.id) for s in ordered)
    own: dict[str, list[Task]] = {}
    for t in tasks:  # once, not once per service (1,000 services: 200 `service ls` took 339 s)
        own.setdefault(t.service_id, []).append(t)
    items = [{"ID": _short_id(s.id), "Name": s.name, "Mode": s.spec.mode.value.replace("-", " "),
              "Replicas": _replicas(s, own.get(s.id, [])),
              "Image": _display_image(s.spec.task.image), "Ports": _ingress_ports(_held(s, ports))}
             for s in ordered]
    return _formatted(format or "table {{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}",
                      items, SERVICE_COLUMNS, "*service.serviceContext")


# --- docker service inspect ---------------------------------------------------------------------

def _pretty_update_config(title: str, order_label: str, config: UpdateConfig) -> str:
    """The UpdateConfig / RollbackConfig block; zero delay and monitor are left out."""
    delay = f"\n Delay:\t\t{format_duration(config.delay)}" if config.delay > 0 else ""
    monitor = f"\n Monitoring Period: {format_duration(config.monitor)}" if config.monitor > 0 else ""
    return (f"\n{title}:\n Parallelism:\t{config.parallelism}{delay}\n On failure:\t{config.failure_action.value}"
            f"{monitor}\n Max failure ratio: {go_float(config.max_failure_ratio)}\n {order_label}{config.order.value}")


def _pretty_resources(title: str, res: Resources) -> str:
    if not res:
        return ""
    cpu = f"\n  CPU:\t\t{go_float(res.nano_cpus / NANO)}" if res.nano_cpus else ""
    memory = f"\n  Memory:\t{format_bytes(res.memory_bytes)}" if res.memory_bytes else ""
    return f"\n {title}:{cpu}{memory}"


def _pretty_update_status(service: Service, now: float) -> str:
    status = service.update_status
    if status is None:
        return ""
    started = f"\n Started:\t{humanize_since(now - status.started_at)}" if status.started_at is not None else ""
    completed = (f"\n Completed:\t{humanize_since(now - status.completed_at)}"
                 if status.state is UpdateState.COMPLETED and status.completed_at is not None else "")
    return f"\nUpdateStatus:\n State:\t\t{status.state.value}{started}{completed}\n Message:\t{status.message}"


def _pretty_placement(spec: ServiceSpec) -> str:
    placement = spec.task.placement
    out = "\nPlacement:"
    if placement.constraints:
        out += f"\n Constraints:\t[{' '.join(placement.constraints)}]"
    if placement.preferences:
        out += f"\n Preferences:   [{' '.join('spread=' + p for p in placement.preferences)}]"
    if placement.max_replicas:
        out += f"\n Max Replicas Per Node:   {placement.max_replicas}"
    return out


def _pretty_container(spec: ServiceSpec) -> str:
    """ContainerSpec; Init whenever it was sent (the CLI always sends it, a stack file only with `init:`)."""
    task = spec.task
    args = f"\n Args:\t\t{''.join(a + ' ' for a in task.args)}" if task.args else ""
    env = f"\n Env:\t\t{''.join(e + ' ' for e in task.env)}" if task.env else ""
    env += f"\n Dir:\t\t{task.dir}" if task.dir else ""
    init = ("" if task.init is None else f"\n Init:\t\t{str(task.init).lower()}") + \
        (f"\n User: {task.user}" if task.user else "")
    add, drop = task.capabilities
    if add or drop:
        init += "\nCapabilities:" + (f"\n Add: {', '.join(add)}" if add else "") + (
            f"\n Drop: {', '.join(drop)}" if drop else "")
    if task.sysctls:
        init += "\nSysCtls:" + "".join(f"\n {k}: {v}" if v else f"\n {k}" for k, v in task.sysctls)
    if task.ulimits:
        init += "\nUlimits:" + "".join(f"\n {n}: {soft}:{hard}" for n, soft, hard in task.ulimits)
    mounts = "\nMounts:" if task.mounts else ""
    mounts += "".join(f"\n Target:\t{m.target}\n  Source:\t{m.source}\n  ReadOnly:\t{str(m.read_only).lower()}"
                      f"\n  Type:\t\t{m.type}" for m in task.mounts)
    for title, refs in (("Configs", task.configs), ("Secrets", task.secrets)):
        mounts += f"\n{title}:" + "".join(f"\n Target:\t{r.target}\n  Source:\t{r.source}" for r in refs) if refs else ""
    return f"\nContainerSpec:\n Image:\t\t{task.image}{args}{env}{init}{mounts}"


def _pretty_log_driver(spec: ServiceSpec) -> str:
    """The Log Driver block; the template leaves an empty line after it."""
    if spec.task.log_driver is None:
        return ""
    name, options = spec.task.log_driver
    opts = "".join(f"\n  {k}" + (f":       {v}" if v else "") for k, v in options)
    return "\nLog Driver:" + (f"\n Name:\t\t{name}" if name else "") + (f"\n LogOpts:{opts}" if opts else "") + "\n"


def _held(service: Service, ports: Mapping[str, Sequence[PortConfig]] | None) -> Sequence[PortConfig]:
    """The service's Endpoint.Ports: as allocated when known (none if it holds none), else its spec's."""
    return service.spec.endpoint.ports if ports is None else ports.get(service.id, ())


def _pretty_endpoint(service: Service, held: Sequence[PortConfig]) -> str:
    spec = service.spec
    networks = f"\nNetworks:{''.join(' ' + n for n in spec.task.networks)} " if spec.task.networks else ""
    ports = "".join(f"\n PublishedPort = {p.published}\n  Protocol = {p.protocol}\n  TargetPort = {p.target}"
                    f"\n  PublishMode = {p.mode}" for p in held)
    check = spec.task.healthcheck
    health = "" if check is None else (
        f"\n Healthcheck:\n  Interval = {format_duration(check.interval)}\n  Retries = {check.retries}"
        f"\n  StartPeriod =\t{format_duration(check.start_period)}\n  Timeout =\t{format_duration(check.timeout)}"
        + (f"\n  Tests:{''.join(chr(10) + chr(9) + ' Test = ' + t for t in check.test)} " if check.test else ""))
    return f"{networks}\nEndpoint Mode:\t{spec.endpoint.mode}" + (f"\nPorts:{ports} " if ports else "") + health


def service_inspect_pretty(service: Service, now: float,
                           ports: Mapping[str, Sequence[PortConfig]] | None = None) -> str:
    """`docker service inspect --pretty` for one service (serviceInspectPrettyTemplate); its Ports are
    Endpoint.Ports, as allocated (`ports`, as in service_ls).

    The daemon inserts defaults for inspect, so UpdateConfig, RollbackConfig and
    Resources are always shown. For several services, concatenate the results.
    """
    spec = service.spec
    labels = "".join(f"\n {k}={v}" if v else f"\n {k}" for k, v in sorted(spec.labels.items()))
    mode = ("" if service.is_job else "\tGlobal" if service.is_global  # the template names no job mode
            else f"\tReplicated\n Replicas:\t{spec.replicas}")
    return "".join((
        f"\nID:\t\t{service.id}\nName:\t\t{spec.name}",
        f"\nLabels:{labels}" if labels else "",
        f"\nService Mode:{mode}",
        _pretty_update_status(service, now),
        _pretty_placement(spec),
        _pretty_update_config("UpdateConfig", "Update order:      ", spec.update_config),
        _pretty_update_config("RollbackConfig", "Rollback order:    ", spec.rollback_config),
        _pretty_container(spec),
        _pretty_log_driver(spec),
        "\nResources:",
        _pretty_resources("Reservations", spec.task.reservations),
        _pretty_resources("Limits", spec.task.limits),
        f"\n  PIDs:\t\t{spec.task.limits.pids}" if spec.task.limits.pids > 0 else "",
        _pretty_endpoint(service, _held(service, ports)),
        "\n\n",
    ))


def _without_empty(fields: dict) -> dict:
    """Go's `json:",omitempty"` for the fields that carry it."""
    return {k: v for k, v in fields.items() if v not in (None, "", 0, [], {})}


def _resources_json(res: Resources) -> dict:
    return _without_empty({"NanoCPUs": res.nano_cpus, "MemoryBytes": res.memory_bytes, "Pids": res.pids,
                           "GenericResources": [{"DiscreteResourceSpec": {"Kind": kind, "Value": n}}
                                                for kind, n in res.generic]})


def _resources_spec_json(task: TaskSpec) -> dict:
    """TaskTemplate.Resources: the CLI sends Limits and Reservations always, convert.Service those the file has."""
    both = {"Limits": _resources_json(task.limits), "Reservations": _resources_json(task.reservations)}
    return _without_empty(both) if task.from_stack else both


def _update_config_json(config: UpdateConfig) -> dict:
    return {"Parallelism": config.parallelism, **_without_empty({
        "Delay": _nanos(config.delay), "FailureAction": config.failure_action.value,
        "Monitor": _nanos(config.monitor)}),
        "MaxFailureRatio": _go_number(config.max_failure_ratio), "Order": config.order.value}


def _file_ref_json(ref, title: str, ids: Mapping[tuple[str, str], str]) -> dict:
    """A SecretReference/ConfigReference: its File target, the object's ID and name."""
    return {"File": {"Name": ref.target, "UID": ref.uid, "GID": ref.gid, "Mode": ref.mode},
            f"{title}ID": ids.get((title.lower(), ref.source), ""), f"{title}Name": ref.source}


def _healthcheck_json(check) -> dict | None:
    """container.HealthConfig: what is set (a duration of 0 and retries 0 are not)."""
    if check is None:
        return None
    return _without_empty({"Test": list(check.test), "Interval": _nanos(check.interval),
                           "Timeout": _nanos(check.timeout), "StartPeriod": _nanos(check.start_period),
                           "Retries": check.retries})


def _port_json(port: PortConfig) -> dict:
    return _without_empty({"Protocol": port.protocol, "TargetPort": port.target,
                           "PublishedPort": port.published, "PublishMode": port.mode})


def _go_number(x: float) -> int | float:
    """Go encodes a whole float without a fraction."""
    return int(x) if float(x).is_integer() else x


@dataclass(frozen=True)
class Allocation:
    """What the swarm's allocator gave services, as inspect shows it: each network's ID by name, and
    each service's VIPs (by service ID) as (network ID, "address/prefix"), and the services it could not
    allocate (no address left for a VIP: the daemon has no Endpoint for them)."""

    network_ids: Mapping[str, str] = field(default_factory=dict)
    vips: Mapping[str, Sequence[tuple[str, str]]] = field(default_factory=dict)
    unallocated: frozenset[str] = frozenset()
    ports: Mapping[str, Sequence[PortConfig]] | None = None  # Endpoint.Ports by service ID (None: the specs')
    object_ids: Mapping[tuple[str, str], str] = field(default_factory=dict)  # ("secret"|"config", name) -> ID
    with_endpoint: frozenset[str] | None = None  # services the daemon made an Endpoint for (None: those with a
    #                                              port or a network, allocated)


def _mount_json(m) -> dict:
    """A mount as moby's convert gives it back from swarmkit: a bind's BindOptions only with a propagation or
    non-recursive set (rprivate by default), a volume's DriverConfig always, empty labels and options gone."""
    out = _without_empty({"Type": m.type, "Source": m.source, "Target": m.target, "ReadOnly": m.read_only})
    if m.bind is not None and (m.bind[0] or m.bind[1]):
        out["BindOptions"] = _without_empty({"Propagation": m.bind[0] or "rprivate", "NonRecursive": m.bind[1]})
    if m.volume is not None:
        nocopy, labels, driver, options = m.volume
        out["VolumeOptions"] = {**_without_empty({"NoCopy": nocopy, "Labels": dict(labels)}),
                                **({} if driver is None else  # a stack's volume without a driver has none
                                   {"DriverConfig": _without_empty({"Name": driver, "Options": dict(options)})})}
    if m.tmpfs is not None:
        out["TmpfsOptions"] = _without_empty({"SizeBytes": m.tmpfs[0], "Mode": m.tmpfs[1]})
    return out


def _task_template_json(spec: ServiceSpec, allocation: Allocation) -> dict:
    """TaskTemplate as a CLI-created service has it once the daemon inserted defaults (networks by ID)."""
    task = spec.task
    restart = task.restart_policy
    placement = task.placement
    return {
        "ContainerSpec": {
            "Image": task.image,  # then the fields in the Go struct's order (api/types/swarm ContainerSpec)
            **_without_empty({"Labels": dict(task.labels), "Command": list(task.command), "Args": list(task.args),
                              "Hostname": task.hostname, "Env": list(task.env), "Dir": task.dir, "User": task.user,
                              "Groups": list(task.groups)}),
            **({"Privileges": {"CredentialSpec": None, "SELinuxContext": None}} if task.from_stack else {}),
            **({} if task.init is None else {"Init": task.init}),  # a pointer: shown even when false
            **_without_empty({"StopSignal": task.stop_signal, "TTY": task.tty, "OpenStdin": task.open_stdin,
                              "ReadOnly": task.read_only, "Mounts": [_mount_json(m) for m in task.mounts]}),
            "StopGracePeriod": _nanos(task.stop_grace_period),
            **({} if task.healthcheck is None else {"Healthcheck": _healthcheck_json(task.healthcheck)}),  # a pointer:
            **_without_empty({"Hosts": list(task.hosts)}),                                         # {} is shown
            "DNSConfig": _without_empty(dict(zip(("Nameservers", "Search", "Options"), map(list, task.dns)))),
            **_without_empty({f"{title}s": [_file_ref_json(r, title, allocation.object_ids) for r in refs]
                              for title, refs in (("Secret", task.secrets), ("Config", task.configs))}),
            "Isolation": task.isolation,
            **_without_empty({"Sysctls": dict(task.sysctls), "CapabilityAdd": list(task.capabilities[0]),
                              "CapabilityDrop": list(task.capabilities[1]),
                              "Ulimits": [{"Name": n, "Hard": hard, "Soft": soft} for n, soft, hard in task.ulimits]}),
        },
        "Resources": _resources_spec_json(task),
        "RestartPolicy": {"Condition": restart.condition.value, "Delay": _nanos(restart.delay),
                          "MaxAttempts": restart.max_attempts,
                          **({} if restart.window is None else {"Window": _nanos(restart.window)})},
        "Placement": _without_empty({
            "Constraints": list(placement.constraints),
            "Preferences": [{"Spread": {"SpreadDescriptor": p}} for p in placement.preferences],
            "MaxReplicas": placement.max_replicas,
            "Platforms": [{"Architecture": arch, "OS": os} for os, arch in placement.platforms],
        }),
        **_without_empty({"Networks": [{"Target": allocation.network_ids.get(n, n),
                                        **_without_empty({"Aliases": list(aliases), "DriverOpts": dict(opts)})}
                                       for n, aliases, opts in task.attachments()]}),
        **({} if task.log_driver is None else {"LogDriver": _without_empty(
            {"Name": task.log_driver[0], "Options": dict(task.log_driver[1])})}),
        "ForceUpdate": task.force_update,
        "Runtime": "container",
    }


def _mode_json(spec: ServiceSpec) -> dict:
    return {ServiceMode.GLOBAL: {"Global": {}}, ServiceMode.GLOBAL_JOB: {"GlobalJob": {}},
            ServiceMode.REPLICATED_JOB: {"ReplicatedJob": {"MaxConcurrent": spec.max_concurrent,
                                                           "TotalCompletions": spec.replicas}},
            }.get(spec.mode, {"Replicated": {"Replicas": spec.replicas}})


def _spec_json(spec: ServiceSpec, allocation: Allocation) -> dict:
    return {
        "Name": spec.name,
        "Labels": dict(sorted(spec.labels.items())),
        "TaskTemplate": _task_template_json(spec, allocation),
        "Mode": _mode_json(spec),
        "UpdateConfig": _update_config_json(spec.update_config),
        "RollbackConfig": _update_config_json(spec.rollback_config),
        "EndpointSpec": _endpoint_spec_json(spec),
    }


def _endpoint_spec_json(spec: ServiceSpec) -> dict:
    return {"Mode": spec.endpoint.mode, **_without_empty({"Ports": [_port_json(p) for p in spec.endpoint.ports]})}


def _endpoint_json(service: Service, allocation: Allocation) -> dict:
    """The allocated Endpoint: with no port and no network there is nothing to allocate and the daemon
    shows an empty spec; otherwise the spec, the ports and a VIP on each network (seen on 20.10). An
    Endpoint once made stays, with the spec's mode, when the last port or network is removed (seen)."""
    spec = service.spec
    if allocation.with_endpoint is not None:
        made = service.id in allocation.with_endpoint
    else:
        made = (spec.endpoint.ports or spec.task.networks) and service.id not in allocation.unallocated
    if not made:
        return {"Spec": {}}
    return {"Spec": _endpoint_spec_json(spec), **_without_empty({
        "Ports": [_port_json(p) for p in _held(service, allocation.ports)],
        "VirtualIPs": [{"NetworkID": net, "Addr": addr} for net, addr in allocation.vips.get(service.id, ())]})}


def service_document(service: Service, allocation: Allocation) -> dict:
    """A service as the API returns it with InsertDefaults (what `service inspect` and `docker inspect` show)."""
    status = service.update_status
    return {
        "ID": service.id,
        "Version": _without_empty({"Index": service.version}),
        "CreatedAt": _rfc3339(service.created_at),
        "UpdatedAt": _rfc3339(service.updated_at),
        "Spec": _spec_json(service.spec, allocation),
        **_without_empty({
            "PreviousSpec": service.previous_spec and _spec_json(service.previous_spec, allocation),
            "Endpoint": _endpoint_json(service, allocation),
            "UpdateStatus": status and _without_empty({
                "State": status.state.value,
                "StartedAt": None if status.started_at is None else _rfc3339(status.started_at),
                "CompletedAt": None if status.completed_at is None else _rfc3339(status.completed_at),
                "Message": status.message,
            }),
            "JobStatus": service.last_execution is not None and {
                "JobIteration": _without_empty({"Index": service.job_iteration}),
                "LastExecution": _rfc3339(service.last_execution)},
        }),
    }


_GO_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                  "\u2028": "\\u2028", "\u2029": "\\u2029"})


def service_inspect_format(services: Sequence[Service], fmt: str, allocation: Allocation = Allocation()) -> str:
    """`docker service inspect -f TEMPLATE`: the template over each service's JSON document."""
    return _inspect_format(fmt, json.loads(service_inspect_json(services, allocation)), "service")


def _json(docs: list[dict]) -> str:
    """An inspect's JSON: json.MarshalIndent(list, "", "    ") with Go's escapes, and a newline."""
    if not docs:
        return "[]\n"
    return json.dumps(docs, indent=4, ensure_ascii=False).translate(_GO_JSON_ESCAPES) + "\n"


def service_inspect_json(services: Sequence[Service], allocation: Allocation = Allocation()) -> str:
    """`docker service inspect SERVICE...`."""
    return _json([service_document(s, allocation) for s in services])


# --- docker node ls / node inspect --------------------------------------------------------------

#: What a stock dockerd 20.10 on Linux reports as its plugins (Description.Engine.Plugins), by type.
ENGINE_PLUGINS = (
    ("Log", ("awslogs", "fluentd", "gcplogs", "gelf", "journald", "json-file", "local", "logentries", "splunk",
             "syslog")),
    ("Network", ("bridge", "host", "ipvlan", "macvlan", "null", "overlay")),
    ("Volume", ("local",)),
)
ENGINE_VERSION = "20.10.24"


def _reachability(node: Node) -> str:
    """Raft reachability as the leader sees it; a manager whose node is down is unreachable."""
    return "unreachable" if node.status is NodeStatus.DOWN or not node.reachable else "reachable"


def _manager_status(node: Node) -> str:
    if node.role is not Role.MANAGER:
        return ""
    return "Leader" if node.leader else _pretty(_reachability(node))


def _node_filter(filters: Iterable[tuple[str, str]]) -> Callable[[Node], bool]:
    """moby newListNodesFilters and swarmkit's ListNodes: name= and id= prefixes (of the hostname, the ID),
    role= and membership= of one of the values, label= (engine labels) and node.label= each KEY or
    KEY=VALUE, all of them. On 20.10 a joined node matches membership=pending and not =accepted (seen)."""
    wanted: dict[str, list[str]] = {}
    for key, value in filters:
        if key not in ("name", "id", "label", "role", "membership", "node.label"):
            raise DaemonError(f"Invalid filter '{key}'")
        if key == "role" and value and value.lower() not in ("worker", "manager"):
            raise DaemonError(f"Invalid role filter: '{value}'")
        if key == "membership" and value and value.lower() not in ("accepted", "pending"):
            raise DaemonError(f"Invalid membership filter: '{value}'")
        wanted.setdefault(key, []).append(value)

    def labels(have: Mapping[str, str], wants: list[str]) -> bool:
        return all(_has_label(have, w) for w in wants)
    tests = {"name": lambda n, vs: any(n.hostname.startswith(v) for v in vs),
             "id": lambda n, vs: any(n.id.startswith(v) for v in vs),
             "role": lambda n, vs: n.role.value in {v.lower() for v in vs if v} or not any(vs),
             "membership": lambda n, vs: "pending" in {v.lower() for v in vs} or not any(vs),
             "label": lambda n, vs: labels(n.engine_labels, vs), "node.label": lambda n, vs: labels(n.labels, vs)}
    return lambda node: all(tests[k](node, vs) for k, vs in wanted.items())


_NODE_COLUMNS = {"ID": "ID", "Self": "SELF", "Hostname": "HOSTNAME", "Status": "STATUS",
                 "Availability": "AVAILABILITY", "ManagerStatus": "MANAGER STATUS", "EngineVersion": "ENGINE VERSION",
                 "TLSStatus": "TLS STATUS"}


def node_ls(nodes: Iterable[Node], current: str, *, quiet: bool = False, filters: Iterable[tuple[str, str]] = (),
            format: str | None = None, engine_version: str = ENGINE_VERSION) -> str:
    """`docker node ls` run on the node named `current` (marked with " *"), nodes by hostname."""
    keep = _node_filter(filters)
    ordered = sorted((n for n in nodes if keep(n)), key=lambda n: _natural_key(n.hostname))
    if quiet:
        return _lines(n.id for n in ordered)
    if format:
        items = [{"ID": n.id, "Self": n.name == current, "Hostname": n.hostname, "Status": _pretty(n.status.value),
                  "Availability": _pretty(n.availability.value), "ManagerStatus": _manager_status(n),
                  "EngineVersion": engine_version, "TLSStatus": "Ready"} for n in ordered]
        return _formatted(format, items, _NODE_COLUMNS, "*node.nodeContext")
    return _table([["ID  ", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS", "ENGINE VERSION"]] + [
        [f"{n.id} {'*' if n.name == current else ' '}", n.hostname, _pretty(n.status.value),
         _pretty(n.availability.value), _manager_status(n), engine_version]
        for n in ordered
    ])


def _dash_labels(labels: Mapping[str, str]) -> str:
    return "".join(f"\n - {k}={v}" if v else f"\n - {k}" for k, v in sorted(labels.items()))


def node_inspect_pretty(node: Node, *, engine_version: str = ENGINE_VERSION) -> str:
    """`docker node inspect --pretty` for one node (nodeInspectPrettyTemplate).

    The swarm's CA is not modelled, so the TLS Info section is left out.
    """
    labels = _dash_labels(node.labels)
    engine_labels = _dash_labels(node.engine_labels)
    message = f"\n Message:              \t{_pretty(node.status_msg)}" if node.status_msg else ""
    address = f"\n Address:\t\t{node.addr}" if node.addr else ""
    manager = ""
    if node.role is Role.MANAGER:
        manager = (f"\nManager Status:\n Address:\t\t{node.addr}:{MANAGER_PORT}"
                   f"\n Raft Status:\t\t{_pretty(_reachability(node))}\n Leader:\t\t{'Yes' if node.leader else 'No'}")
    memory = format_bytes(node.memory_bytes) if node.memory_bytes else ""
    plugins = "".join(f"\n {kind}:\t\t{', '.join(names)}" for kind, names in ENGINE_PLUGINS)
    return "".join((
        f"ID:\t\t\t{node.id}",
        f"\nLabels:{labels}" if labels else "",
        f"\nHostname:              \t{node.hostname}\nJoined at:             \t{_pretty(_go_time(node.created_at))}",
        f"\nStatus:\n State:\t\t\t{_pretty(node.status.value)}{message}",
        f"\n Availability:         \t{_pretty(node.availability.value)}{address}{manager}",
        f"\nPlatform:\n Operating System:\t{node.os}\n Architecture:\t\t{node.arch}",
        f"\nResources:\n CPUs:\t\t\t{node.nano_cpus // NANO}\n Memory:\t\t{memory}",
        f"\nPlugins:{plugins}",
        f"\nEngine Version:\t\t{engine_version}",
        f"\nEngine Labels:{engine_labels}" if engine_labels else "",
        "\n",
    ))


def _node_generic_json(node: Node) -> list[dict]:
    return [{"NamedResourceSpec": {"Kind": kind, "Value": item}} for kind, v in node.generic_resources.items()
            if isinstance(v, tuple) for item in v] + [
        {"DiscreteResourceSpec": {"Kind": kind, "Value": v}} for kind, v in node.generic_resources.items()
        if not isinstance(v, tuple)]


def node_document(node: Node, engine_version: str = ENGINE_VERSION) -> dict:
    """The API's Node (swarm.Node) as docker node inspect prints it; its raft Version and UpdatedAt are not
    modelled (1 and its CreatedAt)."""
    resources = {"NanoCPUs": node.nano_cpus, "MemoryBytes": node.memory_bytes,
                 **_without_empty({"GenericResources": _node_generic_json(node)})}
    engine = {"EngineVersion": engine_version, **_without_empty({"Labels": dict(sorted(node.engine_labels.items()))}),
              "Plugins": [{"Type": kind, "Name": name} for kind, names in ENGINE_PLUGINS for name in names]}
    doc = {
        "ID": node.id, "Version": {"Index": 1},
        "CreatedAt": _rfc3339(node.created_at), "UpdatedAt": _rfc3339(node.created_at),
        "Spec": {"Labels": dict(sorted(node.labels.items())), "Role": node.role.value,
                 "Availability": node.availability.value},
        "Description": {"Hostname": node.hostname, "Platform": {"Architecture": node.arch, "OS": node.os},
                        "Resources": resources, "Engine": engine},
        "Status": {"State": node.status.value, **_without_empty({"Message": node.status_msg, "Addr": node.addr})},
    }
    if node.role is Role.MANAGER:
        doc["ManagerStatus"] = {**({"Leader": True} if node.leader else {}), "Reachability": _reachability(node),
                                "Addr": f"{node.addr}:{MANAGER_PORT}"}
    return doc


def node_inspect_json(nodes: Sequence[Node], *, engine_version: str = ENGINE_VERSION) -> str:
    """`docker node inspect NODE...` without --pretty: the nodes as JSON (the CA's TLSInfo left out)."""
    return _json([node_document(n, engine_version) for n in nodes])


def node_inspect_format(nodes: Sequence[Node], fmt: str) -> str:
    """`docker node inspect -f TEMPLATE`: the template over each node as swarm.Node holds it."""
    return _inspect_format(fmt, [node_document(n, ENGINE_VERSION) for n in nodes], "node")


# --- docker network ls, service logs, swarm join-token ------------------------------------------

def network_ls(networks: Iterable[tuple[str, str, str, str]], *, quiet: bool = False,
               format: str | None = None, no_trunc: bool = False) -> str:
    """`docker network ls` over (id, name, driver, scope), built-in networks included by the caller; IDs whole
    with `no_trunc`."""
    ordered = sorted(networks, key=lambda n: _natural_key(n[1]))
    shown = (lambda ident: ident) if no_trunc else _short_id
    if quiet:
        return _lines(shown(n[0]) for n in ordered)
    items = [{"ID": shown(i), "Name": name, "Driver": driver, "Scope": scope} for i, name, driver, scope in ordered]
    return _formatted(format or "table {{.ID}}\\t{{.Name}}\\t{{.Driver}}\\t{{.Scope}}", items,
                      {"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE"},
                      "*network.networkContext")


def service_logs(service: Service, tasks: Iterable[Task], nodes: Mapping[str, Node],
                 lines_by_task: Mapping[str, Sequence[tuple[float, str]]], max_bytes: int = 1 << 20, *,
                 tail: int | None = None, task_ids: bool = True, no_trunc: bool = False, raw: bool = False,
                 resolve: bool = True, timestamps: bool = False, details: bool = False,
                 since: float | None = None) -> str:
    """`docker service logs SERVICE`: each task's (time, line) pairs (its last `tail`, those at or after `since`),
    prefixed as the CLI's taskFormatter does.

    The prefix is service.slot.<task ID>@node (`--no-task-ids` without the ID, `--no-trunc` with all of it,
    `--no-resolve` the service's and the node's IDs for their names, `--raw` none), padded so slots line up to
    the width of the replica count; `timestamps` puts each line's time before it (RFC3339NanoFixed);
    `details` the log attributes left once the CLI took the task's own out (none: a space), and with `raw`
    those attributes themselves (sorted k=v, as the daemon writes them). Tasks are taken in `service ps`
    order, oldest task of a slot first; docker interleaves tasks as their lines arrive. At most `max_bytes`
    (1 MiB) are printed: docker streams all of it, but the output goes into the trace; a last line says how
    many lines were left out.
    """
    width = 1 if service.is_global else len(str(service.spec.replicas))
    out: list[str] = []
    size = left = 0
    for _, task in _ps_order(tasks, nodes, newest_first=False):
        lines = lines_by_task.get(task.id, ())
        if since is not None:
            lines = [entry for entry in lines if entry[0] >= since]
        if tail is not None:
            lines = lines[len(lines) - tail:] if tail else ()
        if left:
            left += len(lines)
            continue
        prefix = "" if raw else _log_prefix(service, task, nodes, width, task_ids, no_trunc, resolve)
        if details:
            node = nodes.get(task.node or "")
            prefix += f"com.docker.swarm.node.id={node.id if node else ''},com.docker.swarm.service.id=" \
                      f"{service.id},com.docker.swarm.task.id={task.id} " if raw else " "
        for i, (t, line) in enumerate(lines):
            entry = (f"{_log_time(t)} " if timestamps else "") + prefix + line + "\n"
            size += len(entry) if entry.isascii() else len(entry.encode())
            if size > max_bytes:
                left = len(lines) - i
                break
            out.append(entry)
    if left:
        out.append(f"swarmsim: {left:,} more log lines left out: one `docker service logs` prints at most "
                   f"{max_bytes:,} bytes here (docs/reference/scenario.md)\n")
    return "".join(out)


def _log_time(t: float) -> str:
    """A log line's time as the daemon writes it (jsonmessage.RFC3339NanoFixed: nine digits, zeros kept)."""
    whole, frac = divmod(_nanos(t), NANO)
    return f"{EPOCH + timedelta(seconds=whole):%Y-%m-%dT%H:%M:%S}.{frac:09d}Z"


def _log_prefix(service: Service, task: Task, nodes: Mapping[str, Node], width: int, task_ids: bool,
                no_trunc: bool, resolve: bool) -> str:
    node = nodes.get(task.node or "")
    name = f"{service.name if resolve else service.id}.{task.slot}"
    if task_ids:
        name += f".{task.id if no_trunc else _short_id(task.id)}"
    where = (task.node or "") if resolve or node is None else node.id
    return f"{name}@{where}{' ' * (width - len(str(task.slot)))}    | "


def join_token(role: str, token: str, manager_addr: str, *, quiet: bool = False) -> str:
    """`docker swarm join-token worker|manager`; manager_addr is the manager's "ip:2377"."""
    if quiet:
        return f"{token}\n"
    return (f"To add a {role} to this swarm, run the following command:\n\n"
            f"    docker swarm join --token {token} {manager_addr}\n\n")


def info_swarm(node: Node | None, nodes: Iterable[Node], cluster_id: str, spec: ClusterSpec) -> str:
    """The Swarm section of `docker info` on `node` (None: not in a swarm), as cli/command/system/info.go
    printSwarmInfo writes it (the raft ticks are swarmkit's, which no command changes)."""
    if node is None:
        return " Swarm: inactive\n"
    nodes = list(nodes)
    managers = [n for n in nodes if n.role is Role.MANAGER]
    out = [" Swarm: active", f"  NodeID: {node.id}", f"  Is Manager: {str(node.role is Role.MANAGER).lower()}"]
    if node.role is Role.MANAGER:
        out += [f"  ClusterID: {cluster_id}", f"  Managers: {len(managers)}", f"  Nodes: {len(nodes)}",
                "  Default Address Pool: " + "".join(p + "  " for p in spec.default_addr_pools),
                f"  SubnetSize: {spec.subnet_size}", f"  Data Path Port: {spec.data_path_port}",
                "  Orchestration:", f"   Task History Retention Limit: {spec.task_history_limit}",
                "  Raft:", f"   Snapshot Interval: {spec.snapshot_interval}",
                f"   Number of Old Snapshots to Retain: {spec.keep_old_snapshots}",
                "   Heartbeat Tick: 1", "   Election Tick: 10",
                "  Dispatcher:", f"   Heartbeat Period: {_human_duration(spec.dispatcher_heartbeat)}",
                "  CA Configuration:", f"   Expiry Duration: {_human_duration(spec.node_cert_expiry)}",
                "   Force Rotate: 0"]
        if spec.external_cas:
            out += ["   External CAs:", *(f"     {protocol}: {url}" for protocol, url in spec.external_cas)]
        out += [f"  Autolock Managers: {str(spec.autolock).lower()}", "  Root Rotation In Progress: false"]
    out += [f"  Node Address: {node.addr}", "  Manager Addresses:"]
    out += [f"   {addr}" for addr in sorted(f"{m.addr}:{MANAGER_PORT}" for m in managers)]
    return "".join(line + "\n" for line in out)


def unlock_command(key: str) -> str:
    """docker/cli printUnlockCommand: nothing without a key."""
    if not key:
        return ""
    return ("To unlock a swarm manager after it restarts, run the `docker swarm unlock`\ncommand and provide the "
            f"following key:\n\n    {key}\n\nPlease remember to store this key in a password manager, since "
            "without it you\nwill not be able to restart the manager.\n")


# --- docker ps ----------------------------------------------------------------------------------------

_PS_FORMAT = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
_PS_COLUMNS = {"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
               "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS", "Size": "SIZE",
               "Names": "NAMES", "Labels": "LABELS", "Mounts": "MOUNTS", "Networks": "NETWORKS",
               "LocalVolumes": "LOCAL VOLUMES", "Label": "LABEL"}


def _container_state(row: dict) -> str:
    return "created" if row["started"] is None else "running" if row["exit_code"] is None else "exited"


def _container_status(row: dict, now: float) -> str:
    """container.State.String(): Up for how long (with its health), Exited (code) how long ago, Created."""
    state = _container_state(row)
    if state == "created":
        return "Created"
    if state == "exited":
        return f"Exited ({row['exit_code']}) {humanize_since(now - row['finished'])}"
    health = {"starting": " (health: starting)", "healthy": " (healthy)", "unhealthy": " (unhealthy)"}
    return f"Up {_human_duration(now - row['started'])}{health.get(row['health'], '')}"


def _ellipsis(text: str, width: int) -> str:
    """stringutils.Ellipsis: at most `width` characters, the last one an ellipsis when cut."""
    return text if len(text) <= width else text[:width - 1] + "…"


def _container_image(image: str, trunc: bool) -> str:
    """ContainerContext.Image: truncated, a digest is dropped (the tag kept)."""
    return image.partition("@")[0] if trunc and "@" in image else image


def _container_ports(row: dict) -> str:
    """The host-mode bindings, IPv4 then IPv6 (dockerd binds both), as DisplayablePorts writes single ports."""
    if row["state"] != "running":
        return ""
    return ", ".join(f"{ip}:{published}->{target}/{protocol}" for ip in ("0.0.0.0", "::")
                     for published, target, protocol in sorted(row["ports"]))


def container_ls(rows: list[dict], now: float, *, all: bool = False, quiet: bool = False, no_trunc: bool = False,
                 filters: Iterable[tuple[str, str]] = (), format: str | None = None, last: int = -1) -> str:
    """`docker ps` (cli/command/container/list.go, formatter/container.go): running containers newest first
    (`-a` every state; `-n N` the N last created, in any state), filtered as the daemon filters them."""
    keep = _container_filter(filters)
    rows = [dict(r, state=_container_state(r)) for r in rows]
    if not all and last <= 0:
        rows = [r for r in rows if r["state"] == "running"]
    rows = [r for r in rows if keep(r)]
    if last > 0:
        rows = rows[:last]
    trunc = not no_trunc
    if quiet:
        return _lines(r["id"][:12] if trunc else r["id"] for r in rows)
    items = [{"ID": r["id"][:12] if trunc else r["id"], "Image": _container_image(r["image"], trunc),
              "Command": quote(_ellipsis(r["command"], 20) if trunc else r["command"]),
              "CreatedAt": _go_time(float(int(r["created"]))),  # time.Unix(Created, 0): whole seconds
              "RunningFor": humanize_since(now - r["created"]), "Ports": _container_ports(r), "State": r["state"],
              "Status": _container_status(r, now), "Size": "0B", "Names": r["name"],
              "Labels": ",".join(f"{k}={v}" for k, v in sorted(r["labels"].items())), "Mounts": "",
              "Networks": ",".join(r["networks"]), "LocalVolumes": "0",
              "Label": _Label(r["labels"])} for r in rows]
    return _formatted(format or _PS_FORMAT, items, _PS_COLUMNS, "*formatter.ContainerContext")


class _Label(dict):
    """`{{.Label "KEY"}}`: a container label's value, empty when it has none."""

    def __missing__(self, key: str) -> str:
        return ""


# daemon/list.go acceptedPsFilterTags: those modelled (the others, e.g. ancestor, since, network, are refused)
_PS_FILTERS = ("id", "name", "label", "status", "exited", "health", "is-task")
_PS_STATUS = ("created", "restarting", "running", "removing", "paused", "exited", "dead")


def _container_filter(filters: Iterable[tuple[str, str]]) -> Callable[[dict], bool]:
    """The daemon's container filters: values of one key are alternatives, keys all have to match; name= is a
    regular expression searched in the name, id= a prefix, label= a key or KEY=VALUE."""
    by_key: dict[str, list[str]] = {}
    for key, value in filters:
        if key not in _PS_FILTERS:
            raise DaemonError(f"Invalid filter '{key}'")
        if key == "status" and value not in _PS_STATUS:
            raise DaemonError(f"Invalid filter 'status={value}'")
        if key == "exited" and not re.fullmatch(r"-?\d+", value):
            raise DaemonError(f'strconv.Atoi: parsing "{value}": invalid syntax')
        by_key.setdefault(key, []).append(value)

    tests = {"id": lambda r, v: r["id"].startswith(v), "name": lambda r, v: re.search(v, r["name"]) is not None,
             "label": lambda r, v: _has_label(r["labels"], v), "status": lambda r, v: r["state"] == v,
             "exited": lambda r, v: r["state"] == "exited" and r["exit_code"] == int(v),
             "health": lambda r, v: (r["health"] or "none") == v,
             "is-task": lambda r, v: v.lower() in ("true", "1")}
    return lambda row: all(any(tests[k](row, v) for v in vs) for k, vs in by_key.items())


# --- docker secret / config ----------------------------------------------------------------------

def object_ls(kind: str, objects: Iterable[tuple[str, "SwarmObject"]], now: float, *, quiet: bool = False,
              format: str | None = None) -> str:
    """`docker secret ls` / `docker config ls`: by name, full IDs, CREATED and UPDATED as "N ago"."""
    ordered = sorted(objects, key=lambda pair: _natural_key(pair[1].name))
    if quiet:
        return _lines(ident for ident, _ in ordered)
    items = [{"ID": ident, "Name": obj.name, "CreatedAt": humanize_since(now - obj.created_at),
              "UpdatedAt": humanize_since(now - obj.updated_at), "Labels": _label_list(obj.labels)}
             | ({"Driver": ""} if kind == "secret" else {}) for ident, obj in ordered]
    default = ("table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}" if kind == "secret" else
               "table {{.ID}}\t{{.Name}}\t{{.CreatedAt}}\t{{.UpdatedAt}}")
    columns = {"ID": "ID", "Name": "NAME", "Driver": "DRIVER", "CreatedAt": "CREATED", "UpdatedAt": "UPDATED",
               "Labels": "LABELS"}
    return _formatted(format or default, items, columns, f"*{kind}.{kind}Context")


def _label_list(labels: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _config_data(kind: str, obj: SwarmObject) -> dict:
    """A config's Data, base64 as Go encodes a []byte; a secret's is never shown."""
    return {"Data": base64.b64encode(obj.data).decode()} if kind == "config" else {}


def object_inspect(kind: str, objects: Sequence[tuple[str, "SwarmObject"]], *, format: str | None = None) -> str:
    """`docker secret inspect` / `docker config inspect`: the API object as JSON (raft index 1)."""
    docs = [object_document(kind, ident, obj) for ident, obj in objects]
    if format:
        return _inspect_format(format, docs, kind)
    return _json(docs)


def object_document(kind: str, ident: str, obj: "SwarmObject") -> dict:
    """A secret or config as the API returns it (raft index 1)."""
    return {"ID": ident, "Version": {"Index": 1}, "CreatedAt": _rfc3339(obj.created_at),
            "UpdatedAt": _rfc3339(obj.updated_at), "Spec": {"Name": obj.name, "Labels": dict(obj.labels),
                                                            **_config_data(kind, obj)}}


def network_document(doc: dict) -> dict:
    """A network's document (sim/netinspect.py) as the API returns it: `Created` as a time."""
    return {**doc, "Created": _rfc3339(doc["Created"])}


def network_inspect(docs: Sequence[dict], missing: Sequence[str] = (), *, format: str | None = None) -> str:
    """`docker network inspect`: each network's document (sim/netinspect.py, `Created` in seconds), then
    docker's words for each name not found (the caller fails the step when there are any)."""
    docs = [network_document(d) for d in docs]
    shown = _inspect_format(format, docs, "network") if format else _json(docs)
    return shown + "".join(f"Error: No such network: {name}\n" for name in missing)


def inspect_objects(objects: Sequence[tuple[str, dict]], *, format: str | None = None) -> str:
    """`docker inspect`: the (kind, document) of every object found, as one JSON list or through `-f`."""
    return template.inspect_objects(format, objects) if format else _json([doc for _, doc in objects])


def _inspect_format(fmt: str, docs: Sequence[dict], kind: str) -> str:
    """`inspect -f`: the template once per object, over it as Docker's Go type holds it (template.inspect)."""
    return template.inspect(fmt, docs, kind)


# --- docker stack ---------------------------------------------------------------------------------

def stack_ls(counts: Mapping[str, int], *, format: str | None = None) -> str:
    """`docker stack ls`: each stack (namespace label) and its number of services, in natural order."""
    items = [{"Name": name, "Services": str(counts[name]), "Orchestrator": "Swarm"}
             for name in sorted(counts, key=_natural_key)]
    return _formatted(format or "table {{.Name}}\\t{{.Services}}\\t{{.Orchestrator}}", items,
                      {"Name": "NAME", "Services": "SERVICES", "Orchestrator": "ORCHESTRATOR"},
                      "*formatter.stackContext")
