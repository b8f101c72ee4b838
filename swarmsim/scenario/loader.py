"""Scenario files: YAML in, a validated `model.scenario.Scenario` out.

A scenario is shared and replayed on real swarms, so a mistake in one must be
caught on load and reported where it stands: every error is one `ScenarioError`
whose text is `FILE:LINE: KEY.PATH: what was wrong (what was expected)`. The YAML
is composed (not loaded) to keep a line for every key and item; duplicate and
unknown keys are errors at every level. Then the steps are checked against the
world they act on, in order: nodes named must exist, services must exist when a
step uses them, networks must be declared before a service attaches to them, and
`at:` times must not go backwards. The schema is docs/reference/scenario.md.
"""
from __future__ import annotations

import dataclasses
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Callable

import yaml

from ..dockercli import commands as c, genericresource, validate
from . import yamlv2
from .yamlmerge import MergeError, applied_pairs, merged_pairs
from .compose import Field, FieldError, format_path, networks, platform, services, stack, workload
from .interpolate import interpolate
from ..dockercli.envfile import EnvFileError, parse_env_file
from ..dockercli.parse import CommandError, parse_command_line, with_env_files
from ..inputs import InputError, one_line, printable, read_bytes, read_text
from ..model import Availability, Role, ServiceMode, ServiceSpec, Workload, cluster
from ..model.errors import invalid_spec
from ..model.jointoken import JoinTokens
from ..model.limits import Limits, text_size, too_many_preferences
from ..model.scenario import (At, Fail, Heal, NetworkDecl, NodeDecl, Partition, Run, Scenario, Step, Timing,
                             TrafficClient, WaitConverged, WaitFor, step_problem)
from ..model.service import ref_names

BUILTIN_NETWORKS = ("bridge", "host", "none", "ingress")
TOP_KEYS = ("version", "name", "seed", "limits", "cluster", "env", "networks", "services", "images", "stack",
            "timing", "traffic", "think", "steps")
NODE_KEYS = ("name", "role", "availability", "cpus", "memory", "labels", "engine_labels", "joined", "platform",
             "generic_resources", "swarm_age")
SHORTHAND_KEYS = ("managers", "workers", "cpus", "memory")
MAX_NODES = Limits.nodes
MAX_VALUES = 500_000  # scalars, lists and mappings after aliases are expanded (a billion laughs stops here)
MAX_DEPTH = 64          # nesting of lists and mappings; real files stay under ten
TRAFFIC_KEYS = ("port", "rate", "via", "timeout", "start", "stop", "from", "target", "duration", "keepalive",
                "retries", "refresh")
MAX_RETRIES = 100
ACTIONS = ("run", "wait", "at", "fail", "partition", "heal")
MODIFIERS = {"run": ("on", "think"), "wait": ("timeout",)}


class ScenarioError(ValueError):
    """Bad scenario input; str() is one line: `FILE:LINE: KEY.PATH: message`."""

    def __init__(self, source: str, line: int | None, path: str, message: str):
        self.source, self.line, self.path = source, line, path
        self.message = one_line(message)
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {path}: {self.message}" if path else f"{where}: {self.message}")


# -- YAML with lines -----------------------------------------------------------------------------------------------

_SCALARS = yaml.SafeLoader("")


def _scalar(node: yaml.ScalarNode) -> object:
    value = _SCALARS.construct_object(node, deep=True)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and ":" in node.value:
        return node.value  # YAML 1.1 reads 8080:22 as base 60; compose means a port mapping
    return value


@dataclass
class Document:
    """One YAML file as plain data, with the line of every key and list item."""

    source: str
    root: Field
    lines: dict[tuple, int]
    values: int = 0
    #: as docker reads a compose file: a repeated key's last value wins, and each key that YAML
    #: reads as other than text (`123:`, `y:`) is kept here, by path, with the value it reads as
    compose: bool = False
    typed_keys: dict[tuple, object] = field(default_factory=dict)
    #: scalars and merge keys as docker's YAML library reads them (scenario/yamlv2.py), not as PyYAML does
    yaml_v2: bool = False
    text: str = ""  # the source, where a node's properties (a `!` tag) are read back

    @classmethod
    def parse(cls, text: str, source: str, compose: bool = False, yaml_v2: bool | None = None) -> Document:
        """`text` composed; a `compose` file is read as docker reads one, and so, `yaml_v2`, are its scalars
        (by default for a compose file only)."""
        yaml_v2 = compose if yaml_v2 is None else yaml_v2
        text = text.removeprefix("\ufeff")  # so that every parser's marks index the text alike
        try:
            node = _first_node(text) if yaml_v2 else yaml.compose(text, Loader=_Loader)
        except yaml.YAMLError as err:
            raise ScenarioError(source, _yaml_line(err, text), "", f"invalid YAML: {_yaml_problem(err)}") from None
        except RecursionError:
            raise ScenarioError(source, None, "", f"invalid YAML: nested too deeply (expected at most {MAX_DEPTH} "
                                                  "levels)") from None
        doc = cls(source, Field(None), {(): 1 if node is None else node.start_mark.line + 1}, compose=compose,
                  yaml_v2=yaml_v2, text=text)
        if node is not None:
            doc.root = Field(doc._plain(node, (), set()), ())
        return doc

    def _plain(self, node: yaml.Node, path: tuple, visiting: set[int]) -> object:
        self.lines.setdefault(path, node.start_mark.line + 1)  # a key's own line was set by its mapping
        if id(node) in visiting:
            raise self.error(path, "an alias refers to its own parent (expected plain data)")
        self.values += 1
        if self.values > MAX_VALUES:
            raise self._at(node, path, f"the file expands to more than {MAX_VALUES:,} values (aliases repeat "
                                       "what their anchor holds; expected a file of scenario size)")
        if len(path) > MAX_DEPTH:
            raise self._at(node, path, f"nested more than {MAX_DEPTH} levels deep (expected plain scenario data)")
        if isinstance(node, yaml.ScalarNode):
            if "\x00" in node.value:
                raise self._at(node, path, "a NUL character in a value (expected text)")
            return self._scalar(node, path)
        visiting = visiting | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            return [self._plain(item, path + (i,), visiting) for i, item in enumerate(node.value)]
        try:
            return self._mapping(node, path, visiting)
        except MergeError as err:
            raise self._at(err.node, path, str(err)) from None

    def _mapping(self, node: yaml.MappingNode, path: tuple, visiting: set[int]) -> dict[str, object]:
        out: dict[str, object] = {}
        for key_node, value_node in applied_pairs(node) if self.yaml_v2 else merged_pairs(node):
            if not isinstance(key_node, yaml.ScalarNode) or (key_node.value == "<<" and not self.yaml_v2):
                raise self._at(key_node, path, "expected a plain key such as name:")
            key = key_node.value
            if self.compose and not isinstance(typed := self._scalar(key_node, path + (key,)), str):
                self.typed_keys[path + (key,)] = typed
            if key in out and not self.compose:
                raise self._at(key_node, path + (key,), f"duplicate key '{key}' (each key may appear once)")
            if key in out:  # the earlier value's lines go with it
                self._forget_lines(path + (key,), out[key])
            self.lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = self._plain(value_node, path + (key,), visiting)
        return out

    def _forget_lines(self, path: tuple, value: object) -> None:
        """Drop the lines of `value`, read at `path`: each value is dropped at most once, so a file of
        repeated keys costs what it holds."""
        self.lines.pop(path, None)
        if isinstance(value, dict):
            for key, item in value.items():
                self._forget_lines(path + (key,), item)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self._forget_lines(path + (i,), item)

    def _scalar(self, node: yaml.ScalarNode, path: tuple) -> object:
        if self.yaml_v2:
            if node.tag == yamlv2.PLAIN and yamlv2.non_specific(self.text, node.start_mark.index):
                return node.value  # `! 12`: PyYAML resolves it as untagged, yaml.v2 keeps the text
            try:
                return yamlv2.value(node.tag, node.value)
            except yamlv2.DecodeError as err:
                raise self.error(path, f"yaml: {err}") from None
        try:
            return _scalar(node)
        except (yaml.YAMLError, ValueError, OverflowError) as err:  # PyYAML's words for `!!int abc`
            raise self.error(path, f"invalid value {node.value!r} for tag {node.tag}: "
                                   f"{_yaml_problem(err)}") from None
        except (TypeError, AttributeError, KeyError):  # PyYAML's constructor failing on `!!bool 1`, `!!timestamp 1`
            kind = node.tag.rpartition(":")[2]
            raise self.error(path, f"invalid value {node.value!r} for tag {node.tag} (expected a {kind})") from None

    def _at(self, node: yaml.Node, path: tuple, message: str) -> ScenarioError:
        return ScenarioError(self.source, node.start_mark.line + 1, format_path(path), message)

    def line(self, path: tuple) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path not in self.lines:
            path = path[:-1]
        return self.lines[path]

    def error(self, path: tuple, message: str) -> ScenarioError:
        return ScenarioError(self.source, self.line(path), format_path(path), message)

    def override(self, dotted: str, value: object) -> None:
        """Set the key at a dotted path (a sweep factor) in place: the file's lines stay the user's."""
        keys = dotted.split(".")
        if not isinstance(self.root.value, dict):
            raise self.error((), "empty scenario (expected a mapping with version: 1, cluster: and steps:)")
        node, path = self.root.value, ()
        for key in keys[:-1]:
            path += (key,)
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise self.error(path, f"cannot set {dotted}: {format_path(path)} is not a mapping")
        node[keys[-1]] = value

    def read(self, reader: Callable[[], object]) -> object:
        """`reader()`, with its FieldErrors turned into this file's ScenarioErrors."""
        try:
            return reader()
        except FieldError as err:
            raise self.error(err.path, err.message) from None


# libyaml's composer where PyYAML has it: the same nodes and marks, an order of magnitude faster on a
# large file; the pure-Python one otherwise.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _first_node(text: str) -> yaml.Node | None:
    """The first document of `text`, as yaml.v2 reads a stack file: what follows it is never parsed (docker 20.10
    deploys a file whose second document is not even YAML)."""
    loader = yamlv2.Loader(text)
    try:
        return loader.get_node() if loader.check_node() else None
    finally:
        loader.dispose()


def _yaml_problem(err: yaml.YAMLError) -> str:
    return " ".join(str(getattr(err, "problem", None) or err).split())


def _yaml_line(err: yaml.YAMLError, text: str) -> int:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    if mark is not None:
        return mark.line + 1
    return text.count("\n", 0, getattr(err, "position", 0)) + 1


# -- the world the steps act on ------------------------------------------------------------------------------------

def _names(names) -> str:
    return ", ".join(names) or "none"


@dataclass
class _World:
    """What exists at each step, to check the names a step uses."""

    nodes: dict[str, NodeDecl]
    services: dict[str, ServiceMode]
    networks: set[str]
    joined: set[str] = field(init=False)
    last_at: float = 0.0
    env: dict[str, str] = field(default_factory=dict)     # `env:`, for ${VAR} in stack files
    base: FilePath = FilePath(".")                         # the scenario's folder: stack files are relative to it
    stacks: dict[str, set[str]] = field(default_factory=dict)  # deployed stacks and their services
    limits: Limits = field(default_factory=lambda: Limits())
    tasks: dict[str, int] = field(default_factory=dict)  # the tasks each service in `services` asks for
    asked: int = 0                                        # their sum, kept as they change (a sum per service
                                                          # was quadratic: 20,000 stack services took 28 s)
    text: int = 0                                         # characters in the specs added so far (limits.text)
    stack_reads: dict[tuple, object] = field(default_factory=dict)  # (files, namespace) -> the Stack they make:
                                                          # a file redeployed 200 times is read once per load
    judged: dict[tuple, tuple] = field(default_factory=dict)  # (id(spec), deployed) -> (spec, its text size)
    seed: int = 0
    addresses: dict[str, str] = field(init=False)           # the managers' addresses, as sim.swarm gives them
    joins: int = field(init=False)
    tokens: JoinTokens = field(init=False)  # as sim/swarm.py has them at this step (rotations included)
    rotations: int = field(init=False)

    def __post_init__(self) -> None:
        self.joined = {name for name, node in self.nodes.items() if node.joined}
        self.addresses, self.joins = {}, 0
        self.tokens, self.rotations = JoinTokens.for_seed(self.seed), 0
        for name, node in self.nodes.items():
            if node.joined:
                self.joined_as(name, node.role is Role.MANAGER)

    def joined_as(self, name: str, manager: bool, addr: str | None = None) -> None:
        """`name` is in the swarm now; a manager's address is one a join may name."""
        self.joined.add(name)
        if manager:
            self.addresses[name] = addr or f"10.0.0.{self.joins + 2}"
        self.joins += 1

    def node(self, f: Field, said: str | None = None) -> str:
        """A declared node; `said`: what docker prints when a command names one that is not there."""
        name = f.name()
        if name not in self.nodes:
            raise f.fail(f"{said or f'unknown node {name!r}'} (expected one of: {_names(self.nodes)})")
        return name

    def service(self, f: Field, name: str, said: str = "no such service: {}") -> ServiceMode:
        """A service at this step; `said`: docker's words for a missing one, which differ by command."""
        if name not in self.services:
            raise f.fail(f"{said.format(name)} (expected one of the services at this step: "
                         f"{_names(self.services)})")
        return self.services[name]

    def add_service(self, path: tuple, spec: ServiceSpec, deployed: bool = False) -> None:
        """A service that exists from this step on, checked as the daemon checks a new spec. A stack's
        (`deployed`) spec is judged when the deploy runs, as docker does, after the networks before it: its
        networks, a missing image, the values the daemon refuses (sim/swarm.py says so in docker's words)."""
        f = Field(spec.name, path)
        known = self.judged.get((id(spec), deployed))
        if known is None or known[0] is not spec:  # a spec judged before (a stack redeployed) passed these
            image = validate.image_reference(spec.task.image) if spec.task.image or not deployed else None
            for problem in (validate.swarm_name(spec.name), image, None if deployed else invalid_spec(spec),
                            too_many_preferences(spec)):
                if problem:
                    raise f.fail(f"service {spec.name!r} ({spec.task.image!r}): {problem}")
            known = self.judged[(id(spec), deployed)] = (spec, text_size(spec))
        if not deployed:
            self.check_service_spec(path, spec)
        self.text += known[1]
        if self.text > self.limits.text:
            raise f.fail(f"the services' specs hold {self.text:,} characters of text by this step, over the limit of "
                         f"{self.limits.text:,} (expected smaller env files and labels, or raise it with limits.text)")
        self.services[spec.name] = spec.mode
        replicated = spec.mode in (ServiceMode.REPLICATED, ServiceMode.REPLICATED_JOB)  # a job's completions stay
        self.set_tasks(f, spec.name, spec.replicas if replicated else len(self.nodes))

    def remove_service(self, name: str) -> None:
        self.services.pop(name, None)
        self.asked -= self.tasks.pop(name, 0)

    def set_tasks(self, f: Field, name: str, count: int) -> None:
        """`count` tasks for service `name`; all services together stay within `limits.tasks`."""
        total = self.asked = self.asked + count - self.tasks.get(name, 0)
        self.tasks[name] = count
        if total > self.limits.tasks:
            raise f.fail(f"{total:,} tasks asked for, over the limit of {self.limits.tasks:,} (expected fewer "
                         f"replicas, or raise it with limits: {{tasks: N}})")

    def add_network(self, f: Field, name: str, subnet: str | None = None) -> None:
        """A network created at this step (declared, or `docker network create`), checked as the daemon does."""
        problem = validate.swarm_name(name) or (validate.subnet(subnet) if subnet else None)
        if problem:
            raise f.fail(f"network {name!r}: {problem}")
        if name in self.networks or name in BUILTIN_NETWORKS:
            raise f.fail(f"network with name {name} already exists")
        self.networks.add(name)

    def network(self, f: Field, name: str, said: str = "network {} not found") -> None:
        if name not in self.networks and name not in BUILTIN_NETWORKS:
            raise f.fail(f"{said.format(name)} (declare it under networks: or create it with an earlier "
                         f"`docker network create`; declared: {_names(sorted(self.networks))})")

    def check_present(self, path: tuple, w: Workload | None) -> None:
        """The nodes an image is `present` on must exist."""
        for i, name in enumerate((w.present if w else None) or ()):
            self.node(Field(name, path + ("present", i)))

    def check_service_spec(self, path: tuple, spec: ServiceSpec) -> None:
        for net in spec.task.networks:
            self.network(Field(net, path + ("networks",)), net)
        self.check_present(path + ("x-workload",), spec.task.workload)


_NO_SUCH_SERVICE = "Error: No such service: {0}"  # the docker client's words for the daemon's 404


def _check_service_command(world: _World, f: Field, cmd: c.Command) -> None:
    """Services a command names must exist at this step; create and rm change which do."""
    if isinstance(cmd, c.ServiceCreate):
        if cmd.spec.name in world.services:
            raise f.fail("Error response from daemon: rpc error: code = AlreadyExists desc = name conflicts with an "
                         f"existing object: service {cmd.spec.name} already exists (expected a new name, or docker "
                         "service update)")
        world.add_service(f.path, cmd.spec)
    elif isinstance(cmd, c.ServiceUpdate):
        mode = world.service(f, cmd.service, _NO_SUCH_SERVICE)
        for flag, value in cmd.changes:
            if flag in ("network-add", "network-rm"):  # update.go looks each up (NetworkInspect)
                world.network(f, value if isinstance(value, str) else value.name)
            if flag == "image" and (problem := validate.image_reference(value)):
                raise f.fail(f"image {value!r}: {problem}")
            if flag == "replicas" and mode is not ServiceMode.REPLICATED:
                raise f.fail(f"{cmd.service}: replicas can only be used with replicated mode")
            if flag == "replicas":
                world.set_tasks(f, cmd.service, value)
    elif isinstance(cmd, c.ServiceScale):
        for name, count in cmd.scales:
            # scale.go: a replicated service's Replicas, a replicated job's TotalCompletions; nothing else
            if world.service(f, name, "{0}: " + _NO_SUCH_SERVICE) not in (ServiceMode.REPLICATED,
                                                                            ServiceMode.REPLICATED_JOB):
                raise f.fail(f"{name}: scale can only be used with replicated or replicated-job mode")
            world.set_tasks(f, name, count)
    elif isinstance(cmd, c.ServiceRemove):
        for name in cmd.services:
            world.service(f, name, _NO_SUCH_SERVICE)
            world.remove_service(name)
    elif isinstance(cmd, c.ServicePs):
        for name in cmd.services:
            world.service(f, name)
    elif isinstance(cmd, c.ServiceInspect):  # the JSON form prints [] and "Status: Error: no such ..., Code: 1"
        for name in cmd.services:
            world.service(f, name, "Error: no such service: {}")
    elif isinstance(cmd, c.ServiceRollback):
        world.service(f, cmd.service, _NO_SUCH_SERVICE)
    elif isinstance(cmd, c.ServiceLogs):
        world.service(f, cmd.service, "no such task or service: {}")


def _check_cluster_command(world: _World, f: Field, cmd: c.Command, on: str) -> None:
    """Nodes and networks a command names must exist; joins need a node declared with joined: false."""
    if isinstance(cmd, (c.NodeInspect, c.NodePromote, c.NodeDemote, c.NodeRm, c.NodePs)):
        for name in cmd.nodes:
            if name != "self":
                world.node(Field(name, f.path), f"Error: No such node: {name}")
    elif isinstance(cmd, c.NodeUpdate):
        world.node(Field(cmd.node, f.path), f"Error: No such node: {cmd.node}")
    elif isinstance(cmd, c.NetworkCreate):
        world.add_network(f, cmd.name, cmd.subnet)
    elif isinstance(cmd, c.NetworkRm):
        for name in cmd.networks:
            world.network(f, name)
            world.networks.discard(name)
    elif isinstance(cmd, c.NetworkInspect):  # the JSON form prints [] before the error
        for name in cmd.networks:
            if name != "docker_gwbridge":  # a swarm node's own, which no service may name
                world.network(f, name, "Error: No such network: {}")
    elif isinstance(cmd, c.SwarmJoin):
        _check_join(world, f, cmd, on)
    elif isinstance(cmd, c.SwarmJoinToken) and cmd.rotate:
        world.rotations += 1
        world.tokens = world.tokens.rotated(world.seed, cmd.role, world.rotations)
    elif isinstance(cmd, c.SwarmInit) and not cmd.force_new_cluster:
        _check_init(world, f, cmd, on)
    elif isinstance(cmd, c.SwarmLeave):
        world.joined.discard(on)
        world.addresses.pop(on, None)


def _check_init(world: _World, f: Field, cmd: c.SwarmInit, on: str) -> None:
    """One swarm a scenario: `docker swarm init` starts it, on a node of a cluster that starts empty. One the
    daemon refuses (the node already in the swarm, address pools or a data path port it will not take) fails
    when the step runs, with docker's error, and starts nothing."""
    if on in world.joined or _refused_init(cmd):
        return
    if world.joined:
        raise f.fail(f"a swarm already exists at this step ({_names(sorted(world.joined))} in it; expected "
                     f"docker swarm join to add {on}, or a cluster whose nodes are all joined: false)")
    addr = cmd.advertise_addr
    world.joined_as(on, True, (addr.rpartition(":")[0] or addr) if addr else None)


def _refused_init(cmd: c.SwarmInit) -> bool:
    try:
        cluster.check_init(cmd.default_addr_pools, cmd.subnet_size, cmd.data_path_port)
    except cluster.ClusterError:
        return True
    return False


def _check_join(world: _World, f: Field, cmd: c.SwarmJoin, on: str) -> None:
    if on in world.joined:
        raise f.fail(f"{on} is already part of a swarm (expected on: a node declared with joined: false)")
    if not world.joins:
        raise f.fail("no swarm to join at this step (expected an earlier docker swarm init, or a manager "
                     "declared joined)")
    host = cmd.remote.rpartition(":")[0] or cmd.remote
    if host not in world.nodes and host not in world.addresses.values():
        example = next(iter(world.addresses.values()), "10.0.0.2")
        raise f.fail(f"no manager at {cmd.remote} (expected the address `docker swarm init` or `docker swarm "
                     f"join-token` printed, e.g. {example}:2377, or a declared node's NAME:2377)")
    role = world.tokens.role(cmd.token, any(node.joined for node in world.nodes.values()))
    if role in ("worker", "manager"):  # a wrong token fails when the step runs, with docker's error
        world.joined_as(on, role == "manager")


# -- sections ------------------------------------------------------------------------------------------------------

def _hostname(f: Field) -> str:
    name = f.name()
    problem = validate.hostname(name)
    if problem:
        raise f.fail(f"node name {name!r}: {problem}")
    return name


def _node(f: Field) -> NodeDecl:
    f.mapping(NODE_KEYS)
    base = NodeDecl(name="")
    node = NodeDecl(name=f.require("name", _hostname, "a node name such as node1"),
                    role=f.get("role", lambda x: x.choice(Role), base.role),
                    availability=f.get("availability", lambda x: x.choice(Availability), base.availability),
                    nano_cpus=f.get("cpus", Field.cpus, base.nano_cpus),
                    memory_bytes=f.get("memory", Field.memory, base.memory_bytes),
                    labels=f.get("labels", Field.string_map, {}),
                    engine_labels=f.get("engine_labels", Field.string_map, {}),
                    joined=f.get("joined", Field.flag, base.joined),
                    **dict(zip(("os", "arch"), f.get("platform", platform, (base.os, base.arch)))),
                    generic_resources=f.get("generic_resources", _node_generic, {}),
                    swarm_age=f.get("swarm_age", Field.duration, None))
    if node.swarm_age is not None and not node.joined:
        raise f.fail(f"node {node.name}: swarm_age is how long before the first step a joined node joined "
                     "(expected no swarm_age with joined: false: the node joins at its swarm join step)")
    return node


def _node_generic(f: Field) -> dict:
    """dockerd's `--node-generic-resource` values (daemon.json `node-generic-resources`): KIND=VALUE each."""
    return f.convert(lambda value: genericresource.parse([item.text() for item in f.items()]))


def _seed(f: Field) -> int:
    """Any integer Python can still write out: the random streams and the swarm's IDs are derived from its text."""
    value = f.integer(minimum=None)
    if abs(value) >= 10 ** 4299:
        raise f.fail(f"expected an integer of at most 4,299 digits, got one of {int(math.log10(abs(value))) + 1:,}")
    return value


def _limits(f: Field) -> Limits:
    f.mapping(("tasks", "nodes", "steps", "time", "events", "text"))
    return Limits(tasks=f.get("tasks", lambda x: x.integer(minimum=1, maximum=validate.UINT64_MAX), Limits.tasks),
                  nodes=f.get("nodes", lambda x: x.integer(minimum=1, maximum=10 * MAX_NODES), Limits.nodes),
                  steps=f.get("steps", lambda x: x.integer(minimum=1), Limits.steps),
                  time=f.get("time", Field.duration, Limits.time),
                  events=f.get("events", lambda x: x.integer(minimum=1), Limits.events),
                  text=f.get("text", lambda x: x.integer(minimum=1), Limits.text))


def _steps(world: _World, doc: Document) -> Callable[[Field], tuple[Step, ...]]:
    def read(f: Field) -> tuple[Step, ...]:
        items = f.items()
        if len(items) > world.limits.steps:
            raise f.fail(f"{len(items):,} steps, over the limit of {world.limits.steps:,} (expected fewer, or "
                         "raise it with limits: {steps: N})")
        return tuple(_step(world, item, doc.line(item.path)) for item in items)
    return read


def _shorthand(f: Field, limits: Limits) -> tuple[NodeDecl, ...]:
    f.mapping(SHORTHAND_KEYS)
    count = lambda x: x.integer(minimum=0, maximum=limits.nodes)
    managers, workers = f.get("managers", count, 1), f.get("workers", count, 0)
    base = NodeDecl(name="")
    cpus, memory = f.get("cpus", Field.cpus, base.nano_cpus), f.get("memory", Field.memory, base.memory_bytes)
    return tuple(NodeDecl(name=f"node{i + 1}", role=Role.MANAGER if i < managers else Role.WORKER,
                          nano_cpus=cpus, memory_bytes=memory) for i in range(managers + workers))


def _cluster(f: Field, limits: Limits) -> tuple[NodeDecl, ...]:
    if isinstance(f.value, dict) and "nodes" in f.value:
        f.mapping(("nodes",))
        nodes = f.get("nodes", lambda x: tuple(_node(item) for item in x.items()), ())
    else:
        nodes = _shorthand(f, limits)
    if len(nodes) > limits.nodes:
        raise f.fail(f"{len(nodes):,} nodes, over the limit of {limits.nodes:,} (expected fewer, or raise it with "
                     "limits: {nodes: N})")
    if not nodes:
        raise f.fail("no nodes (expected at least one manager, e.g. cluster: {managers: 1})")
    seen: set[str] = set()
    for i, node in enumerate(nodes):
        if node.name in seen:
            raise FieldError(f.path + ("nodes", i, "name"),
                             f"duplicate node name '{node.name}' (names must be unique)")
        seen.add(node.name)
    if any(n.joined for n in nodes) and not any(n.role is Role.MANAGER and n.joined for n in nodes):
        raise f.fail("no manager: expected at least one node with role: manager that is joined (or every node "
                     "joined: false, for a swarm that starts empty and a docker swarm init step)")
    return nodes


# Periods of loops that wake themselves: zero would spin without the clock moving
MAX_SLOWDOWN = 100.0  # a factor on container operations: more would only stall a run
PERIODS = ("status_batch", "cli_poll", "heartbeat_period", "reaper_batch", "scheduler_max_latency")


def _timing_value(f: Field, default: object) -> object:
    name = f.path[-1]
    if name == "pull_rate":
        rate = float(f.size())
        if rate <= 0:
            raise f.fail("expected a positive rate in bytes per second, e.g. 50MB")
        return rate
    if name == "contention_scope":
        return f.one_of("host", "node")
    if name == "start_contention":
        share = f.number(minimum=0.0)
        if not 0 < share <= 1:
            raise f.fail(f"expected the CPU share of one operation, above 0 and at most 1, got {share:g}")
        return share
    if name == "ingress_setup_slowdown":
        factor = f.number(minimum=1.0)
        if factor > MAX_SLOWDOWN:
            raise f.fail(f"expected a factor from 1 to {MAX_SLOWDOWN:g}, got {factor:g}")
        return factor
    if isinstance(default, str):
        return f.text()
    if isinstance(default, int):
        return f.integer(minimum=0 if name == "contention_slots" else 1)  # 0 slots: serve all at once
    if isinstance(default, tuple):
        low, high = (item.duration() for item in f.items())
        if not 0 < low <= high:
            raise f.fail(f"expected [LOW, HIGH] with 0 < LOW <= HIGH, got [{low:g}s, {high:g}s]")
        return low, high
    seconds = f.duration()
    if name in PERIODS and seconds <= 0:
        raise f.fail(f"{name} is the period of a loop and must be above 0, got {seconds:g}s")
    return seconds


RETIRED_TIMING = {  # timing keys of earlier versions: what a scenario that still sets one should use
    "first_start": "first_start was replaced by the ingress setup window after a node's join: set swarm_age "
                   "(how long before the first step the nodes joined), ingress_setup_delay, ingress_setup and "
                   "ingress_setup_slowdown (docs/reference/scenario.md#timing)",
}


def _timing(f: Field) -> Timing:
    base = Timing()
    names = [x.name for x in dataclasses.fields(Timing)]
    values = {}
    for name, entry in f.mapping(names, retired=RETIRED_TIMING).items():
        if name == "election_timeout" and (not isinstance(entry.value, list) or len(entry.value) != 2):
            raise entry.fail("expected [LOW, HIGH] durations, e.g. [10s, 20s]")
        values[name] = _timing_value(entry, getattr(base, name))
    return dataclasses.replace(base, **values)


MAX_RATE = 10_000  # requests per second per client; faster ones are aggregated per second but still drawn


def _rate(f: Field) -> float:
    rate = f.number(minimum=1e-9)
    if rate > MAX_RATE:
        raise f.fail(f"rate {rate:g} requests per second is over the limit of {MAX_RATE:,} per client (expected "
                     "fewer, or several clients)")
    return rate


def _target(f: Field) -> tuple[str, int]:
    """`SERVICE[:PORT]` or `tasks.SERVICE[:PORT]`: a name the embedded DNS answers, and the port (80 unsaid)."""
    name, _, port = f.text().partition(":")
    if not name or validate.swarm_name(name.removeprefix("tasks.")):
        raise f.fail(f"target {f.value!r} is not a service name (expected SERVICE[:PORT] or tasks.SERVICE[:PORT])")
    if not port:
        return name, 80
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise f.fail(f"target port {port!r} is not a port (expected 1-65535)")
    return name, int(port)


def _traffic(world: _World) -> Callable[[Field], tuple[TrafficClient, ...]]:
    def client(f: Field) -> TrafficClient:
        keys = f.mapping(TRAFFIC_KEYS)
        base = TrafficClient(port=0, rate=0.0)
        via = f.get("via", lambda x: "any" if x.value == "any" else world.node(x), base.via)
        source = f.get("from", Field.name)
        if source is not None:
            target, port = f.require("target", _target, "the service the requests go to, SERVICE[:PORT]")
            if "port" in keys or "via" in keys:
                raise f.fail("a client inside the swarm (from:) calls target:, not port: or via: (expected one "
                             "of the two forms)")
        else:
            if "target" in keys or "refresh" in keys:
                raise f.fail("target: and refresh: need from: SERVICE (a client inside the swarm)")
            target, port = None, f.require("port", lambda x: x.integer(1, 65535), "a published port such as 8080")
        client = TrafficClient(port=port, rate=f.require("rate", _rate, "requests per second"),
                               via=via, timeout=f.get("timeout", Field.duration, base.timeout),
                               start=f.get("start", Field.duration, base.start), stop=f.get("stop", Field.duration),
                               source=source, target=target and f"{target}:{port}",
                               duration=f.get("duration", Field.duration, base.duration),
                               keepalive=f.get("keepalive", Field.flag, base.keepalive),
                               retries=f.get("retries", lambda x: x.integer(0, MAX_RETRIES), base.retries),
                               refresh=f.get("refresh", Field.duration, base.refresh))
        if client.stop is not None and client.stop < client.start:
            raise f.fail(f"stop: {client.stop:g}s is before start: {client.start:g}s (expected stop after start)")
        return client
    return lambda f: tuple(client(item) for item in f.items())


def _images(world: _World) -> Callable[[Field], dict[str, Workload]]:
    def read(f: Field) -> dict[str, Workload]:
        out = {}
        for image, entry in f.mapping().items():
            out[image] = workload(entry)
            world.check_present(entry.path, out[image])
        return out
    return read


# -- steps ---------------------------------------------------------------------------------------------------------

def _step(world: _World, f: Field, line: int) -> Step:
    entries = f.mapping(ACTIONS + ("on", "timeout", "think"))
    actions = [k for k in entries if k in ACTIONS]
    if len(actions) != 1:
        raise f.fail(f"expected exactly one of {', '.join(ACTIONS)} in a step, got {_names(actions)}")
    action = actions[0]
    for key in entries:
        if key not in (action, *MODIFIERS.get(action, ())):
            raise entries[key].fail(f"'{key}' does not go with {action}: (it goes with "
                                    f"{' / '.join(a for a, m in MODIFIERS.items() if key in m)}:)")
    return _STEP_READERS[action](world, entries, line)


def _run(world: _World, e: dict[str, Field], line: int) -> Run:
    f = e["run"]
    text = f.text()
    try:
        cmd = parse_command_line(text)
    except CommandError as err:
        raise f.fail(str(err)) from None
    on = world.node(e["on"]) if "on" in e else None
    if isinstance(cmd, (c.StackDeploy, c.StackRm, c.StackServices, c.StackPs)):
        from .stackfile import check_stack_command  # stackfile reads files with this module's Document
        cmd = check_stack_command(world, f, cmd)
    if isinstance(cmd, c.ServiceCreate) and cmd.env_files:
        cmd = with_env_files(cmd, [v for name in cmd.env_files for v in _env_file(world, f, name)])
    if isinstance(cmd, c.ObjectCreate):
        size, data = object_data(cmd.kind, world.base / cmd.file, f, " (expected a file relative to the scenario)")
        cmd = dataclasses.replace(cmd, size=size, data=data)
    if isinstance(cmd, (c.SwarmInit, c.SwarmUpdate)):
        for name in cmd.options.ca_certs:
            _ca_cert(world, f, name)
    _check_service_command(world, f, cmd)
    _check_cluster_command(world, f, cmd, on or _leader(world))
    think = e["think"].duration() if "think" in e else None
    return Run(command=text, parsed=cmd, on=on, think=think, line=line)


def _env_file(world: _World, f: Field, name: str) -> list[str]:
    """An `--env-file`'s variables, the file relative to the scenario's folder; a name alone takes its value
    from the scenario's `env:`, then the environment (as `${VAR}` in stack files)."""
    path = world.base / name
    if not os.path.lexists(path):
        raise f.fail(f"open {name}: no such file or directory (expected a file relative to the scenario)")
    try:
        return parse_env_file(read_bytes(path, "env file"), name, lambda key: world.env.get(key, os.environ.get(key)))
    except InputError as err:
        raise f.fail(str(err)) from None
    except EnvFileError as err:
        raise f.fail(str(err)) from None


def _ca_cert(world: _World, f: Field, name: str) -> None:
    """An --external-ca's cacert= file, relative to the scenario's folder, as parseExternalCA checks it."""
    try:
        data = read_bytes(world.base / name, "CA cert for external CA")
    except InputError as err:
        raise f.fail(f"unable to read CA cert for external CA: {err.message}") from None
    if not re.search(rb"-----BEGIN [^-\n]*-----\r?\n.*?-----END [^-\n]*-----", data, re.S):
        raise f.fail("CA cert for external CA must be in PEM format")


def object_data(kind: str, path: FilePath, f: Field, hint: str = "") -> tuple[int, bytes]:
    """A secret's or config's file, read when the scenario loads: its size, and a config's data (a secret's
    is not kept); `hint` follows the error when it cannot be read."""
    try:
        if kind == "secret":
            info = path.stat()
            if stat.S_ISDIR(info.st_mode):
                raise f.fail(f"read {path}: is a directory")
            if not stat.S_ISREG(info.st_mode):  # docker would read a device or a FIFO until it ends, if ever
                raise f.fail(f"read {path}: not a regular file (expected the secret's data)")
            return info.st_size, b""
        data = read_bytes(path, f"{kind} file")
        return len(data), data
    except OSError as err:
        raise f.fail(f"open {path}: {(err.strerror or str(err)).lower()}{hint}") from None
    except InputError as err:
        raise f.fail(err.message) from None


def _leader(world: _World) -> str:
    """Where a step without on: runs (model.scenario.Scenario.leader)."""
    nodes = list(world.nodes.values())
    return next((n.name for n in nodes if n.role is Role.MANAGER and n.joined),
                next((n.name for n in nodes if n.role is Role.MANAGER), nodes[0].name))


def _wait(world: _World, e: dict[str, Field], line: int) -> Step:
    f = e["wait"]
    if f.value == "converged":
        return WaitConverged(timeout=e["timeout"].duration() if "timeout" in e else None, line=line)
    if "timeout" in e:
        raise e["timeout"].fail("timeout: goes only with wait: converged")
    try:
        return WaitFor(seconds=f.duration(), line=line)
    except FieldError:
        raise f.fail(f"expected converged or a duration such as 30s, got {f.value!r}") from None


def _at(world: _World, e: dict[str, Field], line: int) -> At:
    time = e["at"].duration()
    if time < world.last_at:
        raise e["at"].fail(f"at: {time:g}s is earlier than the previous at: {world.last_at:g}s "
                           "(expected times that do not go backwards)")
    world.last_at = time
    return At(time=time, line=line)


def _fail(world: _World, e: dict[str, Field], line: int) -> Fail:
    f = e["fail"]
    f.mapping(("node", "kind"))
    return Fail(node=f.require("node", world.node, "the node that fails, e.g. node: node2"),
                kind=f.require("kind", lambda x: x.one_of("crash", "stop", "recover"), "crash, stop or recover"),
                line=line)


def _partition(world: _World, e: dict[str, Field], line: int) -> Partition:
    groups, seen = [], set()
    for group in e["partition"].items():
        names = []
        for item in group.items():
            name = world.node(item)
            if name in seen:
                raise item.fail(f"{name} is in two groups (expected each node in one group at most)")
            seen.add(name)
            names.append(name)
        groups.append(tuple(names))
    return Partition(groups=tuple(groups), line=line)


def _heal(world: _World, e: dict[str, Field], line: int) -> Heal:
    if e["heal"].value is not True:
        raise e["heal"].fail("expected heal: true")
    return Heal(line=line)


_STEP_READERS = {"run": _run, "wait": _wait, "at": _at, "fail": _fail, "partition": _partition, "heal": _heal}


# -- the whole file ------------------------------------------------------------------------------------------------

def _stack(doc: Document, world: _World, f: Field) -> tuple[tuple[ServiceSpec, ...], tuple[NetworkDecl, ...]]:
    """The services and networks of the file `stack:` names, read and checked in that file."""
    path = FilePath(doc.source).parent / f.text()
    try:
        text = read_text(path, "stack file")
    except InputError as err:
        raise doc.error(f.path, f"{err} (expected a compose file, relative to the scenario)") from None
    stack_doc = Document.parse(text, str(path), compose=True)  # docker's YAML reading: a repeated key's last wins
    for where, key in stack_doc.typed_keys.items():
        if not isinstance(key, str):
            raise stack_doc.error(where, yamlv2.non_string_key(where, key))
    data, problems = interpolate(stack_doc.root.value, lambda name: world.env.get(name, os.environ.get(name)))
    if problems:  # ${VAR} as a `docker stack deploy` step substitutes it: the scenario's env:, then the process's
        raise stack_doc.error(problems[0].path, problems[0].message)
    stack_doc.root = Field(data, ())
    found = stack_doc.read(lambda: stack(stack_doc.root))
    world.networks.update(n.name for n in found[1])
    stack_doc.read(lambda: _check_services(world, found[0]))
    return found


def _check_services(world: _World, specs: tuple[ServiceSpec, ...]) -> None:
    for spec in specs:
        for kind, refs in (("secrets", spec.task.secrets), ("configs", spec.task.configs)):
            for ref in ref_names(refs):  # nothing defines one before the services are created
                raise FieldError(("services", spec.name, kind), f'service {spec.name}: undefined {kind[:-1]} "{ref}" '
                                 f"(a scenario's services are created before its steps: use a docker stack deploy step "
                                 f"with a file that defines {kind}, or docker {kind[:-1]} create, then service update "
                                 f"--{kind[:-1]}-add)")
        if spec.name in world.services:
            raise FieldError(("services", spec.name), f"service {spec.name} is defined twice (in the stack file "
                                                      "and in the scenario)")
        world.add_service(("services", spec.name), spec)


def _read(doc: Document) -> Scenario:
    root = doc.root
    if root.value is None:
        raise root.fail("empty scenario (expected a mapping with version: 1, cluster: and steps:)")
    root.mapping(TOP_KEYS)
    version = root.require("version", lambda f: f.integer(minimum=None), "version: 1")
    if version != 1:
        raise FieldError(("version",), f"unsupported version {version} (expected version: 1)")
    limits = root.get("limits", _limits, Limits())
    nodes = root.require("cluster", lambda f: _cluster(f, limits),
                         "cluster: {managers: 1, workers: 2} or cluster: {nodes: [...]}")
    declared = root.get("networks", networks, ())
    seed = root.get("seed", _seed, 0)
    world = _World(nodes={n.name: n for n in nodes}, services={}, networks=set(), limits=limits,
                   env=root.get("env", Field.string_map, {}), base=FilePath(doc.source).parent, seed=seed)
    for decl in declared:
        world.add_network(Field(decl.name, ("networks", decl.name)), decl.name, decl.subnet)
    stack_services, stack_networks = root.get("stack", lambda f: _stack(doc, world, f), ((), ()))
    own = root.get("services", services, ())
    _check_services(world, own)
    name = root.get("name", Field.name, FilePath(doc.source).stem)
    images, timing = root.get("images", _images(world), {}), root.get("timing", _timing, Timing())
    traffic, steps = root.get("traffic", _traffic(world), ()), root.get("steps", _steps(world, doc), ())
    think = root.get("think", Field.duration, 0.0)
    scenario = Scenario(name=name, nodes=nodes, services=stack_services + own, networks=stack_networks + declared,
                        images=images, timing=timing, traffic=traffic, steps=steps, think=think, seed=seed,
                        source=doc.source, limits=limits)
    if problem := step_problem(scenario):
        index, message = problem
        raise ScenarioError(doc.source, steps[index].line or None, f"steps[{index}]", message)
    return scenario


def loads_scenario(text: str, source: str = "<string>", overrides: dict[str, object] | None = None) -> Scenario:
    """The scenario in `text`; `source` names it in errors and anchors a relative `stack:` path.

    `overrides` sets dotted paths (`services.web.deploy.replicas`) before the checks, so an error
    in a swept value still names the line of `text` it replaces."""
    from collections.abc import Mapping
    if not isinstance(text, str):
        hint = " (decode it first, e.g. data.decode('utf-8'), or use load_scenario(path))" if \
            isinstance(text, (bytes, bytearray)) else ""
        raise TypeError(f"loads_scenario: text: expected a str (the scenario's YAML), got {type(text).__name__}{hint}")
    if not isinstance(source, str):
        raise TypeError(f"loads_scenario: source: expected a str (the name errors give, e.g. a file's path), got "
                        f"{type(source).__name__}")
    if overrides is not None and not isinstance(overrides, Mapping):
        raise TypeError(f"loads_scenario: overrides: expected a dict of dotted paths to values, got "
                        f"{type(overrides).__name__}")
    doc = Document.parse(text, source)
    for dotted, value in dict(overrides or {}).items():
        doc.override(dotted, value)
    return doc.read(lambda: _read(doc))


def read_data(data: dict, source: str, lines: dict[tuple, int]) -> Scenario:
    """The scenario in plain data shaped like a file (what `ScenarioBuilder` assembles), checked as a file;
    `lines` gives the line of each key path in `source` (at least of the root, `()`)."""
    doc = Document(source, Field(data, ()), lines)
    return doc.read(lambda: _read(doc))


def load_scenario(path: str | FilePath) -> Scenario:
    """The scenario in the YAML file at `path`."""
    try:
        text = read_text(path, "scenario file")
    except InputError as err:
        raise ScenarioError(str(path), err.line, "", err.message) from None
    return loads_scenario(text, str(path))
