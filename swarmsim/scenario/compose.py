"""Compose-file services and networks, read into model values.

A scenario's `services:` and `networks:` and an imported stack file use the
compose syntax `docker stack deploy` reads, so a stack already in use can be
simulated unchanged. Conversion follows docker/cli `cli/compose/convert`:
`command` becomes the container's args, `deploy.labels` the service labels, `labels` the
container's, `environment` is sorted, and the container settings (hostname, user, working_dir,
init, stop_signal, tty, stdin_open, read_only, dns, extra_hosts, capabilities, sysctls, ulimits,
isolation, logging) go into the ContainerSpec as convert.Service puts them; `tmpfs` is dropped
without a word, as docker does for a service.

Input is plain data (what YAML gives). Every error is a `FieldError` carrying the
key path of the offending value, so `swarmsim.scenario` can name the line; the
`Field` reader used here serves the scenario's own keys too.
"""
from __future__ import annotations

import difflib
import math
import re
import shlex
from dataclasses import dataclass, replace
from enum import Enum
from typing import Callable, Iterable

from ..dockercli import capabilities, validate
from ..dockercli.parse import (PortMapping, check_constraint, check_endpoint, isolation, nat_port_spec,
                               port_configs)
from ..model import (EndpointSpec, FailureAction, FileRef, Healthcheck, Placement, PortConfig, Resources, RestartCondition,
                    RestartPolicy, ServiceMode, ServiceSpec, TaskSpec, UpdateConfig, UpdateOrder, Workload)
from ..model.gofmt import go_float
from ..model.scenario import NetworkDecl
from ..dockercli.units import from_human_size, parse_cpus, parse_duration, ram_in_bytes
from .composeschema import KEYS

Path = tuple[str | int, ...]


class FieldError(ValueError):
    """A bad value at `path` (keys and list indices from the document's root)."""

    def __init__(self, path: Path, message: str):
        super().__init__(message)
        self.path = path
        self.message = message


def format_path(path: Path) -> str:
    """`steps[3].run` style."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
             dict: "a mapping", type(None): "nothing"}
    return names.get(type(value), type(value).__name__)


#: compose keys whose Go field has no mapstructure tag, so mapstructure names it by the field (docker/cli 20.10
#: cli/compose/types); the others keep their key
_GO_FIELDS = {"deploy": "Deploy", "replicas": "Replicas", "parallelism": "Parallelism", "placement": "Placement",
              "healthcheck": "HealthCheck", "retries": "Retries"}


@dataclass(frozen=True, slots=True)
class Field:
    """A value and where it stands; the readers check its type and raise `FieldError` with the path."""

    value: object
    path: Path = ()

    def fail(self, message: str) -> FieldError:
        return FieldError(self.path, message)

    def expect(self, types: type | tuple[type, ...], what: str) -> object:
        if isinstance(self.value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            raise self.fail(f"expected {what}, got {self.value!r}")
        if not isinstance(self.value, types):
            raise self.fail(f"expected {what}, got {_kind(self.value)}")
        return self.value

    def mapping(self, allowed: Iterable[str] | None = None, extensions: bool = False,
                retired: dict[str, str] | None = None) -> dict[str, Field]:
        """The entries, keyed by name; a key not in `allowed` is an error (compose `x-` keys pass if `extensions`);
        `retired` names keys that once existed, with what replaced them, for a better hint than a near spelling."""
        data = self.expect(dict, "a mapping")
        known = tuple(allowed) if allowed is not None else None
        out = {}
        for key, value in data.items():
            if known is not None and key not in known and not (extensions and key.startswith("x-")):
                if retired and key in retired:
                    hint = f"{retired[key]}; "
                else:
                    close = difflib.get_close_matches(key, known, n=1)
                    hint = f"did you mean '{close[0]}'? " if close else ""
                raise FieldError(self.path + (key,), f"unknown key '{key}' ({hint}expected one of: {', '.join(known)})")
            out[key] = Field(value, self.path + (key,))
        return out

    def items(self) -> list[Field]:
        return [Field(v, self.path + (i,)) for i, v in enumerate(self.expect(list, "a list"))]

    def text(self) -> str:
        return self.expect(str, "a string")

    def name(self) -> str:
        text = self.expect((str, int, float), "a name")
        return go_float(text) if isinstance(text, float) else str(text)  # as Go's fmt.Sprint: 1.0 is "1"

    def integer(self, minimum: int | None = 0, maximum: int | None = None) -> int:
        """An integer; a float with no fraction is one too (`replicas: 08` is the float 8 to docker's YAML, and its
        decoder takes it)."""
        if isinstance(self.value, float) and self.value.is_integer():
            return Field(int(self.value), self.path).integer(minimum, maximum)
        value = self.expect(int, "an integer")
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
            raise self.fail(f"expected an integer {bounds}, got {_shown_int(value)}")
        return value

    def uint64(self) -> int:
        """A count compose types as uint64 (replicas, parallelism, max_attempts, retries, max_replicas_per_node); a
        negative one refused in mapstructure's words, naming the Go field path (its field name or mapstructure tag)."""
        value = self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0 and len(self.path) > 2:
            name = ".".join(_GO_FIELDS.get(str(key), str(key)) for key in self.path[2:])
            raise self.fail(f"cannot parse '{name}', {_shown_int(value)} overflows uint")
        return self.integer(0, validate.UINT64_MAX)

    def number(self, minimum: float = 0.0) -> float:
        value = float(self.expect((int, float), "a number"))
        if not minimum <= value < math.inf:
            raise self.fail(f"expected a number >= {minimum:g}, got {value:g}")
        return value

    def flag(self) -> bool:
        return self.expect(bool, "true or false")

    def convert(self, parse: Callable[[object], object], what: str | None = None) -> object:
        """`parse` applied to the value; its ValueError becomes this field's error, quoted after `what` was
        expected when given (docker's words for what is wrong)."""
        try:
            return parse(self.value)
        except (ValueError, OverflowError) as err:  # OverflowError: an infinite or huge number to an integer
            said = str(err) if isinstance(err, ValueError) else f"{self.value!r} is out of range"
            raise self.fail(f"expected {what}, got {self.value!r} ({said})" if what else said) from None

    def duration(self, signed: bool = False) -> float:
        """Seconds; a negative Go duration only if `signed` (a value docker types as time.Duration, which the
        daemon judges)."""
        self.expect((str, int, float), "a duration such as 10s")
        seconds = self.convert(lambda value: parse_duration(value, signed))
        problem = validate.duration(seconds)
        if problem:
            raise self.fail(f"expected a duration such as 10s, got {self.value!r}: {problem}")
        return seconds

    def size(self) -> int:
        """An amount of data (an image's size), read as go-units FromHumanSize: SI multiples."""
        self.expect((str, int), "a size such as 50MB")
        return self.convert(from_human_size, "a size such as 50MB")

    def memory(self) -> int:
        """An amount of memory, read as docker reads compose `memory:` (go-units RAMInBytes: 1024-based)."""
        self.expect((str, int), "a size such as 256MiB")
        return self.convert(ram_in_bytes, "a size such as 256MiB")

    def cpus(self) -> int:
        self.expect((str, int, float), "a number of CPUs such as 0.5")
        nano = self.convert(parse_cpus, "a number of CPUs such as 0.5")
        if nano < 0:
            raise self.fail(f"expected a non-negative number of CPUs, got {self.value!r}")
        return nano

    def one_of(self, *allowed: str) -> str:
        if self.value not in allowed:
            raise self.fail(f"expected one of {', '.join(allowed)}, got {self.value!r}")
        return self.value

    def choice(self, enum: type[Enum]) -> Enum:
        return enum(self.one_of(*(member.value for member in enum)))

    def string_map(self) -> dict[str, str]:
        """A `{k: v}` mapping or a `["k=v", ...]` list, as compose takes labels."""
        if isinstance(self.value, list):
            return dict(item.text().partition("=")[::2] for item in self.items())
        return {k: ("" if f.value is None else f.name()) for k, f in self.mapping().items()}

    def strings(self) -> tuple[str, ...]:
        return tuple(item.text() for item in self.items())

    def words(self) -> tuple[str, ...]:
        """A command: a list of words, or a string split as a shell would."""
        if isinstance(self.value, list):
            return self.strings()
        self.text()
        return self.convert(lambda v: tuple(shlex.split(v)))

    def get(self, key: str, read: Callable[[Field], object], default: object = None) -> object:
        """`read` of the entry `key` of this mapping, or `default` if it is absent (or null)."""
        data = self.expect(dict, "a mapping")
        if data.get(key) is None:
            return default
        return read(Field(data[key], self.path + (key,)))

    def section(self, key: str, allowed: Iterable[str]) -> Field:
        """The mapping under `key` (empty if absent), its keys checked."""
        entry = Field(self.get(key, lambda f: f.value, {}), self.path + (key,))
        entry.mapping(allowed)
        return entry

    def require(self, key: str, read: Callable[[Field], object], what: str) -> object:
        if self.expect(dict, "a mapping").get(key) is None:
            raise self.fail(f"missing key '{key}' (expected {what})")
        return self.get(key, read)


# -- services ------------------------------------------------------------------------------------------------------

SERVICE_KEYS = ("image", "command", "environment", "ports", "networks", "stop_grace_period", "labels", "deploy",
                "healthcheck", "x-workload")
#: every key a compose 3.x service may have (composeschema.KEYS); the ones not in SERVICE_KEYS change nothing here
COMPOSE_SERVICE_KEYS = tuple(dict.fromkeys(SERVICE_KEYS + tuple(
    p.split(".")[2] for p in KEYS if p.count(".") == 2 and p.startswith("services.NAME.") and not p.endswith("x-*")
    and KEYS[p].status != "forbidden")))
HEALTHCHECK_KEYS = ("test", "interval", "timeout", "retries", "start_period", "disable")
DEPLOY_KEYS = ("mode", "replicas", "endpoint_mode", "labels", "placement", "resources", "restart_policy",
               "update_config", "rollback_config")
UPDATE_KEYS = ("parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order")
WORKLOAD_KEYS = ("size", "present", "start_time", "exit_after", "exit_code", "serve_port", "ignore_sigterm",
                 "healthy", "pullable", "logs", "platforms")
LOGS_KEYS = ("start", "request")


def _environment(field: Field) -> tuple[str, ...]:
    if isinstance(field.value, list):
        return tuple(sorted(field.strings()))
    return tuple(sorted(k if f.value is None else f"{k}={f.name()}" for k, f in field.mapping().items()))


def _short_port(field: Field) -> list[PortMapping]:
    """A short port as toServicePortConfigs reads it: nat's mappings in the order of their sorted keys."""
    try:
        mappings = nat_port_spec(field.name())
    except ValueError as err:
        raise field.fail(f"error decoding 'Ports': {err}") from None  # mapstructure's words around nat's
    return sorted(mappings, key=lambda m: m.key)


def host_address_warnings(port: object) -> list[str]:
    """What docker logs for a short port with a host address: a stack file may give one, the service listens on
    every address all the same (opts.ConvertPortToPortConfig); `--publish` refuses it."""
    if not isinstance(port, (str, int)) or isinstance(port, bool):
        return []
    try:
        mappings = _short_port(Field(port))
    except FieldError:
        return []  # the converter reports it, at its line
    return [f"ignoring IP-address ({m.ip}:{m.host}:{m.key}) service will listen on '0.0.0.0'"
            for m in mappings if m.ip not in ("", "0.0.0.0")]


def _shown_int(value: int) -> str:
    """An integer as an error shows it; one past Python's 4,300 digits of str() (`0x` and 5,000 `f`s, which YAML
    reads as an int) by its size."""
    try:
        return str(value)
    except ValueError:
        return f"{'a negative' if value < 0 else 'an'} integer of {int(math.log10(abs(value))) + 1:,} digits"


def _port_number(field: Field, index: int, name: str) -> int:
    """A long port's target or published (uint32 to mapstructure: a negative number refused, a larger one
    wrapped; the daemon takes any)."""
    value = field.integer(minimum=None)
    if value < 0:
        raise field.fail(f"cannot parse 'Ports[{index}].{name}', {_shown_int(value)} overflows uint")
    return value % 2**32


def _long_port(field: Field, index: int) -> PortConfig:
    """convertEndpointSpec passes protocol and mode as written; the daemon reads them case-insensitively and
    takes any other word for tcp and ingress (its enums' zero values)."""
    entry = field.mapping(("target", "published", "protocol", "mode"))

    def word(key: str, allowed: tuple[str, ...]) -> str:
        text = entry[key].name().lower() if key in entry and entry[key].value is not None else ""
        return text if text in allowed else allowed[0]
    return PortConfig(target=_port_number(entry["target"], index, "Target") if "target" in entry else 0,
                      published=_port_number(entry["published"], index, "Published") if "published" in entry else 0,
                      protocol=word("protocol", ("tcp", "udp", "sctp")), mode=word("mode", ("ingress", "host")))


def ports(field: Field) -> tuple[PortConfig, ...]:
    """A service's `ports:`, short and long forms, as transformServicePort expands them and convertEndpointSpec
    orders them: by published port (a stable sort: the unpublished ones first, in the file's order)."""
    out: list[PortConfig] = []
    for item in field.items():
        if isinstance(item.value, dict):
            out.append(_long_port(item, len(out)))
        else:
            out += [port for m in _short_port(item) for port in port_configs(m)]
    return tuple(sorted(out, key=lambda p: p.published))


def _networks(field: Field) -> tuple[str, ...]:
    if isinstance(field.value, list):
        return tuple(item.text() for item in field.items())
    entries = field.mapping()
    for entry in entries.values():
        if entry.value is not None:
            entry.mapping(("aliases", "ipv4_address", "ipv6_address"))
    return tuple(entries)


def _aliases(field: Field) -> tuple[tuple[str, ...], ...]:
    """Each network's `aliases:`, in the order of _networks."""
    if isinstance(field.value, list):
        return tuple(() for _ in field.items())
    return tuple(() if entry.value is None else entry.get("aliases", Field.strings, ())
                 for entry in field.mapping().values())


def _resources(field: Field) -> Resources:
    field.mapping(("cpus", "memory", "pids", "generic_resources"))
    return Resources(nano_cpus=field.get("cpus", Field.cpus, 0), memory_bytes=field.get("memory", Field.memory, 0),
                     generic=field.get("generic_resources", _generic_resources, ()))


def _generic_resources(field: Field) -> tuple[tuple[str, int], ...]:
    """`- discrete_resource_spec: {kind: GPU, value: 1}` items, as docker/cli convertResources reads them."""
    out = []
    for item in field.items():
        spec = item.mapping(("discrete_resource_spec",)).get("discrete_resource_spec")
        if spec is not None:
            spec.mapping(("kind", "value"))
            out.append((spec.get("kind", Field.text, ""), spec.get("value", lambda f: f.integer(0, 2**63 - 1), 0)))
    return tuple(out)


def _go_duration(field: Field) -> float:
    """A duration docker reads into a time.Duration: a negative one is read, and the daemon refuses it (or not)."""
    return field.duration(signed=True)


def _restart_policy(field: Field) -> RestartPolicy:
    field.mapping(("condition", "delay", "max_attempts", "window"))
    base = RestartPolicy()
    return RestartPolicy(condition=field.get("condition", lambda f: f.choice(RestartCondition), base.condition),
                         delay=field.get("delay", _go_duration, base.delay),
                         max_attempts=field.get("max_attempts", Field.uint64, base.max_attempts),
                         window=field.get("window", _go_duration, base.window))


def _update_config(field: Field) -> UpdateConfig:
    field.mapping(UPDATE_KEYS)
    base = UpdateConfig()
    ratio = field.get("max_failure_ratio", Field.number, base.max_failure_ratio)
    if ratio > 1:
        raise FieldError(field.path + ("max_failure_ratio",), f"expected a ratio between 0 and 1, got {ratio:g}")
    return UpdateConfig(parallelism=field.get("parallelism", Field.uint64, base.parallelism),
                        delay=field.get("delay", _go_duration, base.delay),
                        failure_action=field.get("failure_action", lambda f: f.choice(FailureAction),
                                                 base.failure_action),
                        monitor=field.get("monitor", _go_duration, base.monitor),
                        max_failure_ratio=ratio,
                        order=field.get("order", lambda f: f.choice(UpdateOrder), base.order))


def _spread(field: Field) -> str:
    entry = field.mapping(("spread",))
    if "spread" not in entry:
        raise field.fail("expected {spread: node.labels.NAME}")
    return entry["spread"].text()


def _placement(field: Field) -> Placement:
    field.mapping(("constraints", "preferences", "max_replicas_per_node"))
    constraints = field.get("constraints", lambda f: tuple(i.text() and i.convert(check_constraint)
                                                           for i in f.items()), ())
    return Placement(constraints=constraints,
                     preferences=field.get("preferences", lambda f: tuple(_spread(i) for i in f.items()), ()),
                     max_replicas=field.get("max_replicas_per_node", Field.uint64, 0))


def _mode_and_replicas(deploy: Field) -> tuple[ServiceMode, int]:
    """convertDeployMode: a replicated job's replicas are its total completions and its max concurrent."""
    mode = deploy.get("mode", lambda f: f.choice(ServiceMode), ServiceMode.REPLICATED)
    if mode.per_node and deploy.get("replicas", Field.integer) is not None:
        raise FieldError(deploy.path + ("replicas",),
                         "replicas can only be used with replicated or replicated-job mode")
    return mode, deploy.get("replicas", Field.uint64, 1)


def workload(field: Field) -> Workload:
    """What a container of an image does: an `images:` entry or a service's `x-workload`."""
    field.mapping(WORKLOAD_KEYS)
    return Workload(size=field.get("size", Field.size), present=field.get("present", _present),
                    start_time=field.get("start_time", Field.duration),
                    exit_after=field.get("exit_after", Field.duration),
                    exit_code=field.get("exit_code", lambda f: f.integer(minimum=0, maximum=255)),
                    serve_port=field.get("serve_port", lambda f: f.integer(minimum=1)),
                    ignore_sigterm=field.get("ignore_sigterm", Field.flag),
                    healthy=field.get("healthy", Field.flag),
                    pullable=field.get("pullable", Field.flag),
                    logs=field.get("logs", _start_logs), request_log=field.get("logs", lambda f: f.get("request",
                                                                                                  Field.text)),
                    platforms=field.get("platforms", lambda f: tuple(dict.fromkeys(platform(i) for i in f.items()))))


def platform(field: Field) -> tuple[str, str]:
    """`OS/ARCH` (a `/VARIANT` after it is accepted and dropped: swarmkit's Platform has OS and architecture)."""
    parts = field.text().split("/")
    if not 2 <= len(parts) <= 3 or not all(parts[:2]):
        raise field.fail(f"expected a platform such as linux/amd64, got {field.value!r}")
    return parts[0], parts[1]


def _start_logs(field: Field) -> tuple[str, ...]:
    """`logs: {start: [LINE, ...], request: LINE}`: what `docker service logs` shows of the container."""
    field.mapping(LOGS_KEYS)
    return field.get("start", lambda f: tuple(item.text() for item in f.items()), ())


def _healthcheck(field: Field) -> Healthcheck:
    """Compose `healthcheck:`; a string test runs in a shell, as compose does."""
    field.mapping(HEALTHCHECK_KEYS)
    if field.get("disable", Field.flag, False):
        return Healthcheck(test=("NONE",))
    test = field.get("test", lambda f: (("CMD-SHELL", f.value) if isinstance(f.value, str) else f.words()), ())
    base = Healthcheck()
    return Healthcheck(test=tuple(test), interval=field.get("interval", _go_duration, base.interval),
                       timeout=field.get("timeout", _go_duration, base.timeout),
                       retries=field.get("retries", Field.uint64, base.retries),
                       start_period=field.get("start_period", _go_duration, base.start_period))


def _present(field: Field) -> tuple[str, ...] | None:
    if field.value in ("all", "none"):
        return None if field.value == "all" else ()
    if not isinstance(field.value, list):
        raise field.fail(f"expected a list of node names, all or none, got {field.value!r}")
    return tuple(item.name() for item in field.items())


_RESTART = {"no": None, "always": RestartCondition.ANY, "unless-stopped": RestartCondition.ANY,
            "on-failure": RestartCondition.ON_FAILURE}


def _restart(field: Field) -> RestartPolicy:
    """`restart:` (unsupported, yet the policy when deploy.restart_policy is absent: convert.convertRestartPolicy)."""
    text = field.text()
    condition = _RESTART.get(text.partition(":")[0], "unknown")
    if condition == "unknown":
        raise field.fail(f"unknown restart policy: {text}")
    if condition is None:
        return RestartPolicy()
    attempts = text.partition(":")[2]
    return RestartPolicy(condition=condition, max_attempts=int(attempts) if attempts.isdigit() else 0)


def _object_refs(field: Field) -> tuple[FileRef, ...]:
    """A service's `secrets:` or `configs:`: names, or `{source: NAME, target, uid, gid, mode}`, with convertFileObject's
    defaults (the target the name, uid and gid "0", mode 0444); stackfile.py scopes and sorts them."""
    out = []
    for item in field.items():
        if isinstance(item.value, dict):
            item.mapping(("source", "target", "uid", "gid", "mode"))
            out.append(FileRef(item.require("source", Field.text, "the name of a secret or config of the file"),
                               item.get("target", Field.text, ""), item.get("uid", Field.text, "") or "0",
                               item.get("gid", Field.text, "") or "0", item.get("mode", Field.uint64, 0o444)))
        else:
            out.append(FileRef(item.text()))
    return tuple(out)


def _string_list(field: Field) -> tuple[str, ...]:
    """compose's StringList: one string or a list of them."""
    return (field.text(),) if isinstance(field.value, str) else field.strings()


def _extra_hosts(field: Field) -> tuple[str, ...]:
    """HostsList (a list of HOST:IP, or a mapping as sorted HOST:IP lines, entries without a value dropped) in
    swarmkit's notation, convertExtraHosts: "IP HOST"; an entry without a colon is dropped."""
    if isinstance(field.value, dict):
        entries = sorted(f"{k}:{f.name()}" for k, f in field.mapping().items() if f.value is not None)
    else:
        entries = list(field.strings())
    return tuple(f"{ip} {host}" for host, sep, ip in (e.partition(":") for e in entries) if sep)


def _ulimits(field: Field) -> tuple[tuple[str, int, int], ...]:
    """convertUlimits: NAME: N (soft and hard) or NAME: {soft, hard}, sorted by name."""
    out = []
    for name, limit in field.mapping().items():
        if isinstance(limit.value, dict):
            limit.mapping(("soft", "hard"))
            out.append((name, limit.get("soft", Field.integer, 0), limit.get("hard", Field.integer, 0)))
        else:
            value = limit.integer()
            out.append((name, value, value))
    return tuple(sorted(out))


def _logging(field: Field) -> tuple[str, tuple[tuple[str, str], ...]]:
    """logging: {driver, options}: TaskTemplate.LogDriver (options as strings, in key order)."""
    field.mapping(("driver", "options"))
    options = field.get("options", lambda f: {k: "" if v.value is None else v.name() for k, v in f.mapping().items()},
                        {})
    return field.get("driver", Field.text, ""), tuple(sorted(options.items()))


def _container(field: Field, stack_file: bool) -> dict[str, object]:
    """The ContainerSpec fields convert.Service fills from the service's own keys (a scenario's own service,
    made as `docker service create` makes one, sends Init as false when it is not given)."""
    return dict(
        labels=tuple(sorted(field.get("labels", Field.string_map, {}).items())),
        hostname=field.get("hostname", Field.text, ""), dir=field.get("working_dir", Field.text, ""),
        user=field.get("user", Field.text, ""), init=field.get("init", Field.flag, None if stack_file else False),
        stop_signal=field.get("stop_signal", Field.text, ""), tty=field.get("tty", Field.flag, False),
        open_stdin=field.get("stdin_open", Field.flag, False), read_only=field.get("read_only", Field.flag, False),
        dns=(field.get("dns", _string_list, ()), field.get("dns_search", _string_list, ()), ()),
        hosts=field.get("extra_hosts", _extra_hosts, ()),
        capabilities=capabilities.effective(list(field.get("cap_add", Field.strings, ())),
                                            list(field.get("cap_drop", Field.strings, ()))),
        sysctls=tuple(sorted(field.get("sysctls", Field.string_map, {}).items())),
        ulimits=field.get("ulimits", _ulimits, ()),
        isolation=isolation(field.get("isolation", Field.text, "")),
        log_driver=field.get("logging", _logging, None))


def service(name: str, field: Field, stack_file: bool = False) -> ServiceSpec:
    """One compose service (a stack file's may lack an image: docker sends it, and the daemon refuses it)."""
    field.mapping(COMPOSE_SERVICE_KEYS, extensions=True)
    deploy = field.section("deploy", DEPLOY_KEYS)
    resources = deploy.section("resources", ("reservations", "limits"))
    mode, replicas = _mode_and_replicas(deploy)
    base = TaskSpec(image=field.get("image", Field.text, "") if stack_file else
                    field.require("image", Field.text, "the image to run, e.g. image: nginx:1.25"))
    task = replace(
        base,
        command=field.get("entrypoint", Field.words, ()),  # convert.Service: Command is the entrypoint
        args=field.get("command", Field.words, ()),
        env=field.get("environment", _environment, ()),
        stop_grace_period=field.get("stop_grace_period", _go_duration, base.stop_grace_period),
        reservations=resources.get("reservations", _resources, Resources()),
        limits=resources.get("limits", _resources, Resources()),
        restart_policy=deploy.get("restart_policy", _restart_policy, field.get("restart", _restart, RestartPolicy())),
        placement=deploy.get("placement", _placement, Placement()),
        networks=field.get("networks", _networks, ()), aliases=field.get("networks", _aliases, ()),
        workload=field.get("x-workload", workload),
        healthcheck=field.get("healthcheck", _healthcheck),
        secrets=field.get("secrets", _object_refs, ()),
        configs=field.get("configs", _object_refs, ()),
        **_container(field, stack_file), from_stack=stack_file,
    )
    endpoint = EndpointSpec(mode=deploy.get("endpoint_mode", lambda f: f.one_of("vip", "dnsrr"), "vip"),
                            ports=field.get("ports", ports, ()))
    return ServiceSpec(name=name, task=task, mode=mode, replicas=replicas, max_concurrent=replicas,
                       endpoint=Field(endpoint, field.path + ("ports",)).convert(check_endpoint),
                       update_config=deploy.get("update_config", _update_config, UpdateConfig()),
                       rollback_config=deploy.get("rollback_config", _update_config, UpdateConfig()),
                       labels=deploy.get("labels", Field.string_map, {}))


def services(field: Field) -> tuple[ServiceSpec, ...]:
    """A compose `services:` mapping, in file order."""
    return tuple(service(name, entry) for name, entry in field.mapping().items())


# -- networks and whole files --------------------------------------------------------------------------------------

def network(name: str, field: Field) -> NetworkDecl:
    if field.value is None:
        return NetworkDecl(name=name)
    field.mapping(NETWORK_KEYS, extensions=True)
    options = field.get("driver_opts", Field.string_map, {})
    ipam = field.section("ipam", ("driver", "config"))
    subnets = ipam.get("config", lambda f: [_subnet(i) for i in f.items()], [])
    ipam.get("driver", _ipam_driver, "default")
    return NetworkDecl(name=field.get("name", Field.name, name),
                       driver=field.get("driver", lambda f: f.one_of("overlay", "bridge"), "overlay"),
                       attachable=field.get("attachable", Field.flag, False),
                       subnet=next((s for s in subnets if s), None),
                       labels=field.get("labels", Field.string_map, {}), options=dict(options),
                       internal=field.get("internal", Field.flag, False))


def _ipam_driver(field: Field) -> str:
    """Only the default IPAM driver: another is a plugin, which the daemon looks up and this swarm has not."""
    driver = field.text()
    if driver != "default":
        raise field.fail(f"Error response from daemon: rpc error: code = InvalidArgument desc = error during lookup "
                         f"of plugin {driver} (expected the default IPAM driver: this swarm has no plugins)")
    return driver


def _subnet(field: Field) -> str | None:
    field.mapping(("subnet",))
    return field.get("subnet", Field.text)


NETWORK_KEYS = ("name", "driver", "attachable", "driver_opts", "labels", "external", "internal", "ipam")


def external_name(name: str, field: Field) -> str | None:
    """The name an `external:` network (or secret, config) is looked up by; None if it is not external."""
    value = field.value.get("external") if isinstance(field.value, dict) else None
    entry = Field(value, field.path + ("external",))
    if value is None or value is False:
        return None
    if isinstance(value, dict):
        entry.mapping(("name",))
        return entry.get("name", Field.name, field.get("name", Field.name, name))
    entry.flag()
    return field.get("name", Field.name, name)


def networks(field: Field) -> tuple[NetworkDecl, ...]:
    """A compose top-level `networks:` mapping."""
    return tuple(network(name, entry) for name, entry in field.mapping().items())


STACK_KEYS = ("version", "name", "services", "networks")


def stack(field: Field) -> tuple[tuple[ServiceSpec, ...], tuple[NetworkDecl, ...]]:
    """The services and networks of a whole compose (stack) file."""
    field.mapping(STACK_KEYS, extensions=True)
    return field.get("services", services, ()), field.get("networks", networks, ())
