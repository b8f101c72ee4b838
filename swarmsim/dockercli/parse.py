"""The docker CLI's command line, parsed into `swarmsim.dockercli.commands` values.

A scenario step is written exactly as a user types it, so the words are read the
way docker/cli reads them: cobra commands with pflag flags (long and shorthand
forms, `--flag=value`, grouped shorthands, `--` and, for `service create`, flags
stopping at the image). Flag defaults and the merging rules of `service update`
follow docker/cli `cli/command/service/{opts,create,update,scale}.go`; the checks
the daemon would make at once (constraint syntax from swarmkit
`manager/constraint/constraint.go`, dnsrr with an ingress port) are made here so
that a scenario fails on load with the line, not half way through a run.

Deviation: `service create` needs `--name`; docker would invent a random name
that no later step could refer to.
"""
from __future__ import annotations

import csv
import ipaddress
from datetime import datetime, timezone
from collections import deque
import difflib
import functools
import re
import shlex
from dataclasses import dataclass, replace
from enum import Enum
from typing import Callable, NamedTuple

from . import capabilities, commands as c, genericresource, template, validate
from ..model.gostrings import fields, quote
from .netopts import swarm_host, validate_dns_search, validate_extra_host, validate_ip_address
from ..control.constraint import parse as parse_constraint
from ..model import (Availability, EndpointSpec, FailureAction, FileRef, Healthcheck, Placement, PortConfig, Resources, RestartCondition,
                    RestartPolicy, ServiceMode, ServiceSpec, TaskSpec, UpdateConfig, UpdateOrder)
from ..model.service import Mount
from .units import INT64_MAX, NANO, go_duration, parse_cpus, ram_in_bytes


class CommandError(ValueError):
    """A command line docker would refuse, with docker's wording."""


# -- flag values ---------------------------------------------------------------------------------------------------

def _uint(text: str) -> int:
    if not re.fullmatch(r"\d+", text):
        raise ValueError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    if int(text) > validate.UINT64_MAX:
        raise ValueError(f'strconv.ParseUint: parsing "{text}": value out of range')
    return int(text)


def _int(text: str) -> int:
    if not re.fullmatch(r"[-+]?\d+", text):
        raise ValueError(f'strconv.ParseInt: parsing "{text}": invalid syntax')
    if not validate.INT64_MIN <= int(text) <= INT64_MAX:
        raise ValueError(f'strconv.ParseInt: parsing "{text}": value out of range')
    return int(text)


def _reworded(parse: Callable[[str], object], message: str) -> Callable[[str], object]:
    """`parse`, with its ValueError said in docker's words (`message` may use {text})."""
    def run(text: str) -> object:
        try:
            return parse(text)
        except ValueError:
            raise ValueError(message.format(text=text)) from None
    return run


_float = _reworded(float, 'strconv.ParseFloat: parsing "{text}": invalid syntax')


def _ratio(text: str) -> float:
    value = _float(text)
    if not 0 <= value <= 1:
        raise ValueError("max failure ratio cannot be less than 0 or bigger than 1")
    return value


def _duration(text: str) -> float:
    """Seconds from Go's time.ParseDuration (pflag's DurationVar, docker/cli's DurationOpt): a negative one is
    the daemon's to refuse."""
    return go_duration(text) / NANO


def _positive_duration(text: str) -> float:
    """docker/cli's PositiveDurationOpt (the --health-* durations): the CLI refuses a negative one."""
    seconds = _duration(text)
    if seconds < 0:
        raise ValueError("duration cannot be negative")
    return seconds


def _bool(text: str) -> bool:
    """strconv.ParseBool."""
    if text in ("1", "t", "T", "true", "TRUE", "True"):
        return True
    if text in ("0", "f", "F", "false", "FALSE", "False"):
        return False
    raise ValueError(f'strconv.ParseBool: parsing "{text}": invalid syntax')


def _choice(enum: type[Enum], refusal: str) -> Callable[[str], Enum]:
    """A value the CLI passes on as written and the daemon's convert matches exactly (`ON-FAILURE` is refused):
    `refusal` is its words, `{}` the value."""
    def parse(text: str) -> Enum:
        try:
            return enum(text)
        except ValueError:
            raise CommandError("Error response from daemon: " + refusal.format(text)) from None
    return parse


def _mode(text: str) -> ServiceMode:
    """opts.go ToServiceMode: the four names exactly."""
    try:
        return ServiceMode(text)
    except ValueError:
        raise CommandError(f"Unknown mode: {text}, only replicated and global supported") from None


def _endpoint_mode(text: str) -> str:
    """The CLI lowers it; the daemon knows two."""
    if text.lower() not in ("vip", "dnsrr"):
        raise CommandError(f'Error response from daemon: invalid resolution mode: "{text.lower()}"')
    return text.lower()


def _one_of(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text.lower() not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}")
        return text.lower()
    return parse


def check_constraint(text: str) -> str:
    """A placement constraint as swarmkit's constraint.Parse accepts it: `key==value` or `key!=value`."""
    parse_constraint(text)
    return text


def check_spread(text: str) -> str:
    """The descriptor of a `spread=DESCRIPTOR` placement preference."""
    strategy, sep, arg = text.partition("=")
    if not sep or not strategy:
        raise ValueError('placement preference must be of the format "<strategy>=<arg>"')
    if strategy != "spread":
        raise ValueError(f"unsupported placement preference {strategy} (only spread is supported)")
    return arg


def _parse_uint16(text: str) -> int:
    """strconv.ParseUint(text, 10, 16), with Go's words for what is wrong."""
    if not re.fullmatch("[0-9]+", text):
        raise ValueError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    if int(text) > 65535:
        raise ValueError(f'strconv.ParseUint: parsing "{text}": value out of range')
    return int(text)


def _long_port(text: str) -> PortConfig:
    """opts.PortOpt's long syntax (docker/cli 20.10): keys and values lowercased, each checked as it comes."""
    config = {"target": 0, "published": 0, "protocol": "", "mode": ""}
    for field in next(csv.reader([text])):
        key, sep, value = field.partition("=")
        if not sep:
            raise ValueError(f"invalid field {field}")
        key, value = key.lower(), value.lower()
        if key == "protocol":
            if value not in ("tcp", "udp", "sctp"):
                raise ValueError(f"invalid protocol value {value}")
        elif key == "mode":
            if value not in ("ingress", "host"):
                raise ValueError(f"invalid publish mode value {value}")
        elif key in ("target", "published"):
            value = _parse_uint16(value)
        else:
            raise ValueError(f"invalid field key {key}")
        config[key] = value
    if not config["target"]:
        raise ValueError('missing mandatory field "target"')
    return PortConfig(target=config["target"], published=config["published"], protocol=config["protocol"] or "tcp",
                      mode=config["mode"] or "ingress")


@dataclass(frozen=True, slots=True)
class PortMapping:
    """One container port of a short port spec and its binding, as go-connections nat (v0.4.0, which docker/cli
    20.10 vendors) gives them: `host` is the binding's text, a range when one container port takes a host range."""

    ip: str
    host: str
    container: int
    protocol: str

    @property
    def key(self) -> str:
        """nat.Port: "80/tcp"."""
        return f"{self.container}/{self.protocol}"


def _nat_range(text: str) -> tuple[int, int] | None:
    """nat.ParsePortRange: a port, or START-END (what follows a second `-` ignored); None if invalid."""
    ends = text.split("-")[:2] if "-" in text else [text]
    if not all(re.fullmatch("[0-9]+", end) and int(end) <= 65535 for end in ends):
        return None
    low, high = int(ends[0]), int(ends[-1])
    return (low, high) if high >= low else None


def _nat_ip(raw: str) -> str:
    """The host address of a short port spec, brackets stripped (net.SplitHostPort of `raw:`), checked."""
    ip = raw
    if raw.startswith("["):
        inner, sep, rest = raw[1:].partition("]")
        if not sep or rest:
            raise ValueError(f"Invalid ip address {raw}: address {raw}:: "
                             + ("missing ']' in address" if not sep else "missing port in address"))
        ip = inner
    elif ":" in raw:
        raise ValueError(f"Invalid ip address {raw}: address {raw}:: too many colons in address")
    if ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise ValueError(f"Invalid ip address: {ip}") from None
    return ip


def nat_port_spec(raw: str) -> list[PortMapping]:
    """nat.ParsePortSpec: `[IP:][HOST:]CONTAINER[/PROTOCOL]`, its checks in its order and with its words. A
    container range needs a host range of its length; one container port may take a host range, kept whole."""
    parts = raw.split(":")
    ip, host, container = ":".join(parts[:-2]), (parts[-2] if len(parts) > 1 else ""), parts[-1]
    pieces = container.split("/")
    if not pieces[0]:
        container, protocol = "", ""
    else:
        container, protocol = pieces[0], (pieces[1] if len(pieces) > 1 and pieces[1] else "tcp")
    ip = _nat_ip(ip)
    if not container:
        raise ValueError(f"No port specified: {raw}<empty>")
    targets = _nat_range(container)
    if targets is None:
        raise ValueError(f"Invalid containerPort: {container}")
    hosts = (0, 0)
    if host:
        hosts = _nat_range(host)
        if hosts is None:
            raise ValueError(f"Invalid hostPort: {host}")
        if targets[1] - targets[0] != hosts[1] - hosts[0] and targets[0] != targets[1]:
            raise ValueError(f"Invalid ranges specified for container and host Ports: {container} and {host}")
    if protocol.lower() not in ("tcp", "udp", "sctp"):
        raise ValueError(f"Invalid proto: {protocol}")
    out = []
    for i in range(targets[1] - targets[0] + 1):
        binding = str(hosts[0] + i) if host else ""
        if targets[0] == targets[1] and hosts[0] != hosts[1]:
            binding += f"-{hosts[1]}"
        out.append(PortMapping(ip, binding, targets[0] + i, protocol.lower()))
    return out


def port_configs(mapping: PortMapping) -> tuple[PortConfig, ...]:
    """opts.ConvertPortToPortConfig: one ingress port per published port of the binding (none published: one with
    the swarm's choice), all to the same target."""
    published = _nat_range(mapping.host) if mapping.host else (0, 0)
    return tuple(PortConfig(target=mapping.container, published=p, protocol=mapping.protocol)
                 for p in range(published[0], published[1] + 1))


def _short_ports(text: str) -> tuple[PortConfig, ...]:
    """`--publish`'s short syntax: nat's spec without a host address."""
    mappings = nat_port_spec(text)
    if any(m.ip for m in mappings):
        raise ValueError("hostip is not supported")
    return tuple(port for m in mappings for port in port_configs(m))


_MOUNT_FLAGS = ("readonly", "ro", "volume-nocopy", "bind-nonrecursive")  # fields that may come without a value


def _pairs_add(pairs: tuple[tuple[str, str], ...], text: str) -> tuple[tuple[str, str], ...]:
    """setValueOnMap: KEY=VALUE (or KEY alone, empty) into a map, a later key replacing an earlier one."""
    key, _, value = text.partition("=")
    return tuple(sorted({**dict(pairs), key: value}.items()))


def parse_mount(text: str) -> Mount:
    """docker/cli 20.10 opts.MountOpt.Set: one CSV line of fields, keys lower-cased, volume by default;
    a field of options creates its options block, and a block that does not fit the type is refused."""
    if text == "":
        raise ValueError("EOF")  # Go's csv reader on an empty line
    found: dict[str, object] = {"type": "volume", "source": "", "target": "", "read_only": False}
    bind: dict | None = None
    volume: dict | None = None
    tmpfs: dict | None = None
    for field in next(csv.reader([text])):
        key, has_value, value = field.partition("=")
        key = key.lower()
        if not has_value and key in _MOUNT_FLAGS:
            value, has_value = "true", True
        if not has_value:
            raise ValueError(f"invalid field '{field}' must be a key=value pair")
        if key in ("bind-propagation", "bind-nonrecursive"):
            bind = bind or {"propagation": "", "nonrecursive": False}
        elif key.startswith("volume-"):
            volume = volume or {"nocopy": False, "labels": (), "driver": "", "options": ()}
        elif key.startswith("tmpfs-"):
            tmpfs = tmpfs or {"size": 0, "mode": 0}
        if key == "type":
            found["type"] = value.lower()
        elif key in ("source", "src"):
            found["source"] = value
        elif key in ("target", "dst", "destination"):
            found["target"] = value
        elif key in ("readonly", "ro", "bind-nonrecursive", "volume-nocopy"):
            try:
                flag = _bool(value)
            except ValueError:
                raise ValueError(f"invalid value for volume-nocopy: {value}" if key == "volume-nocopy"
                                 else f"invalid value for {key}: {value}") from None
            if key == "bind-nonrecursive":
                bind["nonrecursive"] = flag
            elif key == "volume-nocopy":
                volume["nocopy"] = flag
            else:
                found["read_only"] = flag
        elif key == "consistency":
            pass  # kept by the CLI, dropped by the daemon's conversion to swarmkit's spec
        elif key == "bind-propagation":
            bind["propagation"] = value.lower()
        elif key == "volume-label":
            volume["labels"] = _pairs_add(volume["labels"], value)
        elif key == "volume-driver":
            volume["driver"] = value
        elif key == "volume-opt":
            volume["options"] = _pairs_add(volume["options"], value)
        elif key == "tmpfs-size":
            try:
                tmpfs["size"] = ram_in_bytes(value)
            except ValueError:
                raise ValueError(f"invalid value for {key}: {value}") from None
        elif key == "tmpfs-mode":
            if not re.fullmatch("[0-7]+", value) or int(value, 8) > 0xFFFFFFFF:
                raise ValueError(f"invalid value for {key}: {value}")
            tmpfs["mode"] = int(value, 8)
        else:
            raise ValueError(f"unexpected key '{key}' in '{field}'")
    kind = found["type"]
    if not kind:
        raise ValueError("type is required")
    if not found["target"]:
        raise ValueError("target is required")
    for block, name in ((volume, "volume"), (bind, "bind"), (tmpfs, "tmpfs")):
        if block is not None and kind != name:
            raise ValueError(f"cannot mix '{name}-*' options with mount type '{kind}'")
    return Mount(type=kind, source=found["source"], target=found["target"], read_only=found["read_only"],
                 bind=None if bind is None else (bind["propagation"], bind["nonrecursive"]),
                 volume=None if volume is None else (volume["nocopy"], volume["labels"], volume["driver"],
                                                     volume["options"]),
                 tmpfs=None if tmpfs is None else (tmpfs["size"], tmpfs["mode"]))


# docker/cli tells the long syntax by `\w+=\w+(,\w+=\w+)*` found anywhere (Go's regexp is linear time); in
# Python that pattern backtracks in quadratic time over a long word, and `\w=\w` is found exactly when it is
_LONG_SYNTAX = re.compile(r"\w=\w")


def parse_ports(text: str) -> tuple[PortConfig, ...]:
    """A `--publish` value, short ("8080:80/udp", "8000-8010:80") or long ("published=8080,target=80,mode=host")."""
    if _LONG_SYNTAX.search(text):
        return (_long_port(text),)
    return _short_ports(text)


def _string_slice(text: str) -> tuple[str, ...]:
    """pflag's StringSlice: comma-separated values, CSV quoting allowed."""
    return tuple(next(csv.reader([text]))) if text else ()


def _key_value(text: str) -> tuple[str, str]:
    """A label: checked as opts.ValidateLabel (on the key with its left blanks trimmed), kept as
    ConvertKVStringsToMap splits it, the key as written (` a=1` is the label " a", as docker keeps it)."""
    key, _, value = text.partition("=")
    checked = key.lstrip(" \t")
    if not checked:
        raise ValueError(f"invalid label '{text}': empty name")
    if re.search("[ \t]", checked):
        raise ValueError(f"label '{checked}' contains whitespaces")
    return key, value


def _env(text: str) -> str:
    """opts.ValidateEnv, the validator of --env and --log-opt: a name before any `=`."""
    if not text.partition("=")[0]:
        raise ValueError(f"invalid environment variable: {text}")
    return text


class Attachment(NamedTuple):
    """A `--network` / `--network-add` value: the network, its aliases and its driver options."""

    name: str
    aliases: tuple[str, ...] = ()
    opts: tuple[tuple[str, str], ...] = ()


def _attachment(text: str) -> Attachment:
    """opts.NetworkOpt: a name, or the long syntax `name=N[,alias=A...][,driver-opt=K=V...]`, every key and
    value lower-cased as the CLI does (ipv4/ipv6 addresses are read, not kept: a service task gets its own)."""
    if not _LONG_SYNTAX.search(text):
        return Attachment(text)
    name, aliases, opts = "", [], {}
    for field in next(csv.reader([text]), []):
        key, sep, value = field.partition("=")
        if not sep:
            raise ValueError(f"invalid field {field}")
        key, value = key.strip().lower(), value.strip().lower()
        if key == "name":
            name = value
        elif key == "alias":
            aliases.append(value)
        elif key == "driver-opt":
            opt, sep, setting = value.partition("=")
            if not sep:
                raise ValueError("invalid key value pair format in driver options")
            opts[opt.strip()] = setting.strip()
        elif key not in ("ip", "ip6"):
            raise ValueError(f"invalid field key {key}")
    if not name:
        raise ValueError("network name/id is not specified")
    return Attachment(name, tuple(aliases), tuple(sorted(opts.items())))


def _network(text: str) -> str:
    """A network a flag names (`--network-rm`): the attachment's name."""
    return _attachment(text).name


# go-units' ulimitNameMapping ("as" left out, as there)
_ULIMITS = ("core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss",
            "rtprio", "rttime", "sigpending", "stack")


def _ulimit(text: str) -> tuple[str, int, int]:
    """go-units ParseUlimit: NAME=SOFT[:HARD] (HARD defaults to SOFT; -1 is unlimited), in its words."""
    name, sep, limits = text.partition("=")
    if not sep:
        raise ValueError(f"invalid ulimit argument: {text}")
    if name not in _ULIMITS:
        raise ValueError(f"invalid ulimit type: {name}")
    values = limits.split(":")
    if len(values) > 2:
        raise ValueError(f"too many limit value arguments - {limits}, can only have up to two, `soft[:hard]`")
    hard = _int(values[1]) if len(values) == 2 else None
    soft = _int(values[0])
    hard = soft if hard is None else hard
    if hard != -1 and soft == -1:
        raise ValueError(f"ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), "
                         f"hard: {hard}")
    if hard != -1 and soft > hard:
        raise ValueError(f"ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}")
    return name, soft, hard


def isolation(text: str) -> str:
    """Any word is sent; moby's conversion to swarmkit's enum keeps process and hyperv (in any case) and
    makes the rest default."""
    return text.lower() if text.lower() in ("process", "hyperv") else "default"


_BASES = {"0x": 16, "0b": 2, "0o": 8}


def _uint32_base0(text: str) -> int:
    """strconv.ParseUint(text, 0, 32): 0x, 0b, 0o or a leading 0 for octal; underscores only after a prefix."""
    prefix = text[:2].lower()
    base, digits = (_BASES[prefix], text[2:]) if prefix in _BASES else (8, text[1:]) if text[:1] == "0" \
        and len(text) > 1 else (10, text)
    alphabet = "0123456789abcdef"[:base]
    groups = digits.lower().split("_")
    if not digits or not all(groups) or (len(groups) > 1 and base == 10) or \
            any(ch not in alphabet for group in groups for ch in group):
        raise ValueError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    value = int("".join(groups), base)
    if value > 0xFFFFFFFF:
        raise ValueError(f'strconv.ParseUint: parsing "{text}": value out of range')
    return value


def _file_ref(kind: str) -> Callable[[str], FileRef]:
    """`--secret`/`--config`: NAME, or source=NAME[,target=,uid=,gid=,mode=] as opts.SecretOpt/ConfigOpt read
    them (a csv line; keys in any case; mode as strconv.ParseUint(v, 0, 32); the target the name by default)."""
    def parse(text: str) -> FileRef:
        fields = next(csv.reader([text]), [])
        if len(fields) == 1 and "=" not in fields[0]:
            return FileRef(fields[0])
        ref = {"source": "", "target": "", "uid": "0", "gid": "0", "mode": 0o444}
        for field in fields:
            key, sep, value = field.partition("=")
            if not sep:
                raise ValueError(f"invalid field '{field}' must be a key=value pair")
            key = key.lower()
            if key in ("source", "src", "target", "uid", "gid"):
                ref["source" if key == "src" else key] = value
            elif key == "mode":
                try:
                    ref["mode"] = _uint32_base0(value)
                except ValueError as err:
                    raise ValueError(f"invalid mode specified: {err}") from None
            else:
                raise ValueError(f"invalid field in {kind} request: {key}")
        if not ref["source"]:
            raise ValueError("source is required")
        return FileRef(**ref)
    return parse


def _file_refs(refs: list[FileRef], kind: str) -> tuple[FileRef, ...]:
    """ParseSecrets/ParseConfigs: one target once (docker lists them in Go map order; here as given)."""
    targets: set[str] = set()
    for ref in refs:
        if ref.target in targets:
            raise CommandError(f"duplicate {kind} target for {ref.source} not allowed")
        targets.add(ref.target)
    return tuple(refs)


def _words(text: str) -> tuple[str, ...]:
    return tuple(shlex.split(text))


def _text(text: str) -> str:
    return text


# -- flags and their parsing (pflag) -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Flag:
    """One flag; `parse` turns its text into a value, None marks a boolean flag."""

    name: str
    parse: Callable[[str], object] | None = None
    short: str = ""

    @property
    def label(self) -> str:
        return f"-{self.short}, --{self.name}" if self.short else f"--{self.name}"


@dataclass(slots=True)
class Args:
    """Flags in the order given (one pair per occurrence) and the positional arguments."""

    values: list[tuple[str, object]]
    positionals: list[str]

    def has(self, *names: str) -> bool:
        return any(name == n for n, _ in self.values for name in names)

    def last(self, name: str, default: object = None) -> object:
        found = [value for n, value in self.values if n == name]
        return found[-1] if found else default

    def every(self, name: str) -> list:
        return [value for n, value in self.values if n == name]

    def true(self, name: str) -> bool:
        return bool(self.last(name, False))


def _help(path: str) -> CommandError:
    return CommandError(f"--help is not a scenario step: run `docker {path} --help` in a terminal to read about it"
                        .replace("docker  ", "docker "))


@dataclass(frozen=True, slots=True)
class CommandSpec:
    path: str
    flags: tuple[Flag, ...]
    build: Callable[[Args], object]
    min_args: int = 0
    max_args: int | None = 0
    interspersed: bool = True

    def long(self, name: str) -> Flag:
        return self._find("name", name, "help", lambda: f"unknown flag: --{name}{self._suggest(name)}")

    def short(self, letter: str, word: str) -> Flag:
        return self._find("short", letter, "h", lambda: f"unknown shorthand flag: '{letter}' in {word}")

    def _find(self, attr: str, value: str, help_flag: str, unknown: Callable[[], str]) -> Flag:
        for flag in self.flags:
            if getattr(flag, attr) == value:
                return flag
        raise _help(self.path) if value == help_flag else CommandError(unknown())

    def _suggest(self, name: str) -> str:
        names = [flag.name for flag in self.flags]
        close = difflib.get_close_matches(name, names, n=1)
        if close:
            return f" (did you mean --{close[0]}?)"
        return f" ('docker {self.path}' accepts: {', '.join('--' + n for n in names) or 'no flags'})"

    def parse(self, argv: list[str]) -> Args:
        args = Args([], [])
        words = deque(argv)  # popped from the front: a list would make a long command line quadratic
        while words:
            word = words.popleft()
            if word == "--":
                args.positionals.extend(words)
                break
            if word.startswith("--"):
                self._parse_long(word, words, args)
            elif word.startswith("-") and len(word) > 1:
                self._parse_shorts(word, words, args)
            elif self.interspersed:
                args.positionals.append(word)
            else:
                args.positionals.extend([word, *words])
                break
        self._check_arity(args.positionals)
        return args

    def _parse_long(self, word: str, words: deque[str], args: Args) -> None:
        name, has_value, value = word[2:].partition("=")
        flag = self.long(name)
        if flag.parse is None:
            args.values.append((flag.name, _set(flag, _bool, value) if has_value else True))
            return
        if not has_value:
            if not words:
                raise CommandError(f"flag needs an argument: --{name}")
            value = words.popleft()
        args.values.append((flag.name, _set(flag, flag.parse, value)))

    def _parse_shorts(self, word: str, words: deque[str], args: Args) -> None:
        rest = word[1:]
        while rest:
            flag, rest = self.short(rest[0], word), rest[1:]
            if flag.parse is None:
                if rest.startswith("="):
                    args.values.append((flag.name, _set(flag, _bool, rest[1:])))
                    return
                args.values.append((flag.name, True))
                continue
            value = rest.removeprefix("=")
            if not value:
                if not words:
                    raise CommandError(f"flag needs an argument: '{flag.short}' in -{flag.short}")
                value = words.popleft()
            args.values.append((flag.name, _set(flag, flag.parse, value)))
            return

    def _check_arity(self, positionals: list[str]) -> None:
        n, low, high = len(positionals), self.min_args, self.max_args
        noun = "argument" if low == 1 else "arguments"
        if high == 0 and n:
            raise CommandError(f'"docker {self.path}" accepts no arguments.')
        if low == high and n != low:
            raise CommandError(f'"docker {self.path}" requires exactly {low} {noun}.')
        if n < low:
            raise CommandError(f'"docker {self.path}" requires at least {low} {noun}.')


def _set(flag: Flag, parse: Callable[[str], object], text: str) -> object:
    try:
        return parse(text)
    except CommandError:  # the daemon's refusal, not the flag parser's
        raise
    except ValueError as err:
        raise CommandError(f"invalid argument {quote(text)} for {quote(flag.label)} flag: {err}") from None  # pflag's %q


# -- service create / update ---------------------------------------------------------------------------------------

def _update_flags(prefix: str) -> tuple[Flag, ...]:
    return (Flag(f"{prefix}-parallelism", _uint), Flag(f"{prefix}-delay", _duration),
            Flag(f"{prefix}-failure-action", _choice(FailureAction, "unrecognized update failure action {}")),
            Flag(f"{prefix}-monitor", _duration), Flag(f"{prefix}-max-failure-ratio", _ratio),
            Flag(f"{prefix}-order", _choice(UpdateOrder, "unrecognized update order {}")))


_DETACH = Flag("detach", short="d")
_QUIET = Flag("quiet", short="q")

_COMMON_SERVICE_FLAGS = (
    _DETACH, _QUIET, Flag("replicas", _uint), Flag("replicas-max-per-node", _uint),
    Flag("reserve-cpu", parse_cpus), Flag("reserve-memory", ram_in_bytes),
    Flag("limit-cpu", parse_cpus), Flag("limit-memory", ram_in_bytes), Flag("limit-pids", _int),
    Flag("isolation", isolation),
    Flag("stop-grace-period", _duration),
    Flag("restart-condition", _choice(RestartCondition, 'invalid RestartCondition: "{}"')),
    Flag("restart-delay", _duration), Flag("restart-max-attempts", _uint), Flag("restart-window", _duration),
    *_update_flags("update"), *_update_flags("rollback"),
    Flag("endpoint-mode", _endpoint_mode), Flag("no-resolve-image"), Flag("with-registry-auth"),
    Flag("health-cmd", _text), Flag("health-interval", _positive_duration),
    Flag("health-timeout", _positive_duration), Flag("health-retries", _uint),
    Flag("health-start-period", _positive_duration), Flag("no-healthcheck"),
    Flag("hostname", _text), Flag("user", _text, "u"), Flag("workdir", _text, "w"), Flag("init"),
    Flag("read-only"), Flag("tty", short="t"), Flag("stop-signal", _text), Flag("entrypoint", _words),
    Flag("cap-add", _text), Flag("cap-drop", _text), Flag("log-driver", _text), Flag("log-opt", _env),
)

#: The boolean ContainerSpec flags: `--tty=false` on an update is a change (pflag's Changed), not an absence.
_CONTAINER_SWITCHES = ("init", "read-only", "tty")

_CREATE_FLAGS = _COMMON_SERVICE_FLAGS + (
    Flag("name", _text), Flag("mode", _mode), Flag("constraint", check_constraint),
    Flag("placement-pref", check_spread), Flag("publish", parse_ports, "p"), Flag("network", _attachment),
    Flag("env", _env, "e"), Flag("label", _key_value, "l"), Flag("secret", _file_ref("secret")), Flag("config", _file_ref("config")),
    Flag("generic-resource", genericresource.check_term), Flag("max-concurrent", _uint),
    Flag("mount", parse_mount), Flag("container-label", _key_value), Flag("env-file", _text),
    Flag("group", _text), Flag("dns", validate_ip_address), Flag("dns-search", validate_dns_search),
    Flag("dns-option", _text), Flag("host", validate_extra_host), Flag("sysctl", _text), Flag("ulimit", _ulimit),
)

_UPDATE_FLAGS = _COMMON_SERVICE_FLAGS + (
    Flag("max-concurrent", _uint),  # registered for update too, and never read by updateService
    Flag("image", _text), Flag("force"), Flag("rollback"), Flag("args", _words),
    Flag("env-add", _env), Flag("env-rm", _text), Flag("label-add", _key_value), Flag("label-rm", _text),
    Flag("constraint-add", check_constraint), Flag("constraint-rm", _text),
    Flag("placement-pref-add", check_spread), Flag("placement-pref-rm", check_spread),
    Flag("publish-add", parse_ports), Flag("publish-rm", parse_ports),
    Flag("network-add", _attachment), Flag("network-rm", _network),
    Flag("secret-add", _file_ref("secret")), Flag("secret-rm", _text), Flag("config-add", _file_ref("config")),
    Flag("config-rm", _text), Flag("generic-resource-add", genericresource.check_term),
    Flag("generic-resource-rm", _text), Flag("mount-add", parse_mount), Flag("mount-rm", _text),
    Flag("container-label-add", _key_value), Flag("container-label-rm", _text),
    Flag("group-add", _text), Flag("group-rm", _text),
    Flag("dns-add", validate_ip_address), Flag("dns-rm", _text), Flag("dns-search-add", validate_dns_search),
    Flag("dns-search-rm", _text), Flag("dns-option-add", _text), Flag("dns-option-rm", _text),
    Flag("host-add", validate_extra_host), Flag("host-rm", _text), Flag("sysctl-add", _text),
    Flag("sysctl-rm", _text), Flag("ulimit-add", _ulimit), Flag("ulimit-rm", _text),
)

#: Flags of `service update` that change how the command runs, not the service.
_NOT_CHANGES = ("detach", "quiet", "rollback", "no-resolve-image", "with-registry-auth")


def _with_env(env: tuple[str, ...], additions: list[str]) -> tuple[str, ...]:
    """An update's `--env-add`: each addition replaces any variable of the same name (docker/cli
    updateEnvironment keys them by name in a Go map, so docker's order is the map's; here those kept come
    first and the added last, in the order of their last addition)."""
    last = {item.partition("=")[0]: (i, item) for i, item in enumerate(additions)}
    kept = [e for e in env if e.partition("=")[0] not in last]
    return tuple(kept + [item for _, item in sorted(last.values())])


MAKE_ENV_EXACT = 2_000  # variables of one create emulated exactly (a few million steps at most)


def _make_env(variables: list[str]) -> tuple[str, ...]:
    """service create's makeEnv, its Go slice behaviour kept: each variable removes the earlier `KEY=...`
    entries (not a bare `KEY`, nor one equal to it, which stays twice) and goes last. The removal shifts the
    slice under a range that goes on over the old length, so of two entries in a row to remove the second
    stays, as docker's does. That loop is quadratic (in docker too): past MAKE_ENV_EXACT variables, each
    replaces the earlier ones of its name instead (`_with_env`), which differs only with repeated names."""
    if len(variables) > MAKE_ENV_EXACT:
        return _with_env((), variables)
    env: list[str] = []
    for item in variables:
        key = item.split("=", 1)[0]
        backing, length = list(env), len(env)
        for i in range(len(env)):
            if backing[i] != item and backing[i].startswith(key + "=") and i < length:
                last = backing[-1]
                del backing[i]
                backing.append(last)  # the shift leaves the array's old last element past the slice's end
                length -= 1
        env = backing[:length] + [item]
    return tuple(env)


def _resources(base: Resources, a: Args, prefix: str) -> Resources:
    return Resources(nano_cpus=a.last(f"{prefix}-cpu", base.nano_cpus),
                     memory_bytes=a.last(f"{prefix}-memory", base.memory_bytes),
                     generic=_generic(base.generic, a) if prefix == "reserve" else (),
                     pids=a.last("limit-pids", base.pids) if prefix == "limit" else 0)


def _generic(base: tuple[tuple[str, int], ...], a: Args) -> tuple[tuple[str, int], ...]:
    """`--generic-resource` on create; `--generic-resource-add` then `-rm` on update (docker/cli update.go)."""
    try:
        if a.has("generic-resource"):
            return genericresource.service_request(a.every("generic-resource"))
        kinds = dict(base)
        if a.has("generic-resource-add"):
            kinds |= dict(genericresource.service_request(a.every("generic-resource-add")))
        for kind in a.every("generic-resource-rm"):
            if kind not in kinds:
                raise ValueError(f"could not find generic-resource `{kind}` to remove it")
            del kinds[kind]
        return tuple(kinds.items())
    except ValueError as err:
        raise CommandError(str(err)) from None


def _restart(base: RestartPolicy, a: Args) -> RestartPolicy:
    return RestartPolicy(condition=a.last("restart-condition", base.condition),
                         delay=a.last("restart-delay", base.delay),
                         max_attempts=a.last("restart-max-attempts", base.max_attempts),
                         window=a.last("restart-window", base.window))


_HEALTH = ("health-cmd", "health-interval", "health-timeout", "health-retries", "health-start-period")


def _healthcheck(base: Healthcheck | None, a: Args, create: bool) -> Healthcheck | None:
    """The --health-* flags: on a create as opts.go toHealthConfig (a healthcheck only for a non-empty command,
    an interval or timeout given, even 0s, or retries; an empty command tests nothing), on an update as
    updateHealthcheck over the current one (any flag given makes one; `--health-cmd ''` clears the test)."""
    if create:
        given = bool(a.last("health-cmd")) or a.has("health-interval", "health-timeout") or bool(a.last("health-retries"))
    else:
        given = a.has(*_HEALTH)
    if a.true("no-healthcheck"):
        if given:
            raise CommandError("--no-healthcheck conflicts with --health-* options")
        return Healthcheck(test=("NONE",))
    if not given:
        return None if create else base
    base = base or Healthcheck()
    test = () if base.test[:1] == ("NONE",) else base.test
    if a.has("health-cmd"):
        test = ("CMD-SHELL", a.last("health-cmd")) if a.last("health-cmd") else ()
    return Healthcheck(test=test, interval=a.last("health-interval", base.interval),
                       timeout=a.last("health-timeout", base.timeout), retries=a.last("health-retries", base.retries),
                       start_period=a.last("health-start-period", base.start_period))


def _update_config(base: UpdateConfig, a: Args, prefix: str) -> UpdateConfig:
    """The given `--update-*` (or `--rollback-*`) flags merged onto `base`."""
    return UpdateConfig(**{field: a.last(f"{prefix}-{field.replace('_', '-')}", getattr(base, field))
                           for field in UpdateConfig.__slots__})


def _flat(groups: list[tuple[PortConfig, ...]]) -> tuple[PortConfig, ...]:
    return tuple(port for group in groups for port in group)


def check_endpoint(endpoint: EndpointSpec) -> EndpointSpec:
    """The daemon's checks of an endpoint spec (swarmkit controlapi validateEndpointSpec)."""
    seen = set()
    for port in endpoint.ports:
        if endpoint.mode == "dnsrr" and port.mode == "ingress":
            raise CommandError("port published with ingress mode can't be used with dnsrr mode "
                               "(publish it with mode=host, or use --endpoint-mode vip)")
        if port.published and (port.published, port.protocol) in seen:
            raise CommandError("duplicate published ports provided")
        seen.add((port.published, port.protocol))
    return endpoint


def _mode(a: Args) -> tuple[ServiceMode, int, int]:
    """The mode, replicas (a job's total completions) and max concurrent, checked as docker/cli's ToServiceMode;
    a replicated job's max concurrent defaults to its replicas, both to the daemon's 1."""
    mode = a.last("mode", ServiceMode.REPLICATED)
    checks = {"replicas": a.has("replicas") and mode.per_node,
              "replicas-max-per-node": a.last("replicas-max-per-node", 0) > 0 and mode.per_node,
              "max-concurrent": a.has("max-concurrent") and mode is not ServiceMode.REPLICATED_JOB}
    order = (("replicas-max-per-node", "max-concurrent", "replicas") if mode is ServiceMode.GLOBAL_JOB
             else ("replicas", "replicas-max-per-node", "max-concurrent"))
    for flag in order:
        if checks[flag]:
            raise CommandError(f"{flag} can only be used with replicated-job mode" if flag == "max-concurrent"
                               else f"{flag} can only be used with replicated or replicated-job mode")
    if mode.is_job and any(a.has(f) for f in _update_flag_names):
        raise CommandError("update and rollback configuration is not supported for jobs")
    replicas = a.last("replicas", None)
    concurrent = a.last("max-concurrent", replicas)
    if concurrent is None:
        concurrent = 1
    return mode, (concurrent if replicas is None else replicas), concurrent


_update_flag_names = tuple(f.name for f in _update_flags("update") + _update_flags("rollback"))


def _container_scalars(task: TaskSpec, a: Args) -> dict[str, object]:
    """The ContainerSpec fields a flag sets outright, on create as on update (update.go's updateString,
    updateBoolPtr, updateStringToSlice): the flag given replaces, one not given keeps the value."""
    return dict(isolation=a.last("isolation", task.isolation), command=a.last("entrypoint", task.command), hostname=a.last("hostname", task.hostname),
                dir=a.last("workdir", task.dir), user=a.last("user", task.user), init=a.last("init", task.init),
                stop_signal=a.last("stop-signal", task.stop_signal), tty=a.last("tty", task.tty),
                read_only=a.last("read-only", task.read_only))


def _log_driver(current: tuple | None, a: Args) -> tuple | None:
    """toLogDriver on create, updateLogDriver on update: only a --log-driver with a name sets the driver,
    with exactly the --log-opt options given (ConvertKVStringsToMap); --log-opt alone changes nothing."""
    name = a.last("log-driver", "")
    if not name:
        return current
    return name, functools.reduce(_pairs_add, a.every("log-opt"), ())


def _build_create(a: Args) -> c.ServiceCreate:
    mode, replicas, concurrent = _mode(a)
    if not a.last("name"):
        raise CommandError("--name is required: docker would pick a random name that later steps could not use")
    image, *args = a.positionals
    base = TaskSpec(image=image)
    task = replace(
        base, args=tuple(args), env=_make_env(a.every("env")),
        stop_grace_period=a.last("stop-grace-period", base.stop_grace_period),
        reservations=_resources(base.reservations, a, "reserve"), limits=_resources(base.limits, a, "limit"),
        restart_policy=_restart(base.restart_policy, a),
        placement=Placement(constraints=tuple(a.every("constraint")), preferences=tuple(a.every("placement-pref")),
                            max_replicas=a.last("replicas-max-per-node", 0)),
        **_attachments(list({n.name: n for n in a.every("network")}.values())),
        healthcheck=_healthcheck(None, a, create=True),
        secrets=_file_refs(a.every("secret"), "secret"), configs=_file_refs(a.every("config"), "config"),
        mounts=tuple(a.every("mount")), labels=tuple(sorted(dict(a.every("container-label")).items())),
        groups=tuple(a.every("group")), dns=tuple(tuple(a.every(f)) for f in _DNS_FLAGS),
        hosts=tuple(map(swarm_host, a.every("host"))),
        capabilities=capabilities.effective(a.every("cap-add"), a.every("cap-drop")),
        log_driver=_log_driver(None, a), sysctls=functools.reduce(_pairs_add, a.every("sysctl"), ()),
        ulimits=_ulimits_update((), a, "ulimit"),
        **_container_scalars(base, a),
    )
    spec = ServiceSpec(
        name=a.last("name"), task=task, mode=mode, replicas=replicas, max_concurrent=concurrent,
        endpoint=check_endpoint(EndpointSpec(mode=a.last("endpoint-mode", "vip"), ports=_flat(a.every("publish")))),
        update_config=_update_config(UpdateConfig(), a, "update"),
        rollback_config=_update_config(UpdateConfig(), a, "rollback"),
        labels=dict(a.every("label")),
    )
    return c.ServiceCreate(spec=spec, detach=a.true("detach"), resolve_image=not a.true("no-resolve-image"),
                           quiet=a.true("quiet"),
                           env_files=tuple(a.every("env-file")))


def with_env_files(create: c.ServiceCreate, variables: list[str]) -> c.ServiceCreate:
    """The create with its env files' variables (all files', in flag order) before its `--env` ones, as
    makeEnv merges them (ReadKVEnvStrings: the files first, so `-e` wins)."""
    task = create.spec.task
    task = replace(task, env=_make_env(variables + list(task.env)))
    return replace(create, spec=replace(create.spec, task=task))


def _build_update(a: Args) -> c.ServiceUpdate:
    changes = tuple((name, value) for name, value in a.values
                    if name not in _NOT_CHANGES and (value is not False or name in _CONTAINER_SWITCHES))
    if a.true("rollback") and any(name not in ("rollback", "detach", "quiet") for name, _ in a.values):
        raise CommandError("other flags may not be combined with --rollback")  # update.go: any other flag set
    return c.ServiceUpdate(service=a.positionals[0], changes=changes, detach=a.true("detach"), quiet=a.true("quiet"),
                           rollback=a.true("rollback"), force=a.true("force"),
                           resolve_image=a.has("image") and not a.true("no-resolve-image"))


def _port_key(port: PortConfig) -> str:
    return f"{port.published}:{port.target}/{port.protocol}/{port.mode}"


def _ports_update(ports: tuple[PortConfig, ...], a: Args) -> tuple[PortConfig, ...]:
    """docker's updatePorts: drop ports matching a removal by target, protocol and mode; add new ones; sort."""
    if not a.has("publish-add", "publish-rm"):
        return ports
    current = {_port_key(p): p for p in reversed(ports)}
    removals = _flat(a.every("publish-rm"))
    kept = [p for p in current.values()
            if not any((p.target, p.protocol, p.mode) == (r.target, r.protocol, r.mode) for r in removals)]
    added = [p for p in _flat(a.every("publish-add")) if _port_key(p) not in current]
    return tuple(sorted(kept + added, key=_port_key))


def _placement_update(placement: Placement, a: Args) -> Placement:
    constraints = placement.constraints
    if a.has("constraint-add", "constraint-rm"):
        removed = a.every("constraint-rm")
        constraints = tuple(sorted(x for x in constraints + tuple(a.every("constraint-add")) if x not in removed))
    removed_prefs = a.every("placement-pref-rm")
    kept_prefs = tuple(p for p in placement.preferences if p not in removed_prefs)
    preferences = kept_prefs + tuple(a.every("placement-pref-add"))
    return replace(placement, constraints=constraints, preferences=preferences,
                   max_replicas=a.last("replicas-max-per-node", placement.max_replicas))


def _attachments(attached: list[Attachment]) -> dict:
    """A task spec's networks with their aliases and driver options (empty tuples when none has any)."""
    return {"networks": tuple(n.name for n in attached),
            "aliases": tuple(n.aliases for n in attached) if any(n.aliases for n in attached) else (),
            "network_opts": tuple(n.opts for n in attached) if any(n.opts for n in attached) else ()}


def _networks_update(task: TaskSpec, a: Args) -> dict:
    """`--network-rm` then `--network-add` (each with its aliases and options), the others kept with theirs."""
    removed = a.every("network-rm")
    kept = [Attachment(*attached) for attached in task.attachments() if attached[0] not in removed]
    for added in a.every("network-add"):
        if added.name in (k.name for k in kept):
            raise CommandError(f"service is already attached to network {added.name}")
        kept.append(added)
    return _attachments(kept)


def _refs_update(refs: tuple[FileRef, ...], a: Args, kind: str) -> tuple[FileRef, ...]:
    """getUpdatedSecrets/Configs: those of a name given to --secret-rm/--config-rm dropped, the -add ones
    (checked as on create) after them; a target then used twice is the daemon's to refuse."""
    removed = set(a.every(f"{kind}-rm"))
    return tuple(r for r in refs if r.source not in removed) + _file_refs(a.every(f"{kind}-add"), kind)


def _mounts_update(mounts: tuple[Mount, ...], a: Args) -> tuple[Mount, ...]:
    """docker/cli updateMounts, which runs at every update: the added ones by target (a target twice is
    refused), the old ones on other targets, those whose target is removed dropped, and all sorted by
    (source, target), so an update that names no mount can still reorder them."""
    by_target: dict[str, Mount] = {}
    for mount in a.every("mount-add"):
        if mount.target in by_target:
            raise CommandError("duplicate mount target")
        by_target[mount.target] = mount
    for mount in mounts:
        by_target.setdefault(mount.target, mount)
    removed = set(a.every("mount-rm"))
    return tuple(sorted((m for m in by_target.values() if m.target not in removed),
                        key=lambda m: (m.source, m.target)))


def _replicas_update(spec: ServiceSpec, a: Args) -> int:
    if a.has("replicas") and spec.mode is not ServiceMode.REPLICATED:
        raise CommandError("replicas can only be used with replicated mode")
    return a.last("replicas", spec.replicas)


def _labels_update(labels: dict[str, str], a: Args) -> dict[str, str]:
    removed = a.every("label-rm")
    return {k: v for k, v in labels.items() if k not in removed} | dict(a.every("label-add"))


def _container_labels_update(labels: tuple[tuple[str, str], ...], a: Args) -> tuple[tuple[str, str], ...]:
    """updateContainerLabels: the -rm keys dropped first, then the -add ones set (so adding and removing
    one key in one update keeps it, with the new value)."""
    removed = a.every("container-label-rm")
    kept = {k: v for k, v in labels if k not in removed}
    return tuple(sorted((kept | dict(a.every("container-label-add"))).items()))


def _groups_update(groups: tuple[str, ...], a: Args) -> tuple[str, ...]:
    """updateGroups, only when a -add or -rm is given: the added appended, the removed dropped (every copy),
    the rest sorted."""
    if not a.has("group-add", "group-rm"):
        return groups
    removed = set(a.every("group-rm"))
    return tuple(sorted(g for g in groups + tuple(a.every("group-add")) if g not in removed))


_DNS_FLAGS = ("dns", "dns-search", "dns-option")  # DNSConfig's Nameservers, Search, Options


def _dns_update(dns: tuple[tuple[str, ...], ...], a: Args) -> tuple[tuple[str, ...], ...]:
    """updateDNSConfig, only when one of its six flags is given: in each list, the added appended, the
    duplicates dropped, then the removed, the rest sorted."""
    if not a.has(*(f"{flag}-{op}" for flag in _DNS_FLAGS for op in ("add", "rm"))):
        return dns
    return tuple(tuple(sorted(v for v in dict.fromkeys(values + tuple(a.every(f"{flag}-add")))
                              if v not in a.every(f"{flag}-rm")))
                 for flag, values in zip(_DNS_FLAGS, dns))


def _hosts_update(hosts: tuple[str, ...], a: Args) -> tuple[str, ...]:
    """updateHosts, only when --host-add or --host-rm is given: a removal (HOST, or HOST:IP for that
    address only) takes the name out of each "IP NAME..." line, a line left without names goes, every line
    is written again ("IP NAME...", single spaces), then the added appended and duplicates dropped."""
    if not a.has("host-add", "host-rm"):
        return hosts
    removals = [(name, ip) for name, _, ip in (text.partition(":") for text in a.every("host-rm"))]
    kept = []
    for entry in hosts:
        ip, *names = fields(entry) or [""]
        names = [n for n in names if not any(n == name and rm_ip in ("", ip) for name, rm_ip in removals)]
        if names:
            kept.append(" ".join([ip, *names]))
    return tuple(dict.fromkeys(kept + [swarm_host(h) for h in a.every("host-add")]))


def _sysctls_update(sysctls: tuple[tuple[str, str], ...], a: Args) -> tuple[tuple[str, str], ...]:
    """updateSysCtls: the -rm keys (a KEY=VALUE's key) dropped first, then the -add ones set."""
    removed = {text.partition("=")[0] for text in a.every("sysctl-rm")}
    return functools.reduce(_pairs_add, a.every("sysctl-add"), tuple(p for p in sysctls if p[0] not in removed))


def _ulimits_update(ulimits: tuple[tuple[str, int, int], ...], a: Args, added: str) -> tuple[tuple[str, int, int], ...]:
    """UlimitOpt (one per name, the last one given) on create; updateUlimits on update: the -rm names (a
    NAME=VALUE's name) dropped first, then the -add ones set; sorted by name."""
    removed = {text.partition("=")[0] for text in a.every("ulimit-rm")}
    by_name = {u[0]: u for u in ulimits if u[0] not in removed} | {u[0]: u for u in a.every(added)}
    return tuple(sorted(by_name.values()))


def apply_update(spec: ServiceSpec, changes: tuple[tuple[str, object], ...]) -> ServiceSpec:
    """`spec` after a `docker service update` with these changes, merged as docker/cli's updateService does."""
    a = Args(list(changes), [])
    task = spec.task
    removed_env = a.every("env-rm")
    task = replace(
        task,
        image=a.last("image", task.image),
        args=a.last("args", task.args),
        env=_with_env(tuple(e for e in task.env if e.partition("=")[0] not in removed_env), a.every("env-add")),
        reservations=_resources(task.reservations, a, "reserve"),
        limits=_resources(task.limits, a, "limit"),
        stop_grace_period=a.last("stop-grace-period", task.stop_grace_period),
        restart_policy=_restart(task.restart_policy, a),
        placement=_placement_update(task.placement, a),
        **_networks_update(task, a),
        force_update=task.force_update + int(a.true("force")),
        healthcheck=_healthcheck(task.healthcheck, a, create=False),
        secrets=_refs_update(task.secrets, a, "secret"), configs=_refs_update(task.configs, a, "config"),
        mounts=_mounts_update(task.mounts, a), labels=_container_labels_update(task.labels, a),
        groups=_groups_update(task.groups, a), dns=_dns_update(task.dns, a), hosts=_hosts_update(task.hosts, a),
        capabilities=(capabilities.update(*task.capabilities, a.every("cap-add"), a.every("cap-drop"))
                      if a.has("cap-add", "cap-drop") else task.capabilities),
        log_driver=_log_driver(task.log_driver, a), sysctls=_sysctls_update(task.sysctls, a),
        ulimits=_ulimits_update(task.ulimits, a, "ulimit-add"),
        **_container_scalars(task, a),
    )
    endpoint = EndpointSpec(mode=a.last("endpoint-mode", spec.endpoint.mode),
                            ports=_ports_update(spec.endpoint.ports, a))
    return replace(spec, task=task, replicas=_replicas_update(spec, a), endpoint=check_endpoint(endpoint),
                   update_config=_update_config(spec.update_config, a, "update"),
                   rollback_config=_update_config(spec.rollback_config, a, "rollback"),
                   labels=_labels_update(spec.labels, a))


# -- the other commands --------------------------------------------------------------------------------------------

def _scale_pair(word: str) -> tuple[str, int]:
    name, sep, count = word.partition("=")
    if not sep:  # scale.go scaleArgs; an empty name or count fails later, as docker's does
        raise CommandError(f"Invalid scale specifier '{word}'.")
    try:
        return name, _uint(count)
    except ValueError as err:
        raise CommandError(f"{name}: invalid replicas value {count}: {err}") from None


def _filters(*keys: str) -> Callable[[str], tuple[str, str]]:
    """A `-f KEY=VALUE` flag accepting these keys (a service's mode only as `replicated` or `global`)."""
    def parse(text: str) -> tuple[str, str]:
        key, sep, value = text.partition("=")
        if not sep:
            raise ValueError("bad format of filter (expected name=value)")
        if key not in keys:
            raise ValueError(f"invalid filter '{key}' (expected {', '.join(keys[:-1])} or {keys[-1]})")
        if key == "mode" and value not in ("replicated", "global"):
            raise ValueError(f"Invalid filter: 'mode'='{value}'")
        return key, value
    return parse


_filter = _filters("id", "name", "node", "desired-state")
def _inspect_type(text: str) -> str:
    if text and text not in c.INSPECT_TYPES:  # runInspect's check, before any lookup
        raise CommandError(f"{quote(text)} is not a valid value for --type")
    return text


def _log_since(text: str) -> c.LogsSince:
    """timetypes.GetTimestamp: a Go duration (not `0`), else, with a `-`, a time in one of RFC 3339's shapes
    (a date, to the hour, minute, second or fraction, with a zone or in the client's: here UTC), else Unix
    seconds."""
    if text != "0":
        try:
            return c.LogsSince(ago=go_duration(text) / NANO)
        except ValueError:
            pass
    if "-" in text:
        try:
            when = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
        except ValueError:
            raise CommandError(f'invalid value for "since": {quote(text)} is not a time swarmsim reads (a duration '
                               "such as 42m, Unix seconds, or an RFC 3339 time such as 2026-01-02T13:23:37Z)") from None
        return c.LogsSince(at=(when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp())
    if re.fullmatch(r"\d+(\.\d{1,9})?", text):
        return c.LogsSince(at=float(text))
    raise CommandError(f'invalid value for "since": failed to parse value as time or duration: {quote(text)}')


def _build_logs(a: Args) -> c.ServiceLogs:
    if a.true("follow"):
        raise CommandError("--follow streams the logs until it is interrupted: not simulated (without it, the logs "
                           "so far are printed)")
    return c.ServiceLogs(a.positionals[0], a.last("tail"), not a.true("no-task-ids"), a.true("no-trunc"),
                         a.true("raw"), not a.true("no-resolve"), a.true("timestamps"), a.true("details"),
                         a.last("since"))


def _log_tail(text: str) -> int | None:
    """`--tail`: a count of lines or all, as the daemon takes it (daemon/cluster ServiceLogs, measured)."""
    if text == "all":
        return None
    try:
        count = int(text, 10)
    except ValueError:
        raise ValueError('Error response from daemon: tail value must be a positive integer or "all"') from None
    if count < 0:
        raise ValueError("Error response from daemon: negative tail values not supported")
    return count


def _daemon_filter(text: str) -> tuple[str, str]:
    """A `-f KEY=VALUE` the CLI passes on as it is: the daemon checks the key and the value (render.py)."""
    key, sep, value = text.partition("=")
    if not sep:
        raise ValueError("bad format of filter (expected name=value)")
    return key, value


def _build_ps(a: Args) -> c.ContainerLs:
    last = a.last("last", -1)
    return c.ContainerLs(all=a.true("all"), quiet=a.true("quiet"), no_trunc=a.true("no-trunc"),
                         filters=tuple(a.every("filter")), format=a.last("format"),
                         last=1 if a.true("latest") and last == -1 else last)
_service_filter = _filters("id", "name", "label", "mode")


def _node_availability(text: str) -> Availability:
    """node update sends any word; the daemon refuses what is not an availability."""
    try:
        return Availability(text.lower())
    except ValueError:
        raise CommandError(f'Error response from daemon: invalid Availability: "{text}"') from None


def _requested_availability(a: Args) -> Availability:
    """swarm init/join --availability, checked by the CLI before it asks the daemon (runInit, runJoin)."""
    text = a.last("availability", "active")
    try:
        return Availability(text.lower())
    except ValueError:
        raise CommandError(f'invalid availability "{text}", only active, pause and drain are supported') from None


def _build_join(a: Args) -> c.SwarmJoin:
    availability = _requested_availability(a)
    if not a.last("token"):
        raise CommandError("--token is required to join a swarm (see `docker swarm join-token worker`)")
    return c.SwarmJoin(token=a.last("token"), remote=a.positionals[0], availability=availability)


def _uint32(text: str) -> int:
    """strconv.ParseUint(text, 10, 32) (pflag's Uint32Var)."""
    if _uint(text) > 0xFFFFFFFF:
        raise ValueError(f'strconv.ParseUint: parsing "{text}": value out of range')
    return int(text)


def _cidr_list(text: str) -> tuple[str, ...]:
    """docker/cli's ipNetSliceValue: quotes dropped, a csv line of CIDRs, each as Go's net.ParseCIDR masks it."""
    text = re.sub("[\"'`]", "", text)
    out = []
    for item in next(csv.reader([text]), []):
        try:
            if "/" not in item:
                raise ValueError
            out.append(str(ipaddress.ip_network(item.strip(), strict=False)))
        except ValueError:
            raise ValueError(f"invalid string being converted to CIDR: {item}") from None
    return tuple(out)


def _external_ca(text: str) -> tuple[str, str, str]:
    """(protocol, url, cacert) as docker/cli's parseExternalCA reads a `protocol=cfssl,url=...` line (other keys
    are the CA's options, which nothing here uses); the loader reads a cacert= file."""
    protocol = url = None
    cacert = ""
    for field in next(csv.reader([text]), []):
        key, sep, value = field.partition("=")
        if not sep:
            raise ValueError(f"invalid field '{field}' must be a key=value pair")
        if key.lower() == "protocol":
            if value.lower() != "cfssl":
                raise ValueError(f"unrecognized external CA protocol {value}")
            protocol = "cfssl"
        elif key.lower() == "url":
            url = value
        elif key.lower() == "cacert":
            cacert = value
    if protocol is None:
        raise ValueError("the external-ca option needs a protocol= parameter")
    if url is None:
        raise ValueError("the external-ca option needs a url= parameter")
    return protocol, url, cacert


_SWARM_FLAGS = (Flag("task-history-limit", _int), Flag("dispatcher-heartbeat", _duration),
                Flag("max-snapshots", _uint), Flag("snapshot-interval", _uint), Flag("cert-expiry", _duration),
                Flag("external-ca", _external_ca), Flag("autolock"))


def _swarm_options(a: Args) -> c.SwarmOptions:
    """mergeSwarmSpec: only the flags given; --external-ca replaces the list, in the order given."""
    return c.SwarmOptions(task_history_limit=a.last("task-history-limit"),
                          dispatcher_heartbeat=a.last("dispatcher-heartbeat"), max_snapshots=a.last("max-snapshots"),
                          snapshot_interval=a.last("snapshot-interval"),
                          autolock=a.true("autolock") if a.has("autolock") else None,
                          cert_expiry=a.last("cert-expiry"),
                          external_cas=tuple(ca[:2] for ca in a.every("external-ca")) if a.has("external-ca")
                          else None, ca_certs=tuple(ca[2] for ca in a.every("external-ca") if ca[2]))


def _build_init(a: Args) -> c.SwarmInit:
    return c.SwarmInit(force_new_cluster=a.true("force-new-cluster"), advertise_addr=a.last("advertise-addr"),
                       availability=_requested_availability(a),
                       default_addr_pools=tuple(p for pools in a.every("default-addr-pool") for p in pools),
                       subnet_size=a.last("default-addr-pool-mask-length", 24),
                       data_path_port=a.last("data-path-port", 0), options=_swarm_options(a))


def _build_swarm_update(a: Args) -> c.SwarmUpdate:
    if not a.values:  # the CLI's PreRunE answers pflag.ErrHelp: the usage, and nothing is changed
        raise _help("swarm update")
    return c.SwarmUpdate(_swarm_options(a))


def _build_join_token(a: Args) -> c.SwarmJoinToken:
    role = a.positionals[0]
    if role not in ("worker", "manager"):
        raise CommandError(f"unknown role {role} (expected worker or manager)")
    return c.SwarmJoinToken(role=role, quiet=a.true("quiet"), rotate=a.true("rotate"))


def _inspect_format(text: str) -> str:
    """A service's or node's `--format`: a template, or `pretty` itself."""
    return text if text == "pretty" else template.check(text)


def _pretty_or_format(a: Args) -> tuple[bool, str | None]:
    """service/node inspect.go: `--pretty` wins over a format and `--format pretty` is it; a format that only
    starts with `pretty` is refused."""
    fmt = a.last("format")
    if a.true("pretty") or fmt == "pretty":
        return True, None
    if fmt and fmt.startswith("pretty"):
        raise CommandError("Cannot supply extra formatting options to the pretty template")
    return False, fmt


def _build_network_create(a: Args) -> c.NetworkCreate:
    options = dict(a.every("opt"))
    return c.NetworkCreate(name=a.positionals[0], driver=a.last("driver", "bridge"), attachable=a.true("attachable"),
                           subnet=a.last("subnet"), options=tuple(sorted(options.items())),
                           internal=a.true("internal"), labels=tuple(sorted(dict(a.every("label")).items())))


def _stack_name(text: str) -> str:
    """stack/common.go validateStackName."""
    if not text.strip(" \t\n\r\"'"):
        raise CommandError(f'invalid stack name: "{text}"')
    return text


def _build_stack_deploy(a: Args) -> c.StackDeploy:
    files = tuple(name for value in a.every("compose-file") for name in value)
    if not files:
        raise CommandError("Please specify a Compose file (with --compose-file)")
    if "-" in files:
        raise CommandError("-c - (a compose file on stdin) is not a scenario step: name the file")
    resolve = a.last("resolve-image", "always")
    if resolve not in ("always", "changed", "never"):
        raise CommandError(f"Invalid option {resolve} for flag --resolve-image")
    return c.StackDeploy(files, _stack_name(a.positionals[0]), a.true("prune"), resolve)


def _names(a: Args) -> tuple[str, ...]:
    return tuple(a.positionals)


_FORMAT = Flag("format", template.check)
_PS_FLAGS = (Flag("all", short="a"), _QUIET, Flag("no-trunc"), Flag("filter", _daemon_filter, "f"), _FORMAT,
             Flag("last", _int, "n"), Flag("latest", short="l"))


def _object_specs(kind: str) -> tuple[CommandSpec, ...]:
    """`docker secret ...` and `docker config ...`: the same verbs on the two kinds of swarm object."""
    create = (Flag("label", _key_value, "l"),) + ((Flag("driver", _text, "d"), Flag("template-driver", _text))
                                                   if kind == "secret" else (Flag("template-driver", _text),))
    return (
        CommandSpec(f"{kind} create", create, lambda a: c.ObjectCreate(kind, a.positionals[0], a.positionals[1],
                                                                       tuple(a.every("label"))), 2, 2),
        CommandSpec(f"{kind} ls", (_QUIET, _FORMAT), lambda a: c.ObjectLs(kind, a.true("quiet"), a.last("format"))),
        CommandSpec(f"{kind} rm", (), lambda a: c.ObjectRm(kind, _names(a)), 1, None),
        CommandSpec(f"{kind} inspect", (Flag("format", template.check, "f"),), lambda a: c.ObjectInspect(
            kind, _names(a), a.last("format")), 1, None),
    )


_LIST = (_QUIET,)
_PRETTY = (Flag("pretty"),)

_SPECS = (
    CommandSpec("stack deploy", (Flag("compose-file", _string_slice, "c"), Flag("prune"),
                                 Flag("resolve-image", _text), Flag("with-registry-auth")),
                _build_stack_deploy, 1, 1),
    CommandSpec("stack ls", (_FORMAT,), lambda a: c.StackLs(a.last("format"))),
    CommandSpec("stack services", (_QUIET, _FORMAT), lambda a: c.StackServices(_stack_name(a.positionals[0]),
                                                                                a.true("quiet"), a.last("format")),
                1, 1),
    CommandSpec("stack ps", (_QUIET, Flag("no-trunc"), _FORMAT), lambda a: c.StackPs(
        _stack_name(a.positionals[0]), a.true("no-trunc"), a.true("quiet"), a.last("format")), 1, 1),
    CommandSpec("stack rm", (), lambda a: c.StackRm(tuple(_stack_name(n) for n in a.positionals)), 1, None),
    CommandSpec("service create", _CREATE_FLAGS, _build_create, 1, None, interspersed=False),
    CommandSpec("service update", _UPDATE_FLAGS, _build_update, 1, 1),
    CommandSpec("service scale", (_DETACH,), lambda a: c.ServiceScale(
        tuple(_scale_pair(w) for w in a.positionals), a.true("detach")), 1, None),
    CommandSpec("service rollback", (_DETACH, _QUIET), lambda a: c.ServiceRollback(
        a.positionals[0], a.true("detach"), a.true("quiet")), 1, 1),
    CommandSpec("service rm", (), lambda a: c.ServiceRemove(_names(a)), 1, None),
    CommandSpec("service ps", (_QUIET, Flag("no-trunc"), Flag("filter", _filter, "f"), _FORMAT),
                lambda a: c.ServicePs(_names(a), a.true("no-trunc"), a.true("quiet"), tuple(a.every("filter")),
                                      a.last("format")), 1, None),
    CommandSpec("service ls", (_QUIET, _FORMAT, Flag("filter", _service_filter, "f")), lambda a: c.ServiceLs(
        a.true("quiet"), tuple(a.every("filter")), a.last("format"))),
    CommandSpec("service inspect", (*_PRETTY, Flag("format", _inspect_format, "f")), lambda a: c.ServiceInspect(
        _names(a), *_pretty_or_format(a)), 1, None),
    CommandSpec("service logs", (Flag("tail", _log_tail, "n"), Flag("no-task-ids"), Flag("no-trunc"), Flag("raw"),
                                 Flag("no-resolve"), Flag("timestamps", short="t"), Flag("details"),
                                 Flag("since", _log_since), Flag("follow", short="f")), _build_logs, 1, 1),
    CommandSpec("node ls", (_QUIET, Flag("filter", _daemon_filter, "f"), _FORMAT),
                lambda a: c.NodeLs(a.true("quiet"), tuple(a.every("filter")), a.last("format"))),
    CommandSpec("node ps", (_QUIET, Flag("no-trunc"), Flag("filter", _filter, "f"), _FORMAT), lambda a: c.NodePs(
        _names(a), a.true("no-trunc"), a.true("quiet"), tuple(a.every("filter")), a.last("format")), 0, None),
    CommandSpec("node inspect", (*_PRETTY, Flag("format", _inspect_format, "f")),
                lambda a: c.NodeInspect(_names(a), *_pretty_or_format(a)), 1, None),
    CommandSpec("node update", (Flag("availability", _node_availability), Flag("label-add", _key_value),
                                Flag("label-rm", _text), Flag("role", _one_of("worker", "manager"))),
                lambda a: c.NodeUpdate(a.positionals[0], a.last("availability"), tuple(a.every("label-add")),
                                       tuple(a.every("label-rm")), a.last("role")), 1, 1),
    CommandSpec("node promote", (), lambda a: c.NodePromote(_names(a)), 1, None),
    CommandSpec("node demote", (), lambda a: c.NodeDemote(_names(a)), 1, None),
    CommandSpec("node rm", (Flag("force", short="f"),), lambda a: c.NodeRm(_names(a), a.true("force")), 1, None),
    CommandSpec("network create", (Flag("driver", _one_of("overlay", "bridge"), "d"), Flag("attachable"),
                                   Flag("opt", _key_value, "o"), Flag("subnet", _text), Flag("internal"),
                                   Flag("label", _key_value)), _build_network_create, 1, 1),
    CommandSpec("network ls", (_QUIET, _FORMAT, Flag("no-trunc")),
                lambda a: c.NetworkLs(a.true("quiet"), a.last("format"), a.true("no-trunc"))),
    CommandSpec("network inspect", (Flag("format", template.check, "f"),),
                lambda a: c.NetworkInspect(_names(a), a.last("format")), 1, None),
    CommandSpec("network rm", (), lambda a: c.NetworkRm(_names(a)), 1, None),
    CommandSpec("swarm join", (Flag("token", _text), Flag("availability", _text),
                               Flag("advertise-addr", _text), Flag("listen-addr", _text),
                               Flag("data-path-addr", _text)), _build_join, 1, 1),
    CommandSpec("swarm leave", (Flag("force", short="f"),), lambda a: c.SwarmLeave(a.true("force"))),
    CommandSpec("swarm init", (Flag("force-new-cluster"), Flag("advertise-addr", _text), Flag("listen-addr", _text),
                               Flag("data-path-addr", _text), Flag("data-path-port", _uint32),
                               Flag("availability", _text), Flag("default-addr-pool", _cidr_list),
                               Flag("default-addr-pool-mask-length", _uint32), *_SWARM_FLAGS), _build_init, 0, 0),
    CommandSpec("info", (), lambda a: c.Info(), 0, 0),
    CommandSpec("version", (Flag("format", template.check, "f"),), lambda a: c.Version(a.last("format")), 0, 0),
    CommandSpec("inspect", (Flag("format", template.check, "f"), Flag("type", _inspect_type), Flag("size", short="s")),
                lambda a: c.Inspect(_names(a), a.last("type") or "", a.last("format"), a.true("size")), 1, None),
    *(CommandSpec(path, _PS_FLAGS, _build_ps, 0, 0) for path in ("ps", "container ls", "container ps")),
    CommandSpec("swarm join-token", (_QUIET, Flag("rotate")), _build_join_token, 1, 1),
    *_object_specs("secret"),
    *_object_specs("config"),
    CommandSpec("swarm update", _SWARM_FLAGS, _build_swarm_update, 0, 0),
    CommandSpec("swarm unlock", (), lambda a: c.SwarmUnlock(), 0, 0),
    CommandSpec("swarm unlock-key", (Flag("rotate"), _QUIET),
                lambda a: c.SwarmUnlockKey(a.true("rotate"), a.true("quiet")), 0, 0),
)

COMMANDS: dict[str, CommandSpec] = {spec.path: spec for spec in _SPECS}
_GROUPS = tuple(dict.fromkeys(path.split()[0] for path in COMMANDS))
_ALIASES = {"list": "ls", "remove": "rm", "up": "deploy", "down": "rm"}


def _lookup(argv: list[str]) -> tuple[CommandSpec, list[str]]:
    words = argv[:2]
    if words and words[0] in COMMANDS:  # a command of one word: docker info
        return COMMANDS[words[0]], argv[1:]
    if not words or words[0] not in _GROUPS:
        got = words[0] if words else ""
        raise CommandError(f'unknown command "{got}" for "docker" (expected one of: {", ".join(_GROUPS)})')
    verbs = [path.split()[1] for path in COMMANDS if path.startswith(words[0] + " ")]
    verb = _ALIASES.get(words[1], words[1]) if len(words) > 1 else ""
    if verb not in verbs:
        raise CommandError(f'unknown command "{verb}" for "docker {words[0]}" (expected one of: {", ".join(verbs)})')
    return COMMANDS[f"{words[0]} {verb}"], argv[2:]


def parse_command(argv: list[str]) -> c.Command:
    """The command for the words after `docker`, e.g. ["service", "scale", "web=3"]."""
    asked = [w for w in argv[:2] if w in ("--help", "-h", "help")]
    if asked:
        raise _help(" ".join(argv[:argv.index(asked[0])]))
    spec, rest = _lookup(argv)
    return spec.build(spec.parse(rest))


# execve(2)'s limits on Linux: what a shell could hand to the docker binary at all
ARG_MAX = 2 * 1024 * 1024
MAX_ARG_STRLEN = 32 * 4096
_SHELL_WORD = re.compile(r"""(?:[^\s'"\\]|\\.|'[^']*'|"(?:[^"\\]|\\.)*")+""")


def parse_command_line(line: str) -> c.Command:
    """The command for a line as typed in a shell; a leading `docker` is optional."""
    if len(line.encode()) > ARG_MAX:
        raise CommandError(f"fork/exec docker: argument list too long (a command line of {len(line):,} bytes; "
                           f"Linux takes at most {ARG_MAX:,})")
    # shlex builds each word a character at a time (quadratic in a word's length): bound the words first
    longest = max(_SHELL_WORD.findall(line), key=len, default="")
    if len(longest.encode()) > MAX_ARG_STRLEN:
        raise CommandError(f"fork/exec docker: argument list too long (one word of {len(longest):,} bytes; Linux "
                           f"takes at most {MAX_ARG_STRLEN:,} per word)")
    try:
        words = shlex.split(line)
    except ValueError as err:
        raise CommandError(f"cannot split the command line: {err}") from None
    return parse_command(words[1:] if words[:1] == ["docker"] else words)

