"""A swarm that starts empty: docker swarm init, join with the printed token, join-token, leave, info, node ps."""
import re
import sys
from pathlib import Path

from hypothesis import given, strategies as st

import cli_capture as cc
import one_node
from swarmsim import SimBackend, loads_scenario, run_scenario
from swarmsim.backend import NOT_IN_SWARM
from swarmsim.model.jointoken import INVALID_TOKEN, WRONG_SECRET, JoinTokens

TOKEN = re.compile(r"SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}")
EMPTY = """version: 1
seed: {seed}
cluster:
  nodes:
    - {{name: m1, role: manager, joined: false}}
    - {{name: m2, role: manager, joined: false}}
    - {{name: m3, role: manager, joined: false}}
    - {{name: w1, joined: false}}
steps:
"""


def _steps(steps: list[tuple[str, str | None]], seed: int = 3):
    text = EMPTY.format(seed=seed) + "".join(
        f"  - run: {cmd}\n" + (f"    on: {on}\n" if on else "") for cmd, on in steps)
    backend = SimBackend()
    trace = run_scenario(loads_scenario(text, "t.yaml"), backend)
    return backend.swarm, trace.steps()


@given(st.integers(min_value=-2**63, max_value=2**63))
def test_tokens_have_swarmkits_form_and_join_as_their_role(seed):
    tokens = JoinTokens.for_seed(seed)
    assert TOKEN.fullmatch(tokens.worker) and TOKEN.fullmatch(tokens.manager)
    assert tokens.worker.split("-")[2] == tokens.manager.split("-")[2] and tokens.worker != tokens.manager
    assert (tokens.role(tokens.worker), tokens.role(tokens.manager)) == ("worker", "manager")
    assert JoinTokens.for_seed(seed) == tokens


def test_a_wrong_token_fails_as_swarmkits_ca_refuses_it():
    tokens, other = JoinTokens.for_seed(1), JoinTokens.for_seed(2)
    for bad in ("abc", "SWMTKN-2-x-y", "SWMTKN-1-x", "SWMTKN-1-!!-y", "swmtkn-1-a-b"):
        assert tokens.role(bad) == INVALID_TOKEN
    digest = other.worker.split("-")[2]
    assert tokens.role(other.worker) == ("Error response from daemon: remote CA does not match fingerprint. "
                                         f"Expected: {int(digest, 36):064x}")
    assert tokens.role(tokens.worker[:-1] + ("0" if tokens.worker[-1] != "0" else "1")) == WRONG_SECRET
    assert tokens.role("SWMTKN-1-worker-token", placeholders=True) == "worker"
    assert tokens.role("SWMTKN-1-manager-token", placeholders=True) == "manager"
    assert tokens.role("SWMTKN-1-manager-token").startswith("Error response from daemon: remote CA")


def test_init_prints_dockers_text_and_its_join_command_works():
    swarm, steps = _steps([("docker node ls", None), ("docker info", None),
                           ("docker swarm init --advertise-addr 192.168.99.100", None)])
    tokens = swarm.tokens
    assert [s["ok"] for s in steps] == [False, True, True]
    assert steps[0]["output"] == NOT_IN_SWARM
    assert steps[1]["output"] == " Swarm: inactive\n"
    node = swarm.store.nodes["m1"]
    assert steps[2]["output"] == (
        f"Swarm initialized: current node ({node.id}) is now a manager.\n\n"
        "To add a worker to this swarm, run the following command:\n\n"
        f"    docker swarm join --token {tokens.worker} 192.168.99.100:2377\n\n"
        "To add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions.\n\n")
    join = f"docker swarm join --token {tokens.worker} 192.168.99.100:2377"
    swarm, steps = _steps([("docker swarm init --advertise-addr 192.168.99.100", None), (join, "w1"),
                           (f"docker swarm join --token {tokens.manager} 192.168.99.100:2377", "m2"),
                           ("docker swarm join-token -q manager", "m2"), ("docker swarm join-token worker", "m1"),
                           ("docker info", "w1"), ("docker node ls", "w1")])
    outputs = [s["output"] for s in steps]
    assert outputs[1:3] == ["This node joined a swarm as a worker.", "This node joined a swarm as a manager."]
    assert outputs[3] == tokens.manager + "\n"
    assert outputs[4] == ("To add a worker to this swarm, run the following command:\n\n"
                          f"    docker swarm join --token {tokens.worker} 192.168.99.100:2377\n\n")
    assert outputs[5] == (f" Swarm: active\n  NodeID: {swarm.store.nodes['w1'].id}\n  Is Manager: false\n"
                          "  Node Address: 10.0.0.3\n  Manager Addresses:\n   10.0.0.4:2377\n   192.168.99.100:2377\n")
    assert not steps[6]["ok"] and outputs[6].startswith("Error response from daemon: This node is not a swarm "
                                                        "manager. Worker nodes can't")


def test_wrong_token_fails_the_step_and_the_node_stays_out():
    tokens = JoinTokens.for_seed(3)
    swarm, steps = _steps([("docker swarm init", None),
                           ("docker swarm join --token SWMTKN-1-worker-token 10.0.0.2:2377", "w1"),
                           (f"docker swarm join --token {tokens.worker[:-3]}zzz 10.0.0.2:2377", "w1"),
                           ("docker service create -d --name web nginx", "w1")])
    assert [s["ok"] for s in steps] == [True, False, False, False]
    assert steps[1]["output"].startswith("Error response from daemon: remote CA does not match fingerprint.")
    assert steps[2]["output"] == WRONG_SECRET
    assert steps[3]["output"] == NOT_IN_SWARM
    assert "w1" not in swarm.store.nodes


def test_leave_refusals_are_the_daemons():
    tokens = JoinTokens.for_seed(3)
    join = f"docker swarm join --token {tokens.manager} 10.0.0.2:2377"
    _, steps = _steps([("docker swarm init", None), ("docker swarm leave", None), ("docker swarm leave", "w1")])
    assert steps[1]["output"] == (
        "Error response from daemon: You are attempting to leave the swarm on a node that is participating as a "
        "manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this "
        "message.")
    assert steps[2]["output"] == "Error response from daemon: This node is not part of a swarm"
    _, steps = _steps([("docker swarm init", None), (join, "m2"), ("docker swarm leave", "m2")])
    assert steps[2]["output"].endswith(
        "manager. Removing this node leaves 1 managers out of 2. Without a Raft quorum your swarm will be "
        "inaccessible. The only way to restore a swarm that has lost consensus is to reinitialize it with "
        "`--force-new-cluster`. Use `--force` to suppress this message.")
    swarm, steps = _steps([("docker swarm init", None), (join, "m2"), (join, "m3"), ("docker swarm leave", "m3"),
                           ("docker swarm leave --force", "m3")])
    assert steps[3]["output"] == (
        "Error response from daemon: You are attempting to leave the swarm on a node that is participating as a "
        "manager. The only way to restore a swarm that has lost consensus is to reinitialize it with "
        "`--force-new-cluster`. Use `--force` to suppress this message.")
    assert steps[4]["output"] == "Node left the swarm." and "m3" not in swarm.agents


def test_node_ps_lists_the_tasks_on_a_node():
    swarm, steps = _steps([("docker swarm init", None), ("docker service create --name web --replicas 2 nginx", None),
                           ("docker node ps", None), ("docker node ps -q self", None)])
    assert all(s["ok"] for s in steps)
    ids = {t.id for t in swarm.store.node_tasks("m1")}
    assert len(ids) == 2 and set(steps[3]["output"].split()) == ids
    assert steps[2]["output"].splitlines()[0].split() == ["ID", "NAME", "IMAGE", "NODE", "DESIRED", "STATE",
                                                          "CURRENT", "STATE", "ERROR", "PORTS"]


ROTATE_FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "join_token.txt"
ROTATE_STEPS = ("docker swarm join-token -q worker", "docker swarm join-token --rotate worker",
                "docker swarm join-token --rotate -q manager", "docker swarm join-token --rotate boss")


def test_join_token_rotate_prints_what_docker_printed():
    """Recorded on docker 20.10.24, a fresh one-node swarm (`python tests/test_swarm_init.py RAW.json`)."""
    real = cc.load(ROTATE_FIXTURE.read_text())
    refused = [e["line"] for e in real if e["rc"] != 0]  # the CLI's own refusal of the role, on load
    outputs = iter(one_node.simulated([s for s in ROTATE_STEPS if s not in refused]))
    for entry in real:
        if entry["line"] not in refused:
            assert cc.normal(next(outputs)) == entry["out"], entry["line"]


def test_a_rotated_token_refuses_the_old_one_and_joins_with_the_new():
    swarm, steps = _steps([("docker swarm init", None), ("docker swarm join-token --rotate worker", None),
                           ("docker swarm join-token --rotate manager", None)], seed=5)
    old = JoinTokens.for_seed(5)
    assert old.ca_digest == swarm.tokens.ca_digest
    assert swarm.tokens.worker != old.worker and swarm.tokens.manager != old.manager
    assert swarm.tokens.role(old.worker) == WRONG_SECRET and swarm.tokens.role(swarm.tokens.worker) == "worker"
    assert swarm.tokens.worker in steps[1]["output"] and steps[1]["output"].startswith(
        "Successfully rotated worker join token.\n\n")


if __name__ == "__main__":
    one_node.record(Path(sys.argv[1]), ROTATE_FIXTURE, ROTATE_STEPS, cc.normal)
