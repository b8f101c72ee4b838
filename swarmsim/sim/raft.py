"""Raft among the managers, as far as orchestration can tell (swarmkit manager/state/raft).

All control loops run on the leader only. A leader needs a quorum (floor(N/2)+1
of the managers) that is up and that it can reach; without one its writes cannot
commit, so orchestration stops at once. It stays leader, though, until raft's
CheckQuorum notices (etcd raft checks every election tick, 10 s, whether a quorum
was heard from since the last check: 10 to 20 s after the loss). Until then its
dispatcher still runs: the nodes it marks down are appended to its log without
committing, and they take effect if a manager holding that log is elected next
(seen on a real swarm: a crashed manager was DOWN the moment quorum came back,
not 30 s later). Writes through the API meanwhile wait and fail when it steps
down. A new leader is elected inside a connected quorum after a randomized
election timeout (raft tick 1 s, election tick 10: 10 to 20 s). Which nodes can
reach whom is which switch each hangs off: partitions rewire them, heals restore one.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..model import Role

if TYPE_CHECKING:
    from .swarm import SimSwarm

class Raft:
    def __init__(self, swarm: "SimSwarm", leader: str):
        self.swarm = swarm
        self.wiring: dict[str, int] = {}  # node -> its switch; a partition or a heal replaces the whole dict
        self.down: dict[str, None] = {}
        self.leader: str | None = leader
        self._election: float | None = None
        self.rng = swarm.sim.rng.stream("raft")
        self._log_holders: set[str] = set()      # managers whose log has the stalled leader's writes

    # -- connectivity ---------------------------------------------------------------------------------
    # Every node hangs off one switch, and a partition puts each group on a switch of its own (1, 2, ...):
    # two nodes reach each other when they hang off the same one. A node joins on the LAN (0), which
    # during a partition is cut off from every group; a heal puts every node back on it.
    LAN = 0

    def add_node(self, name: str) -> None:
        self.wiring[name] = self.LAN

    def remove_node(self, name: str) -> None:
        self.wiring.pop(name, None)

    def _rewire(self, groups: list[tuple[str, ...]], first: int = 1) -> None:
        self.wiring = {name: i for i, group in enumerate(groups, first) for name in group if name in self.wiring}

    def partition(self, groups: tuple[tuple[str, ...], ...]) -> None:
        """Cut the network into the given groups; nodes not named stay together in one more group."""
        named = {n for g in groups for n in g}
        rest = tuple(n for n in self.wiring if n not in named)
        self._rewire([*groups, rest])
        self.reevaluate()

    def heal(self) -> None:
        self._rewire([tuple(self.wiring)], first=self.LAN)
        self.reevaluate()

    def set_up(self, name: str, up: bool) -> None:
        if up:
            self.down.pop(name, None)
            if self.leader is None and self.managers() == [name]:
                # raft.go: the only registered member campaigns as soon as its state is restored
                self._election = now = self.swarm.now
                self.swarm.sim.call_at(now, self._elect, now)
            elif self.leader is None and name in self.managers():
                # Elections resume one full election timeout after a manager comes back: measured 15.0-16.4 s
                # in three real runs, where a continuing campaign cycle would give anything from 0 to 20 s.
                self._election = None
        else:
            self.down[name] = None
        self.reevaluate()

    def reachable(self, a: str, b: str) -> bool:
        if a in self.down or b in self.down:
            return False
        return a == b or self.wiring.get(a, -1) == self.wiring.get(b, -2)

    # -- quorum and leadership ---------------------------------------------------------------------------
    def managers(self) -> list[str]:
        return [n.name for n in self.swarm.store.nodes.values() if n.role is Role.MANAGER]

    def has_quorum(self, name: str, managers: list[str]) -> bool:
        """Whether `name` reaches a majority of `managers` (floor(N/2)+1, itself included)."""
        return sum(1 for m in managers if self.reachable(name, m)) >= len(managers) // 2 + 1

    @property
    def stalled(self) -> bool:
        """The leader has lost its quorum but has not noticed yet (CheckQuorum steps it down later)."""
        return self.swarm.manager.stalled

    def reevaluate(self) -> None:
        """After any fault, heal or membership change: keep, lose or elect a leader, then reconnect agents."""
        leader, manager, managers = self.leader, self.swarm.manager, self.managers()
        if leader is not None and (leader not in managers or leader in self.down):
            self._step_down()
        elif leader is not None and not self.has_quorum(leader, managers) and not self.stalled:
            due = self.swarm.now + self.rng.uniform(*self.swarm.timing.election_timeout)
            manager.active, manager.step_down_at, manager.stalled_batch = False, due, None
            self.swarm.sim.call_at(due, self._check_quorum, due)
        elif leader is not None and self.stalled and self.has_quorum(leader, managers):
            manager.quorum_back()  # a quorum again in time: the log commits
            self._commit_log()
            manager.allocator.resume()
            self.swarm.store.commit()
            manager.dispatcher.quorum_back()
        if (self.leader is None or self.stalled) and self._election is None:
            self._arm_election()
        self._update_reachability()
        self.swarm.reconnect_agents()

    def _check_quorum(self, due: float) -> None:
        """CheckQuorum fires: the leader steps down."""
        if self.swarm.manager.step_down_at == due:
            self._step_down()
            self._update_reachability()
            self.swarm.reconnect_agents()

    def _step_down(self) -> None:
        """No leader now; the managers the old one could reach (itself included) hold its uncommitted writes."""
        if self.swarm.manager.uncommitted:
            self._log_holders = {self.leader} | {m for m in self.managers() if self.reachable(self.leader, m)}
        self.swarm.manager.step_down_at = None
        self._set_leader(None)

    def _commit_log(self) -> None:
        manager = self.swarm.manager
        log, manager.uncommitted = manager.uncommitted, []
        for write in log:
            write()

    def _update_reachability(self) -> None:
        """What `docker node ls` shows as MANAGER STATUS: members the leader can reach."""
        store = self.swarm.store
        for name in self.managers():
            node = store.nodes[name]
            reachable = self.leader is not None and self.reachable(self.leader, name)
            if node.reachable != reachable:
                store.put_node(replace(node, reachable=reachable))

    def _arm_election(self) -> None:
        self._election = due = self.swarm.now + self.rng.uniform(*self.swarm.timing.election_timeout)
        self.swarm.sim.call_at(due, self._elect, due)

    def _elect(self, due: float) -> None:
        if self._election != due:
            return  # re-armed since
        self._election = None
        if self.leader is not None and not self.stalled:
            return
        managers = self.managers()
        candidates = [m for m in managers if m not in self.down and self.has_quorum(m, managers)]
        if not candidates:
            # A failed campaign: the surviving managers keep campaigning, each round after a new timeout.
            if any(m not in self.down for m in managers):
                self._arm_election()
            return
        manager = self.swarm.manager
        if self.stalled:  # a majority elsewhere elects without the stalled leader, whose log is lost
            manager.step_down_at, self._log_holders = None, set()
        # raft's up-to-date rule: voters holding the longer log only vote for a candidate that has it too
        holders = [m for m in candidates if m in self._log_holders] if manager.uncommitted else []
        self._set_leader(self.rng.choice(holders or candidates))
        if holders:
            self._commit_log()
        manager.uncommitted, self._log_holders = [], set()
        manager.take_over()
        self._update_reachability()
        self.swarm.reconnect_agents()

    def force_new_cluster(self, name: str) -> None:
        """`docker swarm init --force-new-cluster`: this manager alone is the raft cluster and leads."""
        store = self.swarm.store
        for other in self.managers():
            if other != name:
                store.put_node(replace(store.nodes[other], role=Role.WORKER, leader=False))
        self._set_leader(name)
        self.swarm.manager.take_over()
        self.swarm.reconnect_agents()

    def _set_leader(self, name: str | None) -> None:
        store = self.swarm.store
        for node in list(store.nodes.values()):
            if node.leader != (node.name == name):
                store.put_node(replace(node, leader=node.name == name))
        if name != self.leader:
            self.swarm.manager.dispatcher.stop()
            self.swarm.manager.updates.cancel_all()
        self.leader = name
        self.swarm.manager.active = name is not None

    def connected(self, name: str) -> bool:
        """Whether a node's agent can hold a session with the leader."""
        return self.leader is not None and self.reachable(self.leader, name)
