"""Docker CLI commands a scenario step can run, parsed into typed values.

`parse.parse_command(argv)` turns the words a user types into one of these;
a backend executes them. Flags follow the docker CLI, with its defaults.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Availability, ServiceSpec
from ..model.stack import Stack


@dataclass(frozen=True, slots=True)
class ServiceCreate:
    spec: ServiceSpec
    detach: bool = False
    resolve_image: bool = True  # the client asks the registry for the image's digest and platforms
    env_files: tuple[str, ...] = ()  # --env-file names as written: the loader reads them (parse.with_env_files)
    quiet: bool = False  # attached, the CLI waits as ever but prints only the ID (waitOnService to io.Discard)


@dataclass(frozen=True, slots=True)
class ServiceUpdate:
    """`changes` are (flag, value) pairs applied in order by parse.apply_update."""

    service: str
    changes: tuple[tuple[str, object], ...] = ()
    detach: bool = False
    rollback: bool = False  # `service update --rollback`
    force: bool = False
    resolve_image: bool = False  # only a changed --image is resolved (docker/cli update.go)
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class ServiceScale:
    scales: tuple[tuple[str, int], ...]
    detach: bool = False


@dataclass(frozen=True, slots=True)
class ServiceRollback:
    service: str
    detach: bool = False
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class ServiceRemove:
    services: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServicePs:
    services: tuple[str, ...]
    no_trunc: bool = False
    quiet: bool = False
    filters: tuple[tuple[str, str], ...] = ()  # e.g. ("desired-state", "running"), ("node", "node1")
    format: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceLs:
    quiet: bool = False
    filters: tuple[tuple[str, str], ...] = ()  # id, name, label, mode
    format: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceInspect:
    services: tuple[str, ...]
    pretty: bool = False
    format: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceLogs:
    service: str
    tail: int | None = None  # the last lines of each task (None: all)
    task_ids: bool = True
    no_trunc: bool = False
    raw: bool = False
    resolve: bool = True  # names, not IDs, for the service and the node
    timestamps: bool = False
    details: bool = False
    since: "LogsSince | None" = None


@dataclass(frozen=True, slots=True)
class LogsSince:
    """`--since`, as the client reads it (timetypes.GetTimestamp): a duration before the command's time, in
    whole seconds, or a moment (Unix seconds)."""
    ago: float | None = None
    at: float | None = None


@dataclass(frozen=True, slots=True)
class NodeLs:
    quiet: bool = False
    filters: tuple[tuple[str, str], ...] = ()  # the daemon checks them
    format: str | None = None


@dataclass(frozen=True, slots=True)
class NodePs:
    """`docker node ps [NODE...]`: the tasks on these nodes (`self` when none is named)."""

    nodes: tuple[str, ...] = ()
    no_trunc: bool = False
    quiet: bool = False
    filters: tuple[tuple[str, str], ...] = ()
    format: str | None = None


@dataclass(frozen=True, slots=True)
class NodeInspect:
    nodes: tuple[str, ...]
    pretty: bool = False
    format: str | None = None


@dataclass(frozen=True, slots=True)
class NodeUpdate:
    node: str
    availability: Availability | None = None
    label_add: tuple[tuple[str, str], ...] = ()
    label_rm: tuple[str, ...] = ()
    role: str | None = None


@dataclass(frozen=True, slots=True)
class NodePromote:
    nodes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NodeDemote:
    nodes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NodeRm:
    nodes: tuple[str, ...]
    force: bool = False


@dataclass(frozen=True, slots=True)
class NetworkCreate:
    name: str
    driver: str = "bridge"
    attachable: bool = False
    subnet: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    internal: bool = False
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class NetworkLs:
    quiet: bool = False
    format: str | None = None
    no_trunc: bool = False


@dataclass(frozen=True, slots=True)
class NetworkInspect:
    networks: tuple[str, ...]
    format: str | None = None


@dataclass(frozen=True, slots=True)
class NetworkRm:
    networks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SwarmJoin:
    """The role comes from the token (model.jointoken.JoinTokens.role)."""

    token: str
    remote: str
    availability: Availability = Availability.ACTIVE


@dataclass(frozen=True, slots=True)
class SwarmLeave:
    force: bool = False


@dataclass(frozen=True, slots=True)
class SwarmOptions:
    """The cluster settings `swarm init` and `swarm update` share (docker/cli swarmOptions); None: not given."""

    task_history_limit: int | None = None
    dispatcher_heartbeat: float | None = None
    max_snapshots: int | None = None
    snapshot_interval: int | None = None
    autolock: bool | None = None
    cert_expiry: float | None = None
    external_cas: tuple[tuple[str, str], ...] | None = None  # (protocol, url)
    ca_certs: tuple[str, ...] = ()  # the external CAs' cacert= files, which the loader checks


@dataclass(frozen=True, slots=True)
class SwarmInit:
    """A new swarm on a node not in one; `--force-new-cluster` on a manager that lost its quorum."""

    force_new_cluster: bool = False
    advertise_addr: str | None = None
    availability: Availability = Availability.ACTIVE
    default_addr_pools: tuple[str, ...] = ()
    subnet_size: int = 24
    data_path_port: int = 0
    options: SwarmOptions = SwarmOptions()


@dataclass(frozen=True, slots=True)
class Info:
    """`docker info`: the Swarm section of what the daemon reports."""


INSPECT_TYPES = ("container", "image", "node", "network", "service", "volume", "task", "plugin", "secret")  # --type
INSPECT_TYPES_IN_ORDER = ("container", "image", "network", "volume", "service", "task", "node", "plugin", "secret")
SWARM_INSPECT_TYPES = ("service", "task", "node", "secret")  # looked up only on a manager


@dataclass(frozen=True, slots=True)
class Inspect:
    """`docker inspect`: each name looked up as docker/cli's inspectAll does, kind after kind (`type`: one kind)."""
    names: tuple[str, ...]
    type: str = ""
    format: str | None = None
    size: bool = False


@dataclass(frozen=True, slots=True)
class Version:
    """`docker version`: the client's and the engine's versions."""
    format: str | None = None


@dataclass(frozen=True, slots=True)
class ContainerLs:
    """`docker ps` / `docker container ls`: the containers of the `on:` node's dockerd."""

    all: bool = False
    quiet: bool = False
    no_trunc: bool = False
    filters: tuple[tuple[str, str], ...] = ()
    format: str | None = None
    last: int = -1  # -n: the N last created, in any state (-l: 1); -1: no limit


@dataclass(frozen=True, slots=True)
class SwarmJoinToken:
    role: str  # worker | manager
    quiet: bool = False
    rotate: bool = False  # a new token first (a write: it needs the leader)


@dataclass(frozen=True, slots=True)
class SwarmUpdate:
    options: SwarmOptions


@dataclass(frozen=True, slots=True)
class SwarmUnlock:
    """`docker swarm unlock` on a manager locked since its daemon restarted; the key counts as typed right."""


@dataclass(frozen=True, slots=True)
class SwarmUnlockKey:
    rotate: bool = False
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class StackDeploy:
    """`stack` is the files read and converted (scenario.stackfile), filled in when the scenario loads."""

    files: tuple[str, ...]
    namespace: str
    prune: bool = False
    resolve_image: str = "always"
    stack: Stack | None = None


@dataclass(frozen=True, slots=True)
class StackLs:
    format: str | None = None


@dataclass(frozen=True, slots=True)
class StackServices:
    namespace: str
    quiet: bool = False
    format: str | None = None


@dataclass(frozen=True, slots=True)
class StackPs:
    namespace: str
    no_trunc: bool = False
    quiet: bool = False
    format: str | None = None


@dataclass(frozen=True, slots=True)
class ObjectCreate:
    """`docker secret create` / `docker config create NAME FILE`: the file is read when the scenario loads."""

    kind: str  # secret | config
    name: str
    file: str
    labels: tuple[tuple[str, str], ...] = ()
    size: int = 0
    data: bytes = b""  # a config's (scenario.loader.object_data)


@dataclass(frozen=True, slots=True)
class ObjectLs:
    kind: str
    quiet: bool = False
    format: str | None = None


@dataclass(frozen=True, slots=True)
class ObjectRm:
    kind: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ObjectInspect:
    kind: str
    names: tuple[str, ...]
    format: str | None = None


@dataclass(frozen=True, slots=True)
class StackRm:
    namespaces: tuple[str, ...]


Command = (StackDeploy | StackLs | StackServices | StackPs | StackRm | ServiceCreate | ServiceUpdate | ServiceScale
           | ServiceRollback | ServiceRemove | ServicePs | ServiceLs | ServiceInspect | ServiceLogs | NodeLs | NodePs
           | NodeInspect | NodeUpdate | NodePromote | NodeDemote | NodeRm | NetworkCreate | NetworkLs | NetworkInspect | NetworkRm
           | SwarmInit | SwarmJoin | SwarmLeave | SwarmJoinToken | SwarmUpdate | SwarmUnlock | SwarmUnlockKey | Info | Version | Inspect | ContainerLs | ObjectCreate | ObjectLs
           | ObjectRm | ObjectInspect)

#: Commands that only read; the simulator prints what docker would print.
READ_ONLY = (StackLs, StackServices, StackPs, ServicePs, ServiceLs, ServiceInspect, ServiceLogs, NodeLs, NodePs,
             NodeInspect, NetworkLs, NetworkInspect, SwarmJoinToken, Info, Version, Inspect, ObjectLs, ObjectInspect,
             ContainerLs)

#: Commands any node may run, in a swarm or not; everything else needs a manager ("This node is not a swarm
#: manager...").
WORKER_OK = (SwarmInit, SwarmJoin, SwarmLeave, SwarmUnlock, Info, Version, Inspect, NetworkInspect, ContainerLs)

#: Commands that work without a raft leader (they act on the local node only).
LEADERLESS_OK = (SwarmInit, SwarmJoin, SwarmLeave, SwarmUnlock, Info, Version, Inspect, NetworkInspect,
                 ContainerLs)
