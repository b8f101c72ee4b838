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


@dataclass(frozen=True, slots=True)
class ServiceUpdate:
    """`changes` are (flag, value) pairs applied in order by parse.apply_update."""

    service: str
    changes: tuple[tuple[str, object], ...] = ()
    detach: bool = False
    rollback: bool = False  # `service update --rollback`
    force: bool = False


@dataclass(frozen=True, slots=True)
class ServiceScale:
    scales: tuple[tuple[str, int], ...]
    detach: bool = False


@dataclass(frozen=True, slots=True)
class ServiceRollback:
    service: str
    detach: bool = False


@dataclass(frozen=True, slots=True)
class ServiceRemove:
    services: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServicePs:
    services: tuple[str, ...]
    no_trunc: bool = False
    quiet: bool = False
    filters: tuple[tuple[str, str], ...] = ()  # e.g. ("desired-state", "running"), ("node", "node1")


@dataclass(frozen=True, slots=True)
class ServiceLs:
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class ServiceInspect:
    services: tuple[str, ...]
    pretty: bool = False


@dataclass(frozen=True, slots=True)
class ServiceLogs:
    service: str


@dataclass(frozen=True, slots=True)
class NodeLs:
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class NodeInspect:
    nodes: tuple[str, ...]
    pretty: bool = False


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
    encrypted: bool = False
    subnet: str | None = None


@dataclass(frozen=True, slots=True)
class NetworkLs:
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class NetworkRm:
    networks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SwarmJoin:
    """Role comes from the token: one containing "manager" joins as a manager."""

    token: str
    remote: str
    availability: Availability = Availability.ACTIVE

    @property
    def as_manager(self) -> bool:
        return "manager" in self.token.lower()


@dataclass(frozen=True, slots=True)
class SwarmLeave:
    force: bool = False


@dataclass(frozen=True, slots=True)
class SwarmInit:
    """Only `--force-new-cluster` makes sense in a scenario: the swarm already exists."""

    force_new_cluster: bool = False


@dataclass(frozen=True, slots=True)
class SwarmJoinToken:
    role: str  # worker | manager
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class SwarmUpdate:
    dispatcher_heartbeat: float | None = None
    task_history_limit: int | None = None


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
    pass


@dataclass(frozen=True, slots=True)
class StackServices:
    namespace: str
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class StackPs:
    namespace: str
    no_trunc: bool = False
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class StackRm:
    namespaces: tuple[str, ...]


Command = (StackDeploy | StackLs | StackServices | StackPs | StackRm | ServiceCreate | ServiceUpdate | ServiceScale | ServiceRollback | ServiceRemove | ServicePs | ServiceLs
           | ServiceInspect | ServiceLogs | NodeLs | NodeInspect | NodeUpdate | NodePromote | NodeDemote | NodeRm
           | NetworkCreate | NetworkLs | NetworkRm | SwarmInit | SwarmJoin | SwarmLeave | SwarmJoinToken | SwarmUpdate)

#: Commands that only read; the simulator prints what docker would print.
READ_ONLY = (StackLs, StackServices, StackPs, ServicePs, ServiceLs, ServiceInspect, ServiceLogs, NodeLs, NodeInspect, NetworkLs, SwarmJoinToken)

#: Commands a worker may run; everything else needs a manager ("This node is not a swarm manager...").
WORKER_OK = (SwarmJoin, SwarmLeave)

#: Commands that work without a raft leader (they act on the local node only).
LEADERLESS_OK = (SwarmInit, SwarmJoin, SwarmLeave)
