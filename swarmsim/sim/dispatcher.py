"""The dispatcher: the leader's link to every node (manager/dispatcher/dispatcher.go).

Assignments reach a node's agent 100 ms after the last change to its set;
statuses the agents report are written to the store in batches every 100 ms;
a node that stops sending heartbeats is marked down after three periods.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..model import Node, NodeStatus, Task, TaskState
from ..model.task import ASSIGNED, ORPHANED, RUNNING

if TYPE_CHECKING:
    from .agent import Agent
    from .manager import Manager

HEARTBEAT_FAILURE = "heartbeat failure"
UNKNOWN_AFTER_ELECTION = 'Node moved to "unknown" state due to leadership change in cluster'
UNKNOWN_FAILURE = 'heartbeat failure for node in "unknown" state'


def _assignment_changed(old: Task | None, new: Task | None) -> bool:
    """Whether the agent must hear of this change: a new assignment, a new desired state, a removal."""
    if new is None:
        return old is not None and old.node is not None and old.state >= ASSIGNED
    if new.node is None or new.state < ASSIGNED:
        return False
    return old is None or old.state < ASSIGNED or old.desired != new.desired


class Dispatcher:
    def __init__(self, manager: "Manager"):
        self.manager = manager
        self.sim = manager.sim
        self.agents: dict[str, "Agent"] = {}
        self._dirty_nodes: dict[str, float] = {}  # node -> time of the last change
        self._reports: dict[str, tuple[TaskState, str, str, float, int | None]] = {}
        self._flush_armed = False
        self._phase = self.sim.rng.stream("dispatcher").uniform(0, manager.timing.status_batch)
        self._lost: dict[str, float] = {}  # node -> heartbeat deadline
        self._registered: dict[str, float] = {}  # node -> when its session began (its first heartbeat)
        self._waiting: dict[str, "Agent"] = {}  # registrations waiting on a batch a stalled leader cannot commit
        self._registering: dict[str, "Agent"] = {}  # registrations waiting for the next batch (markNodeReady)
        manager.store.task_watchers.append(self._on_task)
        manager.store.node_watchers.append(self._on_node)

    # -- assignments ------------------------------------------------------------------------------
    def _on_task(self, old: Task | None, new: Task | None) -> None:
        if _assignment_changed(old, new):
            node = (new or old).node
            first = node not in self._dirty_nodes
            self._dirty_nodes[node] = self.sim.now
            if first:
                self.sim.call_at(self.sim.now + self.manager.timing.dispatch_batch, self._flush_assignments, node)

    def _flush_assignments(self, node: str) -> None:
        last = self._dirty_nodes.get(node)
        if last is None:
            return
        due = last + self.manager.timing.dispatch_batch
        if self.sim.now < due:
            self.sim.call_at(due, self._flush_assignments, node)
            return
        del self._dirty_nodes[node]
        agent = self.agents.get(node)
        # a stalled leader's Assignments streams still serve what its store has committed
        if agent is not None and agent.connected and (self.manager.active or self.manager.stalled):
            agent.assign(self.manager.store.by_node.get(node, {}).values())

    def resync(self, node: str) -> None:
        """A (re)connecting agent gets its whole assignment set."""
        self._dirty_nodes[node] = self.sim.now - self.manager.timing.dispatch_batch
        self.sim.soon(self._flush_assignments, node)

    # -- status reports ------------------------------------------------------------------------------
    def report(self, task_id: str, state: TaskState, msg: str, err: str = "", exit_code: int | None = None,
               at: float | None = None) -> None:
        """An agent's status update; stored at the next batch tick with the agent's own timestamp."""
        self._reports[task_id] = (state, msg, err, self.sim.now if at is None else at, exit_code)
        if not self._flush_armed:
            self._flush_armed = True
            self.sim.call_at(self._next_batch(), self._flush_reports)

    def _next_batch(self) -> float:
        """The next tick of the 100 ms loop that writes statuses and node updates (processUpdates)."""
        period = self.manager.timing.status_batch
        return self._phase + (int((self.sim.now - self._phase) // period) + 1) * period

    def _flush_reports(self) -> None:
        self._flush_armed = False
        reports, self._reports = self._reports, {}
        if not self.manager.active:
            if self.manager.stalled and reports:
                self._propose_stalled()  # the batch blocks the loop; agents send these again to the next leader
            self._reports = reports  # kept until a leader can write them
            return
        store = self.manager.store
        for task_id, (state, msg, err, at, exit_code) in reports.items():
            t = store.tasks.get(task_id)
            if t is None or state < t.state:
                continue  # observed state never goes backwards
            running_at = at if state == RUNNING else t.running_at
            store.update_task(t.copy(state=state, msg=msg, err=err, status_at=at, running_at=running_at,
                                      exit_code=exit_code), at=at)

    # -- heartbeats ----------------------------------------------------------------------------------
    def _on_node(self, old: Node | None, new: Node | None) -> None:
        """A node's session begins when it joins; the starting cluster's nodes count as joined at 0, which
        matched the replays (a kill at 6.4 s noticed 14.4 s later, 14.5 s observed; a partition at 8.2 s,
        12.6 s later, 10.0-12.3 s observed). Drawing a random phase instead fitted them worse."""
        if old is None and new is not None:
            self._registered[new.name] = self.sim.now

    def node_lost(self, name: str) -> None:
        """The node stopped sending heartbeats now; it is marked down when its grace runs out.

        The agent beats at registration, then each period after the answer to the last beat;
        every beat draws a period of 5 s ± 0.5 s and re-arms a 3-period timer from that beat
        (nodes.go Heartbeat, period.go). So the phase of the last beat before the loss follows
        from when the session began: the same experiment gives the same kill -> down time.
        """
        timing = self.manager.timing
        rng = self.sim.rng.stream(f"heartbeat.{name}")
        beat = self._registered.get(name, self.sim.now)
        while True:
            period = timing.heartbeat_period + rng.uniform(-timing.heartbeat_epsilon, timing.heartbeat_epsilon)
            if beat + period > self.sim.now:
                break
            beat += period
        deadline = beat + period * timing.grace_multiplier
        self._lost[name] = deadline
        self.sim.call_at(deadline, self._expire, name, deadline)

    def _expire(self, name: str, deadline: float) -> None:
        """markNodeNotReady queues the DOWN status; the next 100 ms batch writes it."""
        if self._lost.get(name) == deadline:
            self.sim.call_at(self._next_batch(), self._mark_down, name, deadline)

    def _mark_down(self, name: str, deadline: float) -> None:
        if self._lost.get(name) != deadline:
            return
        if self.manager.stalled:
            if self._propose_stalled():
                self.manager.uncommitted.append(lambda: self._mark_down(name, deadline))
            return
        if not self.manager.active:
            return
        node = self.manager.store.nodes.get(name)
        if node is not None and node.status is not NodeStatus.DOWN:
            message = UNKNOWN_FAILURE if node.status is NodeStatus.UNKNOWN else HEARTBEAT_FAILURE
            self.manager.store.put_node(replace(node, status=NodeStatus.DOWN, status_msg=message))
            self.sim.call_at(self.sim.now + self.manager.timing.node_down_orphan, self._orphan, name, deadline)

    def _propose_stalled(self) -> bool:
        """Whether a write of this batch reaches a stalled leader's log. processUpdates proposes its batch and
        waits for the commit, which never comes: only the first batch after the quorum loss is in the log."""
        manager = self.manager
        if manager.stalled_batch is None:
            manager.stalled_batch = self.sim.now
        return manager.stalled_batch == self.sim.now

    def _orphan(self, name: str, deadline: float) -> None:
        """Down for 24 h: its tasks' resources are released (dispatcher.go moveTasksToOrphaned)."""
        node = self.manager.store.nodes.get(name)
        if self._lost.get(name) != deadline or node is None or node.status is not NodeStatus.DOWN:
            return
        for t in self.manager.store.node_tasks(name):
            if ASSIGNED <= t.state <= RUNNING:
                self.manager.store.update_task(t.copy(state=ORPHANED, status_at=self.sim.now))

    def new_leader(self) -> None:
        """A new leader's dispatcher: every node not down is UNKNOWN until it registers, for 6 periods."""
        timing = self.manager.timing
        self._lost.clear()
        rng = self.sim.rng.stream("dispatcher.unknown")
        for node in list(self.manager.store.nodes.values()):
            if node.status is NodeStatus.DOWN:
                continue
            period = timing.heartbeat_period + rng.uniform(-timing.heartbeat_epsilon, timing.heartbeat_epsilon)
            deadline = self.sim.now + period * timing.unknown_grace_multiplier  # nodes.go AddUnknown
            self.manager.store.put_node(replace(node, status=NodeStatus.UNKNOWN, status_msg=UNKNOWN_AFTER_ELECTION))
            self._lost[node.name] = deadline
            self.sim.call_at(deadline, self._expire, node.name, deadline)
        if self._reports and not self._flush_armed:
            self._flush_armed = True
            self.sim.soon(self._flush_reports)

    def node_registered(self, name: str, agent: "Agent") -> None:
        """The agent opened a session: the node is written READY at the next batch, and only then does
        the Session call return (dispatcher.go register): the agent then reports and gets its tasks."""
        self._lost.pop(name, None)
        self._registered[name] = self.sim.now
        self._registering[name] = agent
        self.sim.call_at(self.sim.now + self.manager.timing.status_batch, self._mark_ready, name, agent)

    def _mark_ready(self, name: str, agent: "Agent") -> None:
        if self._registering.get(name) is not agent:
            return  # the dispatcher stopped meanwhile: the Session call failed (see stop)
        del self._registering[name]
        if self.manager.stalled:
            # markNodeReady waits for the batch, which a leader without quorum cannot commit: the session opens
            # when the quorum is back, or fails when the leader steps down (Stop wakes it with an error)
            if self._propose_stalled():
                self.manager.uncommitted.append(lambda: self._write_ready(name))
            self._waiting[name] = agent
            return
        self._write_ready(name)
        self._open_session(name, agent)

    def _write_ready(self, name: str) -> None:
        node = self.manager.store.nodes.get(name)
        if node is not None and name not in self._lost and node.status is not NodeStatus.READY:
            self.manager.store.put_node(replace(node, status=NodeStatus.READY, status_msg=""))

    def _open_session(self, name: str, agent: "Agent") -> None:
        agent.reconnect()
        self.resync(name)

    def quorum_back(self) -> None:
        """The stalled leader's batch committed: the registrations waiting on it return, READY in the next batch."""
        waiting, self._waiting = self._waiting, {}
        for name, agent in waiting.items():
            self.sim.call_at(self._next_batch(), self._write_ready, name)
            self._open_session(name, agent)

    def stop(self) -> None:
        """Leadership is lost: the registrations still waiting fail, and their agents look for a session again."""
        waiting, self._waiting = self._waiting, {}
        registering, self._registering = self._registering, {}
        # Stop wakes markNodeReady and cancels the dispatcher's context: a Session call still registering
        # ends with an error (its READY batch never written), and the agent looks for a session again
        for agent in [*waiting.values(), *registering.values()]:
            agent.seeking = False
