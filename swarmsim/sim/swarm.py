"""A whole simulated swarm: nodes with their agents, the leader's components, and
the control API that docker commands call (swarmkit manager/controlapi).

API calls validate like the daemon does and raise SwarmError with Docker's text.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from ..model import Availability, Node, NodeStatus, Role, Service, ServiceSpec, UpdateState, UpdateStatus
from ..model import cluster
from ..model.cluster import ClusterError, ClusterSpec
from ..model.scenario import NetworkDecl, NodeDecl, Scenario
from ..model.jointoken import JoinTokens, derived_id
from ..model.reference import by_sent_name
from ..model.service import conflicting_targets, ref_names
from ..model.stack import SwarmObject
from ..trace import TraceWriter
from .agent import Agent, Host
from .env import SimEnv
from .manager import Manager
from ..model.errors import DAEMON_DOWN, LOST_LEADERSHIP, NO_LEADER, invalid_spec
from ..model.limits import too_many_preferences
from .raft import Raft
from .store import Store
from .traffic import Traffic

SESSION_BACKOFF_BASE = 0.1  # agent.go initialSessionFailureBackoff
SESSION_BACKOFF_MAX = 8.0   # agent.go maxSessionFailureBackoff
MANAGER_SESSION_DELAY = (0.8, 1.6)  # a manager's own agent after an election: 0.9-1.6 s in the m replays
SESSION_DIAL_TIMEOUT = 20.0  # a session call to a manager cut off by a partition hangs this long at most
SESSION_RETRANSMIT = 0.5     # and goes through within this long of the path coming back (0.7 s measured, t)
MANAGER_PORT = 2377
ALREADY_IN_SWARM = ("Error response from daemon: This node is already part of a swarm. Use \"docker swarm leave\" "
                    "to leave this swarm and join another one.")
BUILTIN_NETWORKS = (("bridge", "bridge", "local"), ("docker_gwbridge", "bridge", "local"), ("host", "host", "local"),
                    ("ingress", "overlay", "swarm"), ("none", "null", "local"))



def stored(spec: ServiceSpec) -> ServiceSpec:
    """The spec as the daemon converts it for swarmkit's store (moby daemon/cluster/convert)."""
    update, rollback = spec.update_config.stored(), spec.rollback_config.stored()
    if update is spec.update_config and rollback is spec.rollback_config:
        return spec
    return replace(spec, update_config=update, rollback_config=rollback)


class SwarmError(Exception):
    """An error the daemon would return; str() is what the docker CLI prints."""


@dataclass(frozen=True)
class Network:
    id: str
    name: str
    driver: str
    scope: str
    attachable: bool = False
    labels: dict = field(default_factory=dict)
    created_at: float = 0.0
    options: dict = field(default_factory=dict)  # the driver's options as created (network create --opt, driver_opts)
    internal: bool = False
    store_id: str = ""  # bridge's and host's: the ID of swarmkit's predefined network in the store, which a
    #                     service's TaskTemplate.Networks names (no node lists it: each has its own network)

    @property
    def swarm_id(self) -> str:
        """The ID a service's spec names this network by."""
        return self.store_id or self.id


PREDEFINED = ("bridge", "host")  # the node-local networks swarmkit keeps in its store (cnmallocator PredefinedNetworks)


class SimSwarm:
    def __init__(self, scenario: Scenario, trace_header: dict | None = None):
        self.scenario = scenario
        self.sim = SimEnv(scenario.seed, scenario.limits.events)
        self.timing = scenario.timing
        header = {"backend": "sim", "scenario": scenario.name, "seed": scenario.seed,
                  "nodes": [n.name for n in scenario.nodes], **(trace_header or {})}
        self.trace = TraceWriter(header)
        self.store = Store(self.sim, self.trace)
        self.manager = Manager(self.sim, self.store, self.timing)
        self.host = Host(self.timing)
        self.agents: dict[str, Agent] = {}
        self.decls: dict[str, NodeDecl] = {n.name: n for n in scenario.nodes}
        self.networks: dict[str, Network] = {}
        self.images = by_sent_name(scenario.images)  # a CLI-made service's image is the tagged name the client sent
        self.objects: dict[str, dict[str, tuple[str, SwarmObject]]] = {"secret": {}, "config": {}}  # name: (id, obj)
        self._version = 0
        self.cluster = ClusterSpec(task_history_limit=self.timing.task_history_limit,
                                   dispatcher_heartbeat=self.timing.heartbeat_period)
        self._unlock_keys = 0  # keys made so far
        self.locked: set[str] = set()  # managers whose dockerd restarted under autolock, until unlocked
        for name, driver, scope in BUILTIN_NETWORKS:
            self._add_network(name, driver, scope)
        for net in scenario.networks:
            self.create_network(net)
        leader = scenario.initial_leader
        self.tokens = JoinTokens.for_seed(scenario.seed)
        self._rotations = 0  # join tokens rotated so far
        self.initialized = leader is not None  # False until `docker swarm init` in a swarm that starts empty
        self.cluster_id = derived_id(scenario.seed, "cluster")
        self._joins = 0
        self.raft = Raft(self, leader)
        self.manager.active = self.initialized
        joined = [self._join(decl, leader=decl.name == leader, settle=False,
                             ago=self.timing.swarm_age if decl.swarm_age is None else decl.swarm_age)
                  for decl in scenario.nodes if decl.joined]
        if any(node.role is Role.MANAGER for node in joined):
            self.raft.reevaluate()  # once for the cluster the scenario starts with, not per manager (quadratic)
        self.traffic = Traffic(self)
        self.traffic.start(scenario.traffic)

    # -- helpers ---------------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.sim.now

    def _next_version(self) -> int:
        self._version += 1
        return self._version

    def _add_network(self, name: str, driver: str, scope: str, attachable: bool = False,
                     subnet: str | None = None, labels: dict | None = None, options: dict | None = None,
                     internal: bool = False) -> Network:
        ident = store_id = self.sim.new_id()  # a swarm's network has a swarm object's ID, a node's own a dockerd's
        if scope == "local":                   # (64 hex)
            ident = hashlib.blake2b(f"network:{ident}".encode(), digest_size=32).hexdigest()
        net = Network(ident, name, driver, scope, attachable, dict(labels or {}), self.now, dict(options or {}),
                      internal, store_id if name in PREDEFINED else "")
        self.networks[name] = net
        if driver == "overlay":
            self.manager.allocator.allocate_network(name, subnet)
        return net

    def service(self, name: str) -> Service:
        service = self.store.service(name)
        if service is None:
            raise SwarmError(f"Error: no such service: {name}")
        return service

    def node(self, name: str) -> Node:
        node = self.store.nodes.get(name)
        if node is None:
            raise SwarmError(f"Error: No such node: {name}")  # the client's words for the daemon's 404
        return node

    # -- nodes -------------------------------------------------------------------------------------------
    def _join(self, decl: NodeDecl, leader: bool = False, role: Role | None = None,
              availability: Availability | None = None, addr: str | None = None, ago: float = 0.0,
              settle: bool = True) -> Node:
        """`settle`: raft takes in a new manager now (else the caller does it once for several)."""
        node = Node(name=decl.name, id=self.sim.new_id(), role=role or decl.role,
                    availability=availability or decl.availability, status=NodeStatus.READY,
                    nano_cpus=decl.nano_cpus, memory_bytes=decl.memory_bytes, labels=dict(decl.labels),
                    engine_labels=dict(decl.engine_labels), addr=addr or f"10.0.0.{self._joins + 2}", leader=leader,
                    os=decl.os, arch=decl.arch, generic_resources=dict(decl.generic_resources),
                    created_at=self.now - ago)
        self._joins += 1
        agent = Agent(self.manager, decl.name, self.images, self.host)
        self.agents[decl.name] = agent
        self.manager.dispatcher.agents[decl.name] = agent
        self.raft.add_node(decl.name)
        self.host.joined(self.sim, decl.name, ago)
        self.store.put_node(node)
        if settle and node.role is Role.MANAGER:
            self.raft.reevaluate()
        return node

    def init(self, name: str, advertise_addr: str | None = None, availability: Availability = Availability.ACTIVE,
             pools: tuple[str, ...] = (), subnet_size: int = 0, data_path_port: int = 0, autolock: bool = False,
             **settings) -> str:
        """`docker swarm init` on a node of a swarm that starts empty: it becomes the leader. The daemon checks
        the address pools and the data path port first; the cluster settings are applied once the swarm runs,
        so a refused one leaves the swarm initialised ("error updating cluster settings")."""
        if name in self.store.nodes:
            raise SwarmError(ALREADY_IN_SWARM)
        try:
            cluster.check_init(pools, subnet_size, data_path_port)
        except ClusterError as err:
            raise SwarmError(f"Error response from daemon: {err}") from None
        if pools:
            self.manager.allocator.use_pools(pools, subnet_size or cluster.DEFAULT_SUBNET_SIZE)
            self.cluster = replace(self.cluster, default_addr_pools=pools,
                                   subnet_size=subnet_size or cluster.DEFAULT_SUBNET_SIZE)
        self.cluster = replace(self.cluster, data_path_port=data_path_port or cluster.DEFAULT_DATA_PATH_PORT,
                               autolock=autolock, unlock_key=self._new_unlock_key() if autolock else "")
        self.raft.leader, self.initialized = name, True
        self.manager.active = True
        host = (advertise_addr or "").rpartition(":")[0] or advertise_addr
        node = self._join(self.decls[name], leader=True, role=Role.MANAGER, addr=host, availability=availability)
        try:
            self._set_cluster(cluster.merged(self.cluster, True, **settings))
        except ClusterError as err:
            raise SwarmError(f"Error response from daemon: error updating cluster settings: {err}") from None
        return (f"Swarm initialized: current node ({node.id}) is now a manager.\n\n"
                f"To add a worker to this swarm, run the following command:\n\n"
                f"    docker swarm join --token {self.tokens.worker} {node.addr}:{MANAGER_PORT}\n\n"
                "To add a manager to this swarm, run 'docker swarm join-token manager' and follow the "
                "instructions.\n\n")

    def update_cluster(self, autolock: bool | None = None, **settings) -> bool:
        """`docker swarm update`: the settings given; whether autolock has just been turned on (the CLI then
        prints the new key)."""
        try:
            spec = cluster.merged(self.cluster, False, **settings)
        except ClusterError as err:
            raise SwarmError(f"Error response from daemon: {err}") from None
        locking = autolock is not None and autolock != spec.autolock
        if locking:
            spec = replace(spec, autolock=autolock, unlock_key=self._new_unlock_key() if autolock else "")
        self._set_cluster(spec)
        return locking and bool(autolock)

    def rotate_unlock_key(self) -> None:
        """`docker swarm unlock-key --rotate`."""
        if not self.cluster.autolock:
            raise SwarmError("cannot rotate because autolock is not turned on")
        self.cluster = replace(self.cluster, unlock_key=self._new_unlock_key())

    def rotate_join_token(self, role: str) -> None:
        """`docker swarm join-token --rotate ROLE`: the old token no longer joins."""
        self._rotations += 1
        self.tokens = self.tokens.rotated(self.scenario.seed, role, self._rotations)

    def _new_unlock_key(self) -> str:
        self._unlock_keys += 1
        return cluster.unlock_key(self.scenario.seed, self._unlock_keys)

    def _set_cluster(self, spec: ClusterSpec) -> None:
        """The cluster object changed: the task reaper reads its history limit; the dispatcher takes a positive
        heartbeat period only (a zero in the spec leaves the one in force)."""
        self.cluster = spec
        self.manager.task_history_limit = spec.task_history_limit
        if spec.dispatcher_heartbeat > 0 and spec.dispatcher_heartbeat != self.timing.heartbeat_period:
            self.timing = self.manager.timing = replace(self.timing, heartbeat_period=spec.dispatcher_heartbeat)

    def join(self, name: str, token: str, availability: Availability) -> str:
        """`docker swarm join --token T`: the role is the token's; a wrong token fails as swarmkit's CA does.

        A swarm declared joined in the scenario also takes a made-up token (`SWMTKN-1-worker-token`)."""
        if name in self.store.nodes:
            raise SwarmError(ALREADY_IN_SWARM)
        role = self.tokens.role(token, placeholders=self.scenario.initial_leader is not None)
        if role not in ("worker", "manager"):
            raise SwarmError(role)
        self._join(self.decls[name], role=Role(role), availability=availability)
        return f"This node joined a swarm as a {role}."

    def leave(self, name: str, force: bool) -> str:
        node = self.store.nodes.get(name)
        if node is None or name not in self.agents:
            raise SwarmError("Error response from daemon: This node is not part of a swarm")
        if name in self.locked and not force:
            raise SwarmError("Error response from daemon: Swarm is encrypted and locked. Please unlock it first or "
                             "use `--force` to ignore this message.")
        if node.role is Role.MANAGER and not force:
            raise SwarmError("Error response from daemon: " + self._leave_warning(name))
        self.locked.discard(name)
        agent = self.agents.pop(name)
        agent.crash()
        agent.disconnect()
        self.manager.dispatcher.agents.pop(name, None)
        self.manager.dispatcher.node_lost(name)
        self.raft.remove_node(name)
        if node.role is Role.MANAGER:
            self.store.put_node(replace(node, role=Role.WORKER, leader=False))
            self.raft.reevaluate()
        return "Node left the swarm."

    def _leave_warning(self, name: str) -> str:
        """The daemon's refusal for a manager leaving without --force (moby daemon/cluster/swarm.go Leave)."""
        text = "You are attempting to leave the swarm on a node that is participating as a manager. "
        managers = [self.store.nodes[m] for m in self.raft.managers()]
        reachable = sum(1 for m in managers if m.reachable and m.status is not NodeStatus.DOWN)
        unreachable = len(managers) - reachable
        if self.raft.connected(name):  # an active manager: its control API answers
            if reachable == 1 and unreachable == 0:
                return text + ("Removing the last manager erases all current state of the swarm. Use `--force` "
                               "to ignore this message.")  # the client trims the daemon's message
            if reachable - 2 <= unreachable:
                text += (f"Removing this node leaves {reachable - 1} managers out of {reachable + unreachable}. "
                         "Without a Raft quorum your swarm will be inaccessible. ")
        else:
            text += "Doing so may lose the consensus of your cluster. "
        return text + ("The only way to restore a swarm that has lost consensus is to reinitialize it with "
                       "`--force-new-cluster`. Use `--force` to suppress this message.")

    def update_node(self, name: str, availability: Availability | None = None, label_add=(), label_rm=(),
                    role: str | None = None) -> str:
        node = self.node(name)
        labels = dict(node.labels)
        for key, value in label_add:
            labels[key] = value
        for key in label_rm:
            if key not in labels:
                raise SwarmError(f"Error response from daemon: key {key} doesn't exist in node's labels")
            del labels[key]
        new = replace(node, labels=labels, availability=availability or node.availability,
                      role=Role(role) if role else node.role)
        if node.role is Role.MANAGER and new.role is Role.WORKER and len(self.raft.managers()) == 1:
            raise SwarmError("Error response from daemon: rpc error: code = FailedPrecondition desc = attempting to "
                             "demote the last manager of the swarm")
        self.store.put_node(new)
        if new.role is not node.role:
            self.raft.reevaluate()
        return name

    def remove_node(self, name: str, force: bool) -> str:
        node = self.node(name)
        if node.status is not NodeStatus.DOWN and not force:
            raise SwarmError(f"Error response from daemon: rpc error: code = FailedPrecondition desc = node "
                             f"{node.id} is not down and can't be removed")
        if node.role is Role.MANAGER:
            raise SwarmError(f"Error response from daemon: rpc error: code = FailedPrecondition desc = node "
                             f"{node.id} is a cluster manager and is a member of the raft cluster. It must be "
                             f"demoted to worker before removal")
        agent = self.agents.pop(name, None)
        if agent is not None:
            agent.crash()
            agent.disconnect()
        self.raft.remove_node(name)
        self.store.delete_node(name)
        return name

    # -- services ------------------------------------------------------------------------------------------
    def _check_spec(self, spec: ServiceSpec, service_id: str | None = None) -> None:
        if not spec.task.image:  # a stack file's service with build: and no image:
            raise SwarmError("Error response from daemon: rpc error: code = InvalidArgument desc = ContainerSpec: "
                             "image reference must be provided")
        if problem := invalid_spec(spec):
            raise SwarmError(f"Error response from daemon: rpc error: code = InvalidArgument desc = {problem}")
        if problem := too_many_preferences(spec):  # swarmsim's bound, not the daemon's: said in its own words
            raise SwarmError(f"swarmsim: {problem}")
        for kind, refs in (("secret", spec.task.secrets), ("config", spec.task.configs)):
            if problem := conflicting_targets(kind, refs):
                raise SwarmError(f"Error response from daemon: rpc error: code = InvalidArgument desc = {problem}")
            for name in ref_names(refs):
                if name not in self.objects[kind]:
                    raise SwarmError(f"{kind} not found: {name}")
        for net in spec.task.networks:
            if net not in self.networks:
                raise SwarmError(f"Error response from daemon: network {net} not found")
        self._check_port_conflicts(spec, service_id)

    def _check_port_conflicts(self, spec: ServiceSpec, service_id: str | None) -> None:
        """controlapi checkPortConflicts: a published port of the spec against every other service's, in its
        spec and as allocated (a picked port too), the services in ID order as the store lists them. Host-mode
        ports may share a number (the scheduler keeps them apart), not with an ingress port."""
        ingress = {(p.published, p.protocol) for p in spec.endpoint.ports if p.published and p.mode == "ingress"}
        host = {(p.published, p.protocol) for p in spec.endpoint.ports if p.published and p.mode == "host"}
        if not ingress and not host:
            return
        for other in sorted(self.store.services.values(), key=lambda s: s.id):
            if other.id == service_id:
                continue
            for p in (*other.spec.endpoint.ports, *self.manager.allocator.published(other.id)):
                key = (p.published, p.protocol)
                if not p.published:
                    continue
                if p.mode == "host" and key in ingress:
                    use = "a host-published port"
                elif p.mode == "ingress" and (key in ingress or key in host):
                    use = "an ingress port"
                else:
                    continue
                raise SwarmError(f"Error response from daemon: rpc error: code = InvalidArgument desc = port "
                                 f"'{p.published}' is already in use by service '{other.name}' ({other.id}) as {use}")

    def create_service(self, spec: ServiceSpec) -> Service:
        if self.store.service(spec.name) is not None:
            raise SwarmError("Error response from daemon: rpc error: code = AlreadyExists desc = "
                             f"name conflicts with an existing object: service {spec.name} already exists")
        self._check_spec(spec)
        spec = stored(spec)
        service = Service(id=self.sim.new_id(), spec=spec, version=self._next_version(), created_at=self.now,
                          updated_at=self.now, last_execution=self.now if spec.mode.is_job else None)
        self.store.put_service(service)
        return service

    def update_service(self, name: str, spec: ServiceSpec) -> Service:
        current = self.service(name)
        if current.spec.mode != spec.mode:
            raise SwarmError("Error response from daemon: rpc error: code = Unimplemented desc = "
                             "service mode change is not allowed")
        self._check_spec(spec, current.id)
        spec = stored(spec)
        new = replace(current, spec=spec, version=self._next_version(), previous_spec=current.spec,
                      previous_version=current.version, update_status=None, updated_at=self.now)
        if spec.mode.is_job:  # controlapi: a new spec version reruns the job
            new = replace(new, job_iteration=current.version, last_execution=self.now)
        self.store.put_service(new)
        return new

    def rollback_service(self, name: str) -> Service:
        current = self.service(name)
        if current.previous_spec is None:
            raise SwarmError(f"Error response from daemon: rpc error: code = FailedPrecondition desc = service "
                             f"{current.id} does not have a previous spec")
        new = replace(current, spec=current.previous_spec, version=current.previous_version,
                      previous_spec=current.spec, previous_version=current.version, updated_at=self.now,
                      update_status=UpdateStatus(UpdateState.ROLLBACK_STARTED, "manually requested rollback",
                                                 started_at=self.now))
        self.store.put_service(new)
        return new

    def remove_service(self, name: str) -> str:
        self.store.delete_service(self.service(name).id)
        return name

    # -- networks ------------------------------------------------------------------------------------------
    def create_network(self, decl: NetworkDecl) -> Network:
        if decl.name in self.networks:
            raise SwarmError(f"Error response from daemon: network with name {decl.name} already exists")
        scope = "swarm" if decl.driver == "overlay" else "local"
        return self._add_network(decl.name, decl.driver, scope, decl.attachable, decl.subnet, decl.labels,
                                 decl.options, decl.internal)

    def remove_network(self, name: str) -> str:
        net = self.networks.get(name)
        if net is None:
            raise SwarmError(f"Error response from daemon: network {name} not found")
        user = next((s for s in self.store.services.values() if name in s.spec.task.networks), None)
        if user is not None:
            raise SwarmError(f"Error response from daemon: rpc error: code = FailedPrecondition desc = network "
                             f"{net.id} is in use by service {user.id}")
        if any(name == builtin for builtin, _driver, _scope in BUILTIN_NETWORKS):
            raise SwarmError(f"Error response from daemon: {name} is a pre-defined network and cannot be removed")
        del self.networks[name]
        self.manager.allocator.deallocate_network(name)
        for agent in self.agents.values():
            agent.network_removed(name)
        return name

    # -- secrets and configs ---------------------------------------------------------------------------
    def put_object(self, kind: str, obj: SwarmObject) -> tuple[str, bool]:
        """Create or update secret/config `obj` by name; its ID and whether it was new."""
        if obj.driver:  # a stack file's secret with driver: (this swarm has no plugins)
            raise SwarmError(f'Error response from daemon: rpc error: code = Unknown desc = plugin "{obj.driver}" '
                             f'not found')
        known = self.objects[kind].get(obj.name)
        ident = known[0] if known else self.sim.new_id()
        self.objects[kind][obj.name] = (ident, replace(obj, created_at=known[1].created_at if known else self.now,
                                                       updated_at=self.now))
        return ident, known is None

    def create_object(self, kind: str, obj: SwarmObject) -> str:
        """`docker secret create` / `docker config create`: a new object; its ID."""
        if obj.name in self.objects[kind]:
            raise SwarmError(f"Error response from daemon: rpc error: code = AlreadyExists desc = {kind} "
                             f"{obj.name} already exists")
        return self.put_object(kind, obj)[0]

    def find_object(self, kind: str, name: str) -> tuple[str, SwarmObject]:
        """An object by name or ID, as the daemon looks one up; (ID, object)."""
        for known, (ident, obj) in self.objects[kind].items():
            if name in (known, ident):
                return ident, obj
        raise SwarmError(f"Error response from daemon: {kind} {name} not found")

    def remove_object(self, kind: str, name: str) -> str:
        given, name = name, self.find_object(kind, name)[1].name
        users = sorted(s.name for s in self.store.services.values()
                       if name in ref_names(s.spec.task.secrets if kind == "secret" else s.spec.task.configs))
        if users:
            raise SwarmError(f"Error response from daemon: rpc error: code = InvalidArgument desc = {kind} '{name}' is "
                             f"in use by the following service{'s' if len(users) > 1 else ''}: {', '.join(users)}")
        del self.objects[kind][name]
        return given

    # -- faults ------------------------------------------------------------------------------------------
    def fail_node(self, name: str, kind: str) -> None:
        """crash: dockerd killed with its containers; stop: dockerd stopped (its containers stop too);
        recover: dockerd started again, with a fresh agent that finds its containers gone."""
        agent = self.agents.get(name)
        if agent is None:
            return
        if kind in ("crash", "stop"):
            self.locked.discard(name)  # its daemon down: it locks again when it next starts
        if kind in ("crash", "stop") and agent.alive:
            agent.crash(kind)
            self.raft.set_up(name, False)
        elif kind == "recover" and not agent.alive:
            self.sim.call_at(self.now + self.timing.daemon_restart, self._restarted, name, agent)

    def _restarted(self, name: str, dead: Agent) -> None:
        """dockerd is up again: a fresh agent, and (for a manager) its raft member; a manager of a swarm with
        autolock on has its keys encrypted and starts neither until `docker swarm unlock`."""
        if self.agents.get(name) is not dead:
            return
        if self.cluster.autolock and self.store.nodes[name].role is Role.MANAGER:
            self.locked.add(name)
            return
        self._start_node(name, dead)

    def unlock(self, name: str) -> str:
        """`docker swarm unlock`: the CLI asks the daemon only when its node is locked (runUnlock)."""
        if name not in self.locked:
            raise SwarmError("Error: swarm is not locked")
        self.locked.discard(name)
        self._start_node(name, self.agents[name])
        return ""

    def _start_node(self, name: str, dead: Agent) -> None:
        fresh = Agent(self.manager, name, self.images, self.host)
        fresh.present, fresh.logs, fresh.ended, fresh.done = dead.present, dead.logs, dead.ended, dead.done  # on disk
        fresh.connected, fresh.fresh = False, True
        # containers killed with dockerd exit 255 (measured); stopped by it, SIGKILL after the grace (137)
        fresh.find_dead(self.store.node_tasks(name), 255 if dead.died == "crash" else 137)
        self.agents[name] = fresh
        self.manager.dispatcher.agents[name] = fresh
        self.raft.set_up(name, True)

    def partition(self, groups: tuple[tuple[str, ...], ...]) -> None:
        self.raft.partition(groups)

    def heal(self) -> None:
        self.raft.heal()

    def reconnect_agents(self) -> None:
        """Agents follow the leader: a lost session stops heartbeats, and the agent looks for a new one."""
        dispatcher = self.manager.dispatcher
        for name, agent in self.agents.items():
            if agent.connected and not (agent.alive and self.raft.connected(name)):
                agent.disconnect()
                if self.manager.active or self.manager.stalled:  # a stalled leader's dispatcher still runs
                    dispatcher.node_lost(name)
            if agent.alive and not agent.connected and not agent.seeking:
                agent.seeking = True
                self.sim.process(self._seek_session(name, agent))

    def _seek_session(self, name: str, agent: Agent):
        """agent.go's run loop until a session opens.

        A manager's agent talks to its own manager and gets a session soon after there is a leader
        (0.9-1.6 s after the election in the quorum replays). A worker picks a manager at random (remotes) each time: the
        session opens if that manager is up and reaches the leader; after each failure the agent waits a
        random part of a backoff growing 0.1 s + 2x, up to 8 s, reset by a session. So after a long outage
        workers come back one by one over several seconds (3.6-13.8 s after the election, measured). A
        manager it is cut off from does not refuse the call, which hangs instead: after a partition heals
        the worker is back within a second (0.7 s measured), its backoff hardly grown.
        """
        rng = self.sim.rng.stream(f"session.{name}")
        backoff = 0.0 if agent.fresh else 0.1
        raft = self.raft
        while self.agents.get(name) is agent and agent.alive and not agent.connected:
            node = self.store.nodes.get(name)
            if node is not None and node.role is Role.MANAGER:
                if not raft.connected(name):
                    break  # reconnect_agents starts this again when raft has a leader
                yield self.sim.timeout(rng.uniform(*MANAGER_SESSION_DELAY))
                if raft.connected(name):
                    break
                continue
            if backoff:
                yield self.sim.timeout(rng.uniform(0.0, backoff))
            via = rng.choice(raft.managers() or [name])
            waited = 0.0
            while via not in raft.down and not raft.reachable(name, via) and waited < SESSION_DIAL_TIMEOUT:
                yield self.sim.timeout(SESSION_RETRANSMIT)  # cut off, not refused: the call hangs until the path is back
                waited += SESSION_RETRANSMIT
            if raft.connected(name) and raft.reachable(name, via) and raft.reachable(via, raft.leader):
                break
            backoff = min(SESSION_BACKOFF_MAX, SESSION_BACKOFF_BASE + 2 * backoff)
        if self.agents.get(name) is agent and agent.alive and not agent.connected and raft.connected(name):
            self.manager.dispatcher.node_registered(name, agent)  # the session opens at the next batch
        else:
            agent.seeking = False

    def leader_error(self, on: str, write: bool = True) -> str | None:
        """Why a command run on node `on` cannot reach a leader, in docker's words (None if it can).

        A write to a leader that lost its quorum waits for the commit, which comes only if the quorum
        is back before CheckQuorum makes it step down; reads are served from its store meanwhile."""
        if on in self.raft.down:
            return DAEMON_DOWN
        if not self.raft.connected(on):
            return NO_LEADER
        if write and self.raft.stalled:
            while self.raft.stalled:
                self.run_until(min(self.manager.step_down_at + 1e-6, self.now + 0.1))
            return None if self.raft.connected(on) else LOST_LEADERSHIP
        return None

    def run_until(self, t: float) -> None:
        self.sim.run(t)
