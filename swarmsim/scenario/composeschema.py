"""The keys of a compose 3.x file, and what `docker stack deploy` does with each.

docker/cli validates a stack file against `config_schema_v3.N.json` (every
mapping closed: an unknown key is `Additional property KEY is not allowed`),
refuses the forbidden service keys (`extends`, ...), and warns once per deploy
about the keys swarm ignores (`Ignoring unsupported options: build, ...`,
`Ignoring deprecated options: ...`). `KEYS` below is that schema as one table:
each key's path, the file version that introduced it, and its status here:

- simulated: read into the model and acted on;
- accepted: valid, and has no effect on what the simulator decides;
- unsupported / deprecated: docker warns and ignores it (so does swarmsim);
- forbidden: docker refuses the file.

Each key's type is the schema's, in a small notation: `string`, `integer`,
`number`, `boolean`, `null`, `duration` (a string), `mapping`, `list`, `any`;
`A or B` when the schema lists types (docker names them all), `A / B` for its
oneOf (docker names the first), `list of T` and `mapping of T` for items and
values, parentheses to group; `list_or_dict` and `string_or_list` are docker's
own shorthands. A value of the wrong type is refused with docker's words
(`services.web.deploy.replicas must be a integer`).

The table is also the compose key table of docs/reference/scenario.md.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable

from ..dockercli.units import go_duration

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Key:
    path: str      # `services.NAME.ports[].target`; NAME is a name the user chooses, [] each list item
    since: str     # the first compose file version with the key
    status: str    # simulated | accepted | unsupported | deprecated | forbidden
    type: str = "any"  # what its value must be (see `type_error`)
    note: str = ""  # what docker does with it


_TABLE = """
version|3.0|simulated|string|selects the schema: 3, 3.0 ... 3.9
x-*|3.4|accepted|any|extension fields, for anchors
services|3.0|simulated|mapping|
services.NAME|3.0|simulated|mapping|one service, named STACK_NAME
services.NAME.x-*|3.7|accepted|any|extension fields (swarmsim reads `x-workload` in any version)
services.NAME.image|3.0|simulated|string|none (build: only) is sent, and the daemon refuses the service
services.NAME.command|3.0|simulated|string_or_list|the container's args
services.NAME.entrypoint|3.0|simulated|string_or_list|the container's command
services.NAME.environment|3.0|simulated|list_or_dict|sorted; a change is an update
services.NAME.env_file|3.0|simulated|string_or_list|read into environment (relative to the first file's folder); a missing file is an error
services.NAME.ports|3.0|simulated|list of (number / string / mapping)|published ports (short or long syntax); a short port's host address is ignored, with docker's warning
services.NAME.ports[].target|3.2|simulated|integer|
services.NAME.ports[].published|3.2|simulated|integer|
services.NAME.ports[].protocol|3.2|simulated|string|
services.NAME.ports[].mode|3.2|simulated|string|
services.NAME.networks|3.0|simulated|list of string / mapping|STACK_NET, or the network's name: or external name; none: STACK_default
services.NAME.networks.NAME|3.0|simulated|mapping or null|
services.NAME.networks.NAME.aliases|3.0|simulated|list of string|the network's aliases, with the service's own name
services.NAME.networks.NAME.ipv4_address|3.0|accepted|string|
services.NAME.networks.NAME.ipv6_address|3.0|accepted|string|
services.NAME.stop_grace_period|3.0|simulated|duration|
services.NAME.stop_signal|3.0|simulated|string|in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.healthcheck|3.0|simulated|mapping|
services.NAME.healthcheck.test|3.0|simulated|string_or_list|
services.NAME.healthcheck.interval|3.0|simulated|duration|
services.NAME.healthcheck.timeout|3.0|simulated|duration|
services.NAME.healthcheck.retries|3.0|simulated|number|
services.NAME.healthcheck.start_period|3.4|simulated|duration|
services.NAME.healthcheck.disable|3.0|simulated|boolean|
services.NAME.labels|3.0|simulated|list_or_dict|container labels (with com.docker.stack.namespace); in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.secrets|3.1|simulated|list of (string / mapping)|must name a secret of the file; deploy fails if the swarm has none of that name
services.NAME.secrets[].source|3.1|simulated|string|
services.NAME.secrets[].target|3.1|simulated|string|
services.NAME.secrets[].uid|3.1|simulated|string|
services.NAME.secrets[].gid|3.1|simulated|string|
services.NAME.secrets[].mode|3.1|simulated|number|
services.NAME.configs|3.3|simulated|list of (string / mapping)|as secrets
services.NAME.configs[].source|3.3|simulated|string|
services.NAME.configs[].target|3.3|simulated|string|
services.NAME.configs[].uid|3.3|simulated|string|
services.NAME.configs[].gid|3.3|simulated|string|
services.NAME.configs[].mode|3.3|simulated|number|
services.NAME.volumes|3.0|simulated|list of (string / mapping)|the ContainerSpec's Mounts as convert.Volumes makes them (service inspect), a change rolling the tasks: the short syntax as ParseVolume reads it, a relative bind source joined to the stack file's folder; a named volume must be declared under volumes:
services.NAME.volumes[].type|3.2|simulated|string|volume, bind, tmpfs or npipe; in the ContainerSpec's Mounts (service inspect); a change rolls the tasks
services.NAME.volumes[].source|3.2|simulated|string|
services.NAME.volumes[].target|3.2|simulated|string|in the ContainerSpec's Mounts (service inspect); a change rolls the tasks
services.NAME.volumes[].read_only|3.2|simulated|boolean|in the ContainerSpec's Mounts (service inspect); a change rolls the tasks
services.NAME.volumes[].consistency|3.2|accepted|string|sent, and dropped by the daemon
services.NAME.volumes[].bind|3.2|simulated|mapping|in the ContainerSpec's Mounts (service inspect); a change rolls the tasks
services.NAME.volumes[].bind.propagation|3.2|simulated|string|in the ContainerSpec's Mounts (service inspect); a change rolls the tasks
services.NAME.volumes[].volume|3.2|simulated|mapping|in the ContainerSpec's Mounts (service inspect); a change rolls the tasks
services.NAME.volumes[].volume.nocopy|3.2|simulated|boolean|in the ContainerSpec's Mounts (service inspect); a change rolls the tasks
services.NAME.volumes[].tmpfs|3.6|simulated|mapping|in the ContainerSpec's Mounts (service inspect); a change rolls the tasks
services.NAME.volumes[].tmpfs.size|3.6|simulated|integer|in the ContainerSpec's Mounts (service inspect); a change rolls the tasks
services.NAME.logging|3.0|simulated|mapping|TaskTemplate.LogDriver; a change rolls the tasks
services.NAME.logging.driver|3.0|simulated|string|
services.NAME.logging.options|3.0|simulated|mapping of (string or number or null)|
services.NAME.user|3.0|simulated|string|in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.working_dir|3.0|simulated|string|in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.hostname|3.0|simulated|string|in the ContainerSpec (service inspect); a change rolls the tasks (templates kept as written)
services.NAME.dns|3.0|simulated|string_or_list|in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.dns_search|3.0|simulated|string_or_list|in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.extra_hosts|3.0|simulated|list_or_dict|as "IP HOST" lines; in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.read_only|3.0|simulated|boolean|in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.tty|3.0|simulated|boolean|in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.stdin_open|3.0|simulated|boolean|in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.init|3.7|simulated|boolean|in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.isolation|3.5|simulated|string|in the ContainerSpec (service inspect); a change rolls the tasks (default, process or hyperv)
services.NAME.sysctls|3.0|simulated|list_or_dict|in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.ulimits|3.0|simulated|mapping|in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.ulimits.NAME|3.0|simulated|integer / mapping|
services.NAME.ulimits.NAME.soft|3.0|simulated|integer|
services.NAME.ulimits.NAME.hard|3.0|simulated|integer|
services.NAME.cap_add|3.0|simulated|list of string|in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.cap_drop|3.0|simulated|list of string|in the ContainerSpec (service inspect); a change rolls the tasks
services.NAME.credential_spec|3.3|accepted|mapping|
services.NAME.credential_spec.config|3.8|accepted|string|
services.NAME.credential_spec.file|3.3|accepted|string|
services.NAME.credential_spec.registry|3.3|accepted|string|
services.NAME.tmpfs|3.0|accepted|string_or_list|
services.NAME.depends_on|3.0|accepted|list of string|ignored by stack deploy, without a warning
services.NAME.restart|3.0|unsupported|string|warned about; still the restart policy when deploy.restart_policy is absent
services.NAME.build|3.0|unsupported|string / mapping|
services.NAME.build.context|3.0|unsupported|string|
services.NAME.build.dockerfile|3.0|unsupported|string|
services.NAME.build.args|3.0|unsupported|list_or_dict|
services.NAME.build.cache_from|3.2|unsupported|list of string|
services.NAME.build.labels|3.3|unsupported|list_or_dict|
services.NAME.build.network|3.4|unsupported|string|
services.NAME.build.target|3.4|unsupported|string|
services.NAME.build.shm_size|3.5|unsupported|integer or string|
services.NAME.build.extra_hosts|3.9|unsupported|list_or_dict|
services.NAME.cgroup_parent|3.0|unsupported|string|
services.NAME.cgroupns_mode|3.9|unsupported|string|
services.NAME.devices|3.0|unsupported|list of string|
services.NAME.domainname|3.0|unsupported|string|
services.NAME.external_links|3.0|unsupported|list of string|
services.NAME.ipc|3.0|unsupported|string|
services.NAME.links|3.0|unsupported|list of string|
services.NAME.mac_address|3.0|unsupported|string|
services.NAME.network_mode|3.0|unsupported|string|
services.NAME.pid|3.0|unsupported|string or null|
services.NAME.privileged|3.0|unsupported|boolean|
services.NAME.security_opt|3.0|unsupported|list of string|
services.NAME.shm_size|3.0|unsupported|number or string|
services.NAME.userns_mode|3.0|unsupported|string|
services.NAME.container_name|3.0|deprecated|string|Setting the container name is not supported.
services.NAME.expose|3.0|deprecated|list of (string or number)|Exposing ports is unnecessary - services on the same network can access each other's containers on any port.
services.NAME.extends|3.0|forbidden|any|Support for `extends` is not implemented yet.
services.NAME.volume_driver|3.0|forbidden|any|Instead of setting the volume driver on the service, define a volume using the top-level `volumes` option and specify the driver there.
services.NAME.volumes_from|3.0|forbidden|any|To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.
services.NAME.cpu_quota|3.0|forbidden|any|Set resource limits using deploy.resources
services.NAME.cpu_shares|3.0|forbidden|any|Set resource limits using deploy.resources
services.NAME.cpuset|3.0|forbidden|any|Set resource limits using deploy.resources
services.NAME.mem_limit|3.0|forbidden|any|Set resource limits using deploy.resources
services.NAME.memswap_limit|3.0|forbidden|any|Set resource limits using deploy.resources
services.NAME.deploy|3.0|simulated|mapping or null|
services.NAME.deploy.mode|3.0|simulated|string|
services.NAME.deploy.replicas|3.0|simulated|integer|
services.NAME.deploy.endpoint_mode|3.2|simulated|string|
services.NAME.deploy.labels|3.0|simulated|list_or_dict|service labels (with com.docker.stack.namespace and com.docker.stack.image)
services.NAME.deploy.placement|3.0|simulated|mapping|
services.NAME.deploy.placement.constraints|3.0|simulated|list of string|
services.NAME.deploy.placement.preferences|3.3|simulated|list of mapping|
services.NAME.deploy.placement.preferences[].spread|3.3|simulated|string|
services.NAME.deploy.placement.max_replicas_per_node|3.8|simulated|integer|
services.NAME.deploy.resources|3.0|simulated|mapping|
services.NAME.deploy.resources.limits|3.0|simulated|mapping|
services.NAME.deploy.resources.limits.cpus|3.0|simulated|string|
services.NAME.deploy.resources.limits.memory|3.0|simulated|string|
services.NAME.deploy.resources.limits.pids|3.9|accepted|integer|
services.NAME.deploy.resources.reservations|3.0|simulated|mapping|
services.NAME.deploy.resources.reservations.cpus|3.0|simulated|string|
services.NAME.deploy.resources.reservations.memory|3.0|simulated|string|
services.NAME.deploy.resources.reservations.generic_resources|3.5|simulated|list of mapping|
services.NAME.deploy.resources.reservations.generic_resources[].discrete_resource_spec|3.5|simulated|mapping|
services.NAME.deploy.resources.reservations.generic_resources[].discrete_resource_spec.kind|3.5|simulated|string|
services.NAME.deploy.resources.reservations.generic_resources[].discrete_resource_spec.value|3.5|simulated|number|
services.NAME.deploy.restart_policy|3.0|simulated|mapping|
services.NAME.deploy.restart_policy.condition|3.0|simulated|string|
services.NAME.deploy.restart_policy.delay|3.0|simulated|duration|
services.NAME.deploy.restart_policy.max_attempts|3.0|simulated|integer|
services.NAME.deploy.restart_policy.window|3.0|simulated|duration|
services.NAME.deploy.update_config|3.0|simulated|mapping|
services.NAME.deploy.update_config.parallelism|3.0|simulated|integer|
services.NAME.deploy.update_config.delay|3.0|simulated|duration|
services.NAME.deploy.update_config.failure_action|3.0|simulated|string|
services.NAME.deploy.update_config.monitor|3.0|simulated|duration|
services.NAME.deploy.update_config.max_failure_ratio|3.0|simulated|number|
services.NAME.deploy.update_config.order|3.4|simulated|string|
services.NAME.deploy.rollback_config|3.7|simulated|mapping|
services.NAME.deploy.rollback_config.parallelism|3.7|simulated|integer|
services.NAME.deploy.rollback_config.delay|3.7|simulated|duration|
services.NAME.deploy.rollback_config.failure_action|3.7|simulated|string|
services.NAME.deploy.rollback_config.monitor|3.7|simulated|duration|
services.NAME.deploy.rollback_config.max_failure_ratio|3.7|simulated|number|
services.NAME.deploy.rollback_config.order|3.7|simulated|string|
networks|3.0|simulated|mapping|
networks.NAME|3.0|simulated|mapping or null|created as STACK_NAME when a service uses it
networks.NAME.x-*|3.7|accepted|any|
networks.NAME.name|3.5|simulated|string|the network's own name, not namespaced
networks.NAME.driver|3.0|simulated|string|overlay (the default) or bridge
networks.NAME.driver_opts|3.0|simulated|mapping of (string or number)|the network's Options (network inspect); nothing simulated depends on them
networks.NAME.attachable|3.2|simulated|boolean|
networks.NAME.external|3.0|simulated|boolean or mapping|looked up, not created: deploy fails if the swarm has no such network
networks.NAME.external.name|3.0|simulated|string|
networks.NAME.internal|3.0|simulated|boolean|network inspect's Internal; no effect on what is simulated
networks.NAME.labels|3.0|simulated|list_or_dict|
networks.NAME.ipam|3.0|accepted|mapping|
networks.NAME.ipam.driver|3.0|simulated|string|`default` only: another is a plugin, refused as the daemon refuses it (`error during lookup of plugin X`)
networks.NAME.ipam.config|3.0|simulated|list of mapping|
networks.NAME.ipam.config[].subnet|3.0|simulated|string|the network's subnet
volumes|3.0|simulated|mapping|
volumes.NAME|3.0|simulated|mapping or null|a named volume, STACK_NAME, created on each node a task uses it
volumes.NAME.x-*|3.7|accepted|any|
volumes.NAME.name|3.4|simulated|string|the mount's source, not namespaced
volumes.NAME.driver|3.0|simulated|string|in the Mounts' VolumeOptions (service inspect)
volumes.NAME.driver_opts|3.0|simulated|mapping of (string or number)|in the Mounts' VolumeOptions (service inspect)
volumes.NAME.external|3.0|simulated|boolean or mapping|the mount's source is the volume's own name, without the stack's label
volumes.NAME.external.name|3.0|simulated|string|the mount's source
volumes.NAME.labels|3.0|simulated|list_or_dict|in the Mounts' VolumeOptions (service inspect), with the stack's label
secrets|3.1|simulated|mapping|
secrets.NAME|3.1|simulated|mapping|created as STACK_NAME from file:, or looked up when external
secrets.NAME.x-*|3.7|accepted|any|
secrets.NAME.name|3.5|simulated|string|
secrets.NAME.file|3.1|simulated|string|read (relative to the first file's folder); a missing file is an error; none reads that folder: read DIR: is a directory
secrets.NAME.external|3.1|simulated|boolean or mapping|
secrets.NAME.external.name|3.1|simulated|string|
secrets.NAME.labels|3.1|accepted|list_or_dict|
secrets.NAME.driver|3.8|simulated|string|sent without data; this swarm has no secret plugin, so the deploy fails there
secrets.NAME.driver_opts|3.8|accepted|mapping of (string or number)|
secrets.NAME.template_driver|3.8|accepted|string|
configs|3.3|simulated|mapping|
configs.NAME|3.3|simulated|mapping|as secrets
configs.NAME.x-*|3.7|accepted|any|
configs.NAME.name|3.5|simulated|string|
configs.NAME.file|3.3|simulated|string|
configs.NAME.external|3.3|simulated|boolean or mapping|
configs.NAME.external.name|3.3|simulated|string|
configs.NAME.labels|3.3|accepted|list_or_dict|
configs.NAME.template_driver|3.8|accepted|string|
"""

KEYS: dict[str, Key] = {}
for _line in _TABLE.strip().splitlines():
    _path, _since, _status, _type, _note = _line.split("|", 4)
    KEYS[_path] = Key(_path, _since, _status, _type, _note)

#: Mappings whose keys are the user's own (values, not schema keys).
FREE = ("labels", "environment", "driver_opts", "options", "args", "sysctls", "extra_hosts")
VERSIONS = tuple(f"3.{n}" for n in range(10))
LATEST = VERSIONS[-1]


#: docker's schema shorthands (its `definitions`), in the notation of the table
SHORTHANDS = {"list_or_dict": "mapping of (string or number or null) / list of string",
              "string_or_list": "string / list of string"}
_KINDS: dict[str, Callable[[object], bool]] = {
    "string": lambda v: isinstance(v, str), "duration": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool), "null": lambda v: v is None,
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "mapping": lambda v: isinstance(v, dict), "list": lambda v: isinstance(v, list), "any": lambda v: True,
}
_WORDS = {"duration": "string"}


def _split(text: str, sep: str) -> list[str]:
    """`text` cut at each `sep` outside parentheses, each part without its outer parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i + len(sep)
    parts.append(text[start:])
    return parts


def _kind(alternative: str) -> tuple[str, str | None]:
    """`list of string` -> ("list", "string"); `integer` -> ("integer", None)."""
    head, _, inner = alternative.partition(" of ")
    return head, inner or None


def type_error(value: object, kind: str, path: Path) -> tuple[Path, str] | None:
    """The first place in `value` that does not fit `kind` (the table's notation), with docker's words."""
    kind = SHORTHANDS.get(kind, kind)
    if kind.startswith("(") and kind.endswith(")"):
        kind = kind[1:-1]
    branches = _split(kind, " / ")
    for branch in branches:
        for alternative in _split(branch, " or "):
            head, inner = _kind(SHORTHANDS.get(alternative, alternative))
            if not _KINDS[head](value):
                continue
            if inner is None:
                return None
            items = enumerate(value) if head == "list" else value.items()
            return next((e for e in (type_error(v, inner, path + (k,)) for k, v in items) if e), None)
    names = [_WORDS.get(h, h) for h, _ in map(_kind, _split(branches[0], " or "))]
    words = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return path, f"{_context(path)} must be a {words}"


def duration_problem(text: str) -> str | None:
    """Go's time.ParseDuration's complaint about `text` (docker decodes every compose duration with it)."""
    try:
        go_duration(text)
    except ValueError as err:
        return str(err)
    return None


#: the schema's other rules for a value of the right type, as gojsonschema words them (an enum's names the field)
_ORDERS = ("start-first", "stop-first")


def _order(value: object, field: str) -> str | None:
    return None if value in _ORDERS else \
        f"{field} must be one of the following: " + ", ".join(f'"{o}"' for o in _ORDERS)


_LIMITS: dict[str, Callable[[object, str], str | None]] = {
    "services.NAME.deploy.update_config.order": _order, "services.NAME.deploy.rollback_config.order": _order,
    "services.NAME.volumes[].tmpfs.size": lambda v, field: None if v >= 0 else "Must be greater than or equal to 0",
}

#: the schema checks every duration's format, the healthcheck's only from 3.4 on (before, docker's decoder does)
_DURATION_FORMAT_SINCE = {"services.NAME.healthcheck.interval": "3.4", "services.NAME.healthcheck.timeout": "3.4"}


def _go_field(path: Path) -> str:
    """The Go field docker's decoder names for a service key: `HealthCheck.Interval`, `Deploy.UpdateConfig.Delay`."""
    return ".".join("HealthCheck" if part == "healthcheck" else "".join(w.title() for w in str(part).split("_"))
                    for part in path[2:])


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _schema_path(path: Path) -> str:
    """`services.NAME.ports[]` for ("services", "web", "ports", 0)."""
    out = ""
    for part in path:
        out += "[]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _child(parent: str, key: str) -> str | None:
    """The table path of `key` under `parent`, or None if the schema has no such key."""
    prefix = f"{parent}." if parent else ""
    for candidate in (prefix + key, prefix + "NAME"):
        if candidate in KEYS:
            return candidate
    if key.startswith("x-") and prefix + "x-*" in KEYS:
        return prefix + "x-*"
    return None


def _context(path: Path) -> str:
    """How docker names a place in the file: `(root)`, `services.web.deploy`."""
    return ".".join(str(p) for p in path) or "(root)"


def check(data: object, version: str = LATEST) -> list[tuple[Path, str]]:
    """Every key of `data` (a whole compose file) that compose `version` refuses, with docker's words."""
    errors: list[tuple[Path, str]] = []
    have = _version_key(version)

    def walk(value: object, path: Path, table: str) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, path + (i,), table + "[]")
            return
        if not isinstance(value, dict) or table.rpartition(".")[2] in FREE:
            return
        for key, item in value.items():
            found = _child(table, str(key))
            here = path + (key,)
            if table == "services.NAME" and key == "x-workload":
                continue  # swarmsim's own extension, read in any version
            if found is None or _version_key(KEYS[found].since) > have:
                names = [p.rpartition(".")[2] for p, k in KEYS.items() if p.rpartition(".")[0] == table
                         and _version_key(k.since) <= have and not p.endswith(("NAME", "x-*"))]
                close = difflib.get_close_matches(str(key), names, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                since = f" (it needs version: \"{KEYS[found].since}\" or later)" if found else ""
                errors.append((here, f"{_context(path)} Additional property {key} is not allowed{since or hint}"))
            elif KEYS[found].status == "forbidden":
                errors.append((here, f"Compose file contains unsupported options: {key}: {KEYS[found].note}"))
            elif found.startswith("services.NAME.x-") or found.endswith("x-*"):
                continue
            elif (wrong := type_error(item, KEYS[found].type, here)) is not None:
                errors.append(wrong)
            elif found in _LIMITS and (problem := _LIMITS[found](item, _context(here))):
                errors.append((here, f"{_context(here)} {problem}"))
            elif KEYS[found].type == "duration" and (problem := duration_problem(item)):
                if have < _version_key(_DURATION_FORMAT_SINCE.get(found, "3.0")):  # only the decoder sees it
                    errors.append((here, f"error decoding '{_go_field(here)}': {problem}"))
                else:
                    errors.append((here, f"{_context(here)} Does not match format 'duration'"))
            else:
                walk(item, here, found)

    walk(data, (), "")
    return errors


def service_warnings(data: dict) -> tuple[list[str], dict[str, str]]:
    """The unsupported keys and the deprecated ones (with docker's reason) the services of `data` use."""
    unsupported: set[str] = set()
    deprecated: dict[str, str] = {}
    services = data.get("services") if isinstance(data, dict) else None
    for service in (services if isinstance(services, dict) else {}).values():
        for key in service if isinstance(service, dict) else ():
            entry = KEYS.get(f"services.NAME.{key}")
            if entry is not None and entry.status == "unsupported":
                unsupported.add(key)
            elif entry is not None and entry.status == "deprecated":
                deprecated[key] = entry.note
    return sorted(unsupported), deprecated


def warnings_text(files: list[dict]) -> str:
    """What `docker stack deploy` prints on stderr before it deploys (loader.LoadComposefile)."""
    unsupported: set[str] = set()
    deprecated: dict[str, str] = {}
    for data in files:
        more, old = service_warnings(data)
        unsupported.update(more)
        deprecated.update(old)
    out = ""
    if unsupported:
        out += f"Ignoring unsupported options: {', '.join(sorted(unsupported))}\n\n"
    if deprecated:
        lines = sorted(f"{key}: {why}" for key, why in deprecated.items())
        out += "Ignoring deprecated options:\n\n" + "\n\n".join(lines) + "\n\n"
    return out
