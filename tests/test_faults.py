"""Failures: heartbeats, quorum, partitions (swarmkit dispatcher.go, raft; reference sections 7-8)."""
from __future__ import annotations

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from swarmsim.analysis import metrics
from swarmsim.backend import SimBackend, run_scenario
from swarmsim.dockercli.parse import parse_command_line
from swarmsim.model.scenario import Fail, Heal, Partition, Run, WaitConverged, WaitFor
from swarmsim.model.task import NEW
from swarmsim.scenario import loads_scenario
from swarmsim.model.errors import LOST_LEADERSHIP, NO_LEADER_TIMEOUT

CLUSTER = """
version: 1
name: faults
seed: {seed}
cluster: {{managers: {managers}, workers: {workers}}}
services:
  web:
    image: web:1
    deploy: {{replicas: 6}}
steps:
  - wait: converged
{steps}
"""


def _run(steps: str, managers: int = 1, workers: int = 3, seed: int = 0):
    return run_scenario(loads_scenario(CLUSTER.format(seed=seed, managers=managers, workers=workers, steps=steps)),
                        SimBackend())


#: Three managers lose two: no quorum (steps 1 and 2 of a scenario after the initial convergence).
QUORUM_LOST = """  - fail: {node: node2, kind: crash}
  - fail: {node: node3, kind: crash}
"""
#: ... and one of them back after 40 s, observed 40 s more (the recovery is step 4).
MANAGER_BACK = QUORUM_LOST + """  - wait: 40s
  - fail: {node: node2, kind: recover}
  - wait: 40s
"""


def _step_output(trace, index: int) -> dict:
    return next(e for e in trace.of_kind("step") if e["index"] == index)


def test_a_crashed_worker_is_marked_down_after_three_heartbeat_periods_and_its_tasks_replaced():
    for seed in range(10):
        trace = _run("  - fail: {node: node2, kind: crash}\n  - wait: 40s\n", seed=seed)
        crash = _step_output(trace, 1)["t"]
        [(node, down)] = metrics.node_downs(trace)
        assert node == "node2"
        assert 3 * 4.5 - 5.5 <= down - crash <= 3 * 5.5  # last beat up to one period before, grace 3 periods
        running = metrics.placement(trace)["web"]
        assert "node2" not in running and sum(running.values()) == 6
        replaced = [t for t in metrics.first_times(trace, "web", "running").values() if t > crash]
        assert min(replaced) >= down + 5.0  # the restart delay applies to tasks of a down node


def test_without_quorum_nothing_changes_and_containers_keep_running():
    steps = QUORUM_LOST + """  - wait: 25s
  - run: docker service scale web=8
  - wait: 5s
"""
    trace = _run(steps, managers=3, workers=2)
    assert _step_output(trace, 4)["ok"] is False
    assert NO_LEADER_TIMEOUT in _step_output(trace, 4)["output"]  # a write waits 20 s for a leader
    lost = _step_output(trace, 1)["t"]
    assert not [e for e in trace.tasks() if e["t"] > lost and e["state"] in ("new", "pending", "assigned")]
    # No leader writes anything: the store still shows every task running, as `docker service ps` would.
    assert metrics.placement(trace) == metrics.placement(trace, lost)


def _nodes_of(trace):
    placed = metrics.placement(trace, _step_output(trace, 0)["t"])["web"]
    return [node for node, count in placed.items() for _ in range(count)]


def _leader_flags(trace, node: str) -> list[tuple[float, bool]]:
    return [(e["t"], e["leader"]) for e in trace.of_kind("node") if e["node"] == node]


def _elected_after(trace, t: float) -> float:
    """When node1 or node2 next became leader after `t`."""
    return min(at for at, leader in _leader_flags(trace, "node1") + _leader_flags(trace, "node2")
               if leader and at > t)


def test_a_leader_without_quorum_steps_down_when_checkquorum_notices_10_to_20_s_later():
    for seed in range(5):
        trace = _run(QUORUM_LOST + "  - wait: 30s\n", managers=3, workers=2, seed=seed)
        lost = _step_output(trace, 1)["t"]
        (stepped_down,) = [t for t, leader in _leader_flags(trace, "node1") if t >= lost and not leader]
        assert 10.0 <= stepped_down - lost <= 20.0


def test_a_write_to_a_leader_that_lost_its_quorum_waits_and_fails_when_it_steps_down():
    steps = QUORUM_LOST + """  - wait: 2s
  - run: docker service scale web=8
"""
    trace = _run(steps, managers=3, workers=2)
    lost, refused = _step_output(trace, 1)["t"], _step_output(trace, 4)
    assert refused["ok"] is False and LOST_LEADERSHIP in refused["output"]
    (stepped_down,) = [t for t, leader in _leader_flags(trace, "node1") if t >= lost and not leader]
    assert abs(refused["t"] - stepped_down) < 1e-3
    assert not [e for e in trace.tasks() if e["t"] > lost and e["state"] == "new"]


def test_a_quorum_back_before_checkquorum_keeps_the_leader_and_its_writes():
    steps = QUORUM_LOST + """  - wait: 3s
  - fail: {node: node2, kind: recover}
  - wait: 1s
  - run: docker service scale web=8
  - wait: converged
"""
    trace = _run(steps, managers=3, workers=2)
    assert [leader for _, leader in _leader_flags(trace, "node1")] == [True]
    assert _step_output(trace, 6)["ok"] is True
    assert sum(metrics.placement(trace)["web"].values()) == 8


def test_a_node_the_stalled_leader_marked_down_is_down_the_moment_its_log_commits():
    """Its heartbeat expired before CheckQuorum: the DOWN was appended to the leader's log and commits
    with the next election it wins; otherwise the new leader gives the node 6 periods in UNKNOWN."""
    steps = QUORUM_LOST + """  - wait: 40s
  - fail: {node: node2, kind: recover}
  - wait: 60s
"""
    at_election = 0
    for seed in range(8):
        trace = _run(steps, managers=3, workers=2, seed=seed)
        recovered = _step_output(trace, 4)["t"]
        elected = _elected_after(trace, recovered)
        down = min(e["t"] for e in trace.of_kind("node") if e["node"] == "node3" and e["status"] == "down")
        assert down == elected or 27.0 <= down - elected <= 33.5
        at_election += down == elected
    assert at_election  # the expiry (13.5-16.5 s after the last beat) often precedes CheckQuorum (10-20 s)


def test_a_manager_coming_back_restores_a_leader_within_the_election_timeout():
    steps = QUORUM_LOST + """  - wait: 25s
  - fail: {node: node3, kind: recover}
  - wait: 25s
  - run: docker service scale web=8
"""
    trace = _run(steps, managers=3, workers=2)
    leaders = [e for e in trace.of_kind("node") if e["leader"]]
    recovered = _step_output(trace, 4)["t"]
    # The surviving manager campaigns every 10-20 s; the first campaign after the recovery wins.
    assert any(recovered < e["t"] <= recovered + 20 for e in leaders)
    assert _step_output(trace, 6)["ok"] is True


def test_a_swarms_only_manager_leads_again_as_soon_as_its_daemon_is_back():
    """raft.go: the only registered member campaigns once its state is restored, with no election timeout."""
    trace = _run("""  - fail: {node: node1, kind: stop}
  - wait: 5s
  - fail: {node: node1, kind: recover}
  - wait: 2s
  - run: docker service scale web=4
""", managers=1, workers=1)
    recovered = _step_output(trace, 3)["t"]
    back = [e["t"] for e in trace.of_kind("node") if e["node"] == "node1" and e["leader"] and e["t"] > recovered]
    assert back and back[0] <= recovered + 1.5
    assert _step_output(trace, 5)["ok"] is True


def test_a_partitioned_worker_keeps_its_tasks_while_replacements_run_elsewhere():
    steps = """  - partition: [[node1, node2, node3], [node4]]
  - wait: 30s
  - heal: true
  - wait: 10s
"""
    trace = _run(steps)
    cut, healed = _step_output(trace, 1)["t"], _step_output(trace, 3)["t"]
    series = dict(metrics.running_over_time(trace, "web"))
    during = [count for t, count in series.items() if cut < t < healed]
    isolated = _nodes_of(trace).count("node4")
    if isolated:
        assert max(during) == 6 + isolated  # duplicates: the old ones still run on the isolated node
    assert sum(metrics.placement(trace)["web"].values()) == 6


class FaultSequences(RuleBasedStateMachine):
    """Any faults and heals, then quiescence with a quorum and room: running equals desired."""

    NODES = ("node1", "node2", "node3", "node4", "node5")

    def __init__(self):
        super().__init__()
        self.backend = SimBackend()
        scenario = loads_scenario(CLUSTER.format(seed=0, managers=3, workers=2, steps=""))
        self.backend.start(scenario)
        self.backend.deploy(scenario)
        self.backend.run_step(WaitConverged(timeout=60))
        self.down: set[str] = set()

    @rule(node=st.sampled_from(NODES), kind=st.sampled_from(["crash", "stop"]))
    def fail(self, node, kind):
        self.backend.run_step(Fail(node=node, kind=kind))
        self.down.add(node)

    @precondition(lambda self: self.down)
    @rule(data=st.data())
    def recover(self, data):
        node = data.draw(st.sampled_from(sorted(self.down)))
        self.backend.run_step(Fail(node=node, kind="recover"))
        self.down.discard(node)

    @rule(split=st.integers(1, 4))
    def partition(self, split):
        self.backend.run_step(Partition(groups=(self.NODES[:split], self.NODES[split:])))

    @rule()
    def heal(self):
        self.backend.run_step(Heal())

    @rule(seconds=st.sampled_from([1, 5, 20]))
    def wait(self, seconds):
        self.backend.run_step(WaitFor(seconds=seconds))

    @invariant()
    def states_never_go_backwards(self):
        store = self.backend.swarm.store
        assert all(t.state >= 0 for t in store.tasks.values())

    def teardown(self):
        for node in sorted(self.down):
            self.backend.run_step(Fail(node=node, kind="recover"))
        self.backend.run_step(Heal())
        assert self.backend.run_step(WaitConverged(timeout=300)).reached
        trace = self.backend.finish()
        assert sum(metrics.placement(trace)["web"].values()) == 6


TestFaultSequences = FaultSequences.TestCase
TestFaultSequences.settings = settings(max_examples=20, stateful_step_count=8, deadline=None)


def test_recovery_and_duplicate_metrics():
    trace = _run("  - partition: [[node1, node2, node3], [node4]]\n  - wait: 40s\n  - heal: true\n  - wait: 10s\n")
    [record] = metrics.recovery(trace)
    assert record["node"] == "node4" and 5.0 <= record["time_to_recover"] <= 8.0  # restart delay, then a start
    extra = [count for _, count in metrics.duplicates(trace, "web")]
    assert max(extra) == _nodes_of(trace).count("node4") and extra[-1] == 0


def test_a_node_without_tasks_marked_down_costs_no_recovery_time():
    """Every replica ran when it was marked down and no task changed after: recovered at once, not never."""
    trace = _run("  - run: docker service update -d --constraint-add node.role==worker web\n  - wait: converged\n"
                 "  - fail: {node: node2, kind: crash}\n  - wait: 40s\n", managers=3, workers=3)
    [record] = metrics.recovery(trace)
    assert record["node"] == "node2" and record["time_to_recover"] == 0.0


def test_a_crashed_dockerd_started_again_fails_its_containers_at_once_with_exit_255():
    """The failures carry the time the new agent found them, not the time a leader could store them."""
    trace = _run(MANAGER_BACK, managers=3, workers=2)
    recovered = _step_output(trace, 4)["t"]
    failed = [e for e in trace.tasks() if e["state"] == "failed" and e["node"] == "node2"]
    assert failed and all(e["err"] == "task: non-zero exit (255)" for e in failed)
    stamped = [e["t"] for e in failed if e["desired"] == "running"]
    assert stamped and all(t == pytest.approx(recovered + 0.9) for t in stamped)
    elected = _elected_after(trace, recovered)
    assert 10.0 <= elected - recovered <= 20.0  # one full election timeout after the manager came back


def test_after_a_long_outage_workers_come_back_over_seconds_and_managers_at_once():
    worker_delays, manager_delays = [], []
    for seed in range(6):
        trace = _run(MANAGER_BACK, managers=3, workers=2, seed=seed)
        elected = _elected_after(trace, _step_output(trace, 4)["t"])
        for e in trace.of_kind("node"):
            if e["t"] > elected and e["status"] == "ready":
                (worker_delays if e["node"] in ("node4", "node5") else manager_delays).append(e["t"] - elected)
    assert 0.8 <= min(manager_delays) and max(manager_delays) <= 1.75  # 0.9-1.6 s measured, + the status batch
    assert sorted(worker_delays)[len(worker_delays) // 2] > max(manager_delays)  # the backoff grew meanwhile
    assert max(worker_delays) > 3.0


def test_a_node_joining_after_a_heal_reaches_the_swarm():
    """A heal puts every node back on one network, and a node that joins later is on it too (it was left
    on a network of its own, as if the partition still held: its global task never started)."""
    text = """
version: 1
name: join-after-heal
seed: 1
cluster:
  nodes:
    - {name: node1, role: manager}
    - {name: node2}
    - {name: node3, joined: false}
steps:
  - run: docker service create -d --name agent --mode global busybox
  - wait: converged
  - partition: [[node1], [node2]]
  - wait: 5s
  - heal: true
  - wait: 5s
  - run: docker swarm join --token SWMTKN-1-worker-token node1:2377
    on: node3
  - wait: 10s
  - fail: {node: node2, kind: crash}
  - wait: 40s
"""
    trace = run_scenario(loads_scenario(text), SimBackend())  # the crash makes raft look at every session again
    assert sorted(metrics.placement(trace)["agent"]) == ["node1", "node3"]
    assert {e["node"]: e["status"] for e in trace.of_kind("node")}["node3"] == "ready"


def test_a_worker_isolated_while_the_quorum_was_lost_gets_its_assignments_after_the_heal():
    """Its session, asked of a leader without quorum, opens only once the quorum is back (markNodeReady waits
    for a batch that cannot commit before), and the assignments it then gets converge the swarm."""
    machine = FaultSequences()
    machine.partition(split=4)
    machine.wait(seconds=20)
    machine.fail(kind="crash", node="node2")
    machine.fail(kind="crash", node="node3")
    backend = machine.backend
    for node in ("node2", "node3"):
        backend.run_step(Fail(node=node, kind="recover"))
    healed = backend.swarm.now
    backend.run_step(Heal())
    assert backend.run_step(WaitConverged(timeout=300)).reached
    trace = backend.finish()
    quorum_back = healed + backend.swarm.timing.daemon_restart  # node2's dockerd is up again
    [ready] = [e["t"] for e in trace.of_kind("node") if e["node"] == "node5" and e["status"] == "ready" and e["t"] > 0]
    assert ready == pytest.approx(quorum_back)  # not while node1 led alone: the batch with it commits then
    assert sum(metrics.placement(trace)["web"].values()) == 6


def test_a_registration_cut_short_by_the_leaders_crash_is_made_again_with_the_next_leader():
    """The worker registered with node1 just after a heal, and node1 crashed before the batch that marks it
    ready (markNodeReady): the Session call fails with the dispatcher's Stop, the agent registers with the
    next leader, and the swarm converges. It had opened a session no dispatcher held: node4 stayed down."""
    backend = SimBackend()
    scenario = loads_scenario(CLUSTER.format(seed=0, managers=3, workers=1, steps="").replace("replicas: 6", "replicas: 2"))
    backend.start(scenario)
    backend.deploy(scenario)
    assert backend.run_step(WaitConverged(timeout=60)).reached
    backend.run_step(Partition(groups=(("node4",), ("node1", "node2", "node3"))))
    backend.run_step(Heal())  # node4 registers with node1 at once ...
    backend.run_step(WaitFor(seconds=0.05))  # ... its READY waiting for the next 100 ms batch
    crashed = backend.swarm.now
    backend.run_step(Fail(node="node1", kind="crash"))
    backend.run_step(WaitFor(seconds=60))
    backend.run_step(Fail(node="node1", kind="recover"))
    assert backend.run_step(WaitConverged(timeout=300)).reached
    trace = backend.finish()
    assert [e for e in trace.of_kind("node") if e["node"] == "node4" and e["status"] == "ready" and e["t"] > crashed]
    assert backend.swarm.store.nodes["node4"].status.name == "READY"
    assert sum(metrics.placement(trace)["web"].values()) == 2


def test_a_task_created_while_the_leader_could_not_commit_is_allocated_once_a_leader_can():
    """The allocator left NEW what it saw while no leader could commit; the leader that can write again
    allocates every NEW task of the store (allocator.go doNetworkInit), so the swarm converges. It had
    waited for a deallocation that never came."""
    backend = SimBackend()
    services = "  agent:\n    image: agent:1\n    deploy: {mode: global}\nsteps:\n"
    backend.start(scenario := loads_scenario(CLUSTER.format(seed=0, managers=3, workers=3, steps="").replace("steps:\n", services)))
    backend.deploy(scenario)
    assert backend.run_step(WaitConverged(timeout=60)).reached

    def run(command: str, on: str):
        return Run(command=command, parsed=parse_command_line(command), on=on)

    for step in (Fail(node="node5", kind="crash"), Fail(node="node5", kind="recover"),
                 run("docker service scale -d web=5", on="node1"), Fail(node="node1", kind="crash"),
                 WaitFor(seconds=20), run("docker node update --availability drain node6", on="node2"),
                 run("docker service scale -d web=0", on="node1"),  # refused: node1 is down
                 Partition(groups=(("node2",), ("node1", "node3", "node4", "node5", "node6"))),
                 WaitFor(seconds=5), Fail(node="node1", kind="recover"), Heal(), WaitFor(seconds=35),
                 run("docker node update --availability active node6", on="node2")):
        backend.run_step(step)
    assert backend.run_step(WaitConverged(timeout=300)).reached
    store = backend.swarm.store
    assert not [t for t in store.tasks.values() if t.state == NEW]
    assert sum(metrics.placement(backend.finish())["web"].values()) == 5


def test_a_restart_delay_ending_while_no_leader_can_commit_starts_the_task_with_the_next_leader():
    """The restart supervisor's release is a write: a leader without quorum proposes it to its log, which
    commits when a manager holding it is elected (CheckTasks starts any task still held at READY). The
    worker does not start the replacement while the managers have no quorum."""
    scenario = loads_scenario("""
version: 1
name: restart-without-leader
seed: 0
cluster: {managers: 3, workers: 1}
images:
  app:1: {exit_after: 3s, exit_code: 1}
services:
  web:
    image: app:1
    deploy: {replicas: 1, placement: {constraints: [node.role==worker]},
             restart_policy: {condition: on-failure, delay: 10s}}
steps:
  - wait: 5s
  - fail: {node: node2, kind: crash}
  - fail: {node: node3, kind: crash}
  - wait: 40s
  - fail: {node: node2, kind: recover}
  - wait: 40s
""")
    trace = run_scenario(scenario, SimBackend())
    elected = min(e["t"] for e in trace.of_kind("node") if e["leader"] and e["t"] > 5)
    released = [e["t"] for e in trace.of_kind("task") if e["desired"] == "running" and e["state"] == "ready"]
    assert released and min(released) == pytest.approx(elected)  # not when the 10 s delay ended (13.7 s)
    started = [e["t"] for e in trace.of_kind("task") if e["state"] == "running" and 5 < e["t"]]
    assert min(started) > elected


LEADER_LOST_IN_UPDATE = """
version: 1
name: leader-lost-in-update
seed: {seed}
cluster: {{managers: 3, workers: 3}}
services:
  web:
    image: web:1
    deploy: {{replicas: 6, placement: {{constraints: [node.role==worker]}},
             update_config: {{parallelism: 1, delay: 5s}}}}
steps:
  - wait: converged
  - run: docker service update -d --image web:2 web
  - wait: {wait}
{fault}
  - wait: 90s
"""


def _update_across_leaders(fault: str, seed: int, wait: str = "7s"):
    scenario = LEADER_LOST_IN_UPDATE.format(seed=seed, fault=fault, wait=wait)
    trace = run_scenario(loads_scenario(scenario), SimBackend())
    lost = _step_output(trace, 3)["t"]
    elected = min(e["t"] for e in trace.of_kind("node") if e["leader"] and e["t"] > lost and e["node"] != "node1")
    created = sorted(e["t"] for e in trace.tasks() if e["state"] == "new" and e["t"] > lost)
    return trace, lost, elected, created


def _one_new_task_per_slot(trace) -> None:
    running = {}
    for e in trace.tasks():
        running[e["task"], e["gen"]] = e if e["state"] == "running" and e["desired"] == "running" else None
    final = [e for e in running.values() if e is not None]
    assert sorted(e["slot"] for e in final) == [1, 2, 3, 4, 5, 6]
    assert {e["image"] for e in final} == {"web:2"}


def test_a_rolling_update_the_leader_lost_goes_on_under_the_next_leader_from_its_reconcile():
    """Losing leadership stops the orchestrators and their updaters (CancelAll); the new leader's
    reconcile starts a fresh updater over the slots still dirty, so the next slot is replaced within
    one update delay of the election, not on the old updater's schedule, and none while no leader."""
    for seed in range(6):
        trace, lost, elected, created = _update_across_leaders("  - fail: {node: node1, kind: crash}", seed)
        assert created and not [t for t in created if t < elected]
        assert created[0] - elected <= 5.0 + 1.0
        _one_new_task_per_slot(trace)


def test_a_leader_cut_off_from_its_quorum_creates_no_task_while_its_writes_cannot_commit():
    """A stalled leader's updater blocks on its batch (a proposal that never commits) until CheckQuorum
    makes it step down; the majority's leader carries the update on. The cut comes in an update delay,
    so the stalled leader's updater has a slot to hand out while it cannot commit."""
    for seed in range(6):
        trace, lost, elected, created = _update_across_leaders(
            "  - partition: [[node1, node4, node5, node6], [node2, node3]]\n  - wait: 40s\n  - heal: true", seed,
            wait="9s")
        assert created and not [t for t in created if t < elected]
        _one_new_task_per_slot(trace)


def test_a_status_taken_while_no_leader_is_stored_with_the_agents_time_after_the_next_session_opens():
    """The old task of the slot being replaced stops a second after the leader's crash; the worker holds
    that SHUTDOWN and sends it with its own time when a session opens. The new session's first assignment
    list still shows the task running (its status is stored at the next batch): the worker, whose task
    database has it as done, does not run it again, so the trace keeps the time it stopped."""
    for seed in range(6):
        trace, lost, elected, _created = _update_across_leaders("  - fail: {node: node1, kind: crash}", seed)
        told = {(e["task"], e["gen"]) for e in trace.tasks() if e["desired"] == "shutdown" and e["t"] < lost}
        stopped = [e["t"] for e in trace.tasks() if (e["task"], e["gen"]) in told and e["state"] == "shutdown"]
        assert len(stopped) == len(told) and max(stopped) < lost + 3.0 < elected
