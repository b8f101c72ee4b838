"""Replays on a swarm swarmsim's replay did not create, reached over tcp:// and ssh:// (issue 14).

The swarm: two dockerds in network namespaces that listen on TCP (validation/localswarm.py with tcp=True),
with a foreign service, network, secret, config and node labels made by plain docker commands, as a user
would, and Debian's sshd in the manager's namespace. After every replay, interrupted or not, the foreign
objects' `docker inspect` is what it was (for the two nodes, whose labels the scenario changes and the
cleanup puts back, the spec's Version.Index and UpdatedAt move: they are the only fields left out), and
nothing carrying the run label, nor any node label swarmsim added, is left.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_real_smoke import require_real_swarm

pytestmark = pytest.mark.swarm

IMAGE = "swarmsim/busybox:1"
MANAGER = "tcp://10.77.0.11:2375"
SSH_PORT = 2222

SCENARIO = """
version: 1
name: foreign
timing: {contention_scope: host, cli_start: 0s}
cluster:
  nodes:
    - {name: m, role: manager, labels: {zone: a}}
    - {name: w, labels: {zone: b, added: "yes"}}
networks:
  ours: {driver: overlay}
services:
  web:
    image: app:1
    deploy: {replicas: 1, endpoint_mode: dnsrr, placement: {constraints: [node.labels.zone==a]},
             update_config: {monitor: 1s}}
    networks: [ours]
steps:
  - run: docker node update --label-rm team w
  - run: docker service create -d --name api --update-monitor 1s --constraint node.labels.added==yes app:1
  - wait: converged
"""

LONG = SCENARIO + "  - wait: 300s\n"

LACKING = """
version: 1
name: lacking
cluster:
  nodes:
    - {name: m1, role: manager, engine_labels: {disk: ssd}}
    - {name: m2, role: manager}
    - {name: w1}
networks:
  theirs-net: {driver: overlay}
services:
  theirs:
    image: app:1
    ports: ["8080:80"]
"""

FOREIGN = [("service", "theirs"), ("network", "theirs-net"), ("secret", "theirs-secret"),
           ("config", "theirs-config"), ("node", "alpha"), ("node", "beta")]


def docker(*args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    from validation.localswarm import docker_cli
    return subprocess.run([docker_cli(), "-H", MANAGER, *args], capture_output=True, text=True, check=check, **kw)


def snapshot(settled: bool = False) -> dict:
    """Each foreign object's inspect; `settled`: without the nodes' Version and UpdatedAt, which a label
    changed and put back moves."""
    shot = {}
    for kind, name in FOREIGN:
        obj = json.loads(docker(kind, "inspect", name).stdout)[0]
        if settled and kind == "node":
            obj = {k: v for k, v in obj.items() if k not in ("Version", "UpdatedAt")}
        shot[f"{kind} {name}"] = obj
    return shot


def ours_left(state: Path) -> list[str]:
    """Anything of a replay still on the swarm or on disk."""
    from validation.observe import RUN_LABEL
    found = []
    for kind in ("service", "network", "secret", "config"):
        out = docker(kind, "ls", "-q", "--filter", f"label={RUN_LABEL}").stdout.split()
        found += [f"{kind} {x}" for x in out]
    for name in ("alpha", "beta"):
        labels = json.loads(docker("node", "inspect", name).stdout)[0]["Spec"]["Labels"]
        found += [f"node {name} label {k}" for k in ("added",) if k in labels]
    found += [f"ledger {p.name}" for p in state.glob("*.json")] if state.is_dir() else []
    return found


@pytest.fixture(scope="module")
def swarm(tmp_path_factory):
    """A 2-node swarm listening on TCP, foreign objects on it, an sshd in the manager's namespace."""
    require_real_swarm()
    from validation import localswarm
    root = tmp_path_factory.mktemp("foreign")
    with localswarm.exclusive():
        started = time.monotonic()
        try:
            s = localswarm.up(2, hostnames=["alpha", "beta"], tcp=True)
            docker("network", "create", "-d", "overlay", "theirs-net")
            docker("service", "create", "-d", "--name", "theirs", "--network", "theirs-net", "--no-resolve-image",
                   "--label", "owner=someone-else", IMAGE, "sleep", "3600")
            docker("secret", "create", "theirs-secret", "-", input="s3cret\n")
            docker("config", "create", "theirs-config", "-", input="cfg\n")
            docker("node", "update", "--label-add", "zone=x", "alpha")
            docker("node", "update", "--label-add", "team=blue", "beta")
            deadline = time.monotonic() + 60  # its task attached to theirs-net: the network's inspect settled
            while "Running" not in docker("service", "ps", "theirs", "--format", "{{.CurrentState}}").stdout:
                assert time.monotonic() < deadline, "the foreign service did not start"
                time.sleep(0.3)
            env = start_sshd(root, s.nodes["node1"])
            print(f"swarm with foreign objects and sshd up in {time.monotonic() - started:.1f}s")
            yield env
        finally:
            pid = localswarm.read_pid(root / "sshd.pid")
            if pid:
                localswarm.signal_pid(pid, signal.SIGTERM)
            localswarm.down()


def start_sshd(root: Path, node) -> dict:
    """Debian's sshd in the node's namespace, on a private port with generated keys, its sessions pointed at
    the node's dockerd; returns the environment in which `ssh` (and paramiko) reach it with no prompt."""
    from validation.localswarm import sh
    if not Path("/usr/sbin/sshd").exists():
        sh("apt-get", "install", "-y", "-qq", "openssh-server", env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    for key in ("hostkey", "id"):
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(root / key))
    (root / "sshd_config").write_text(
        f"Port {SSH_PORT}\nListenAddress {node.ip}\nHostKey {root}/hostkey\nAuthorizedKeysFile {root}/id.pub\n"
        f"PidFile {root}/sshd.pid\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nStrictModes no\n"
        f"UsePAM no\nSetEnv DOCKER_HOST={node.base_url}\n")
    home = root / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "known_hosts").write_text(f"[{node.ip}]:{SSH_PORT} {(root / 'hostkey.pub').read_text()}")
    (home / ".ssh" / "config").write_text(f"Host {node.ip}\n  IdentityFile {root}/id\n  IdentitiesOnly yes\n"
                                          f"  UserKnownHostsFile {home}/.ssh/known_hosts\n  BatchMode yes\n")
    bin_dir = root / "bin"  # the ssh command reads the passwd entry's ~/.ssh, not $HOME's: point it there
    bin_dir.mkdir()
    (bin_dir / "ssh").write_text(f'#!/bin/sh\nexec /usr/bin/ssh -F {home}/.ssh/config "$@"\n')
    (bin_dir / "ssh").chmod(0o755)
    Path("/run/sshd").mkdir(exist_ok=True)
    sh("nsenter", f"--net=/run/netns/{node.netns}", "/usr/sbin/sshd", "-f", str(root / "sshd_config"),
       "-E", str(root / "sshd.log"))
    return dict(os.environ, HOME=str(home), PATH=f"{bin_dir}:{os.environ['PATH']}",
                SSH_URL=f"ssh://root@{node.ip}:{SSH_PORT}")


def replay_args(path: Path, url: str, state: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "swarmsim.cli", "replay", str(path), "--docker-host", url, "--node", "m=alpha",
            "--node", "w=beta", "--workload-image", IMAGE, "--state-dir", str(state), *extra]


@pytest.mark.parametrize("transport", ["tcp", "ssh"])
def test_a_replay_leaves_foreign_objects_as_they_were_and_nothing_of_its_own(swarm, tmp_path, transport):
    path, state = tmp_path / "s.yaml", tmp_path / "state"
    path.write_text(SCENARIO)
    before = snapshot(settled=True)
    url = MANAGER if transport == "tcp" else swarm["SSH_URL"]
    started = time.monotonic()
    run = subprocess.run(replay_args(path, url, state), capture_output=True, text=True, env=swarm, timeout=180)
    print(f"replay over {transport}: {time.monotonic() - started:.1f}s")
    assert run.returncode == 0, run.stderr
    assert "api                  w=1" in run.stdout and "web                  m=1" in run.stdout, run.stdout
    assert snapshot(settled=True) == before
    assert ours_left(state) == []


def start_long_replay(tmp_path: Path, env: dict) -> tuple[subprocess.Popen, Path]:
    """A replay whose services run, then waits 300 s; returned once its service `web` runs."""
    path, state = tmp_path / "long.yaml", tmp_path / "state"
    path.write_text(LONG)
    proc = subprocess.Popen(replay_args(path, MANAGER, state), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ps = docker("service", "ps", "api", "--filter", "desired-state=running", "--format", "{{.CurrentState}}",
                    check=False)
        if "Running" in ps.stdout:
            return proc, state
        if proc.poll() is not None:
            pytest.fail(f"the replay ended before it could be interrupted: {proc.stderr.read()}")
        time.sleep(0.3)
    proc.kill()
    pytest.fail("the replay's service did not run within 60 s")


@pytest.mark.parametrize("signals", [["SIGINT"], ["SIGINT", "SIGINT"]])
def test_an_interrupted_replay_cleans_up_even_when_interrupted_again(swarm, tmp_path, signals):
    before = snapshot(settled=True)
    proc, state = start_long_replay(tmp_path, swarm)
    for sig in signals:
        proc.send_signal(getattr(signal, sig))
        time.sleep(0.5)  # the second one arrives inside the cleanup (services being removed)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    if len(signals) == 2:
        assert "ignored until it is done" in err, err
    assert snapshot(settled=True) == before
    assert ours_left(state) == []


def test_a_killed_replay_is_undone_by_replay_cleanup(swarm, tmp_path):
    before = snapshot(settled=True)
    proc, state = start_long_replay(tmp_path, swarm)
    proc.kill()
    proc.wait()
    assert ours_left(state), "a SIGKILLed replay leaves its objects and its ledger"
    cleanup = subprocess.run([sys.executable, "-m", "swarmsim.cli", "replay", "--cleanup", "--state-dir", str(state)],
                             capture_output=True, text=True, env=swarm, timeout=120)
    assert cleanup.returncode == 0, cleanup.stderr
    assert "removed what it created" in cleanup.stdout
    assert snapshot(settled=True) == before
    assert ours_left(state) == []


def test_the_preflight_lists_everything_the_swarm_lacks_and_changes_nothing(swarm, tmp_path):
    from validation.localswarm import ipvs_available
    path, state = tmp_path / "lacking.yaml", tmp_path / "state"
    path.write_text(LACKING)
    before = snapshot()
    run = subprocess.run([sys.executable, "-m", "swarmsim.cli", "replay", str(path), "--docker-host", swarm["SSH_URL"],
                          "--node", "ghost=alpha", "--node", "w1=gamma", "--workload-image", "nosuch:1",
                          "--state-dir", str(state)], capture_output=True, text=True, env=swarm, timeout=60)
    assert run.returncode == 2, run.stdout + run.stderr
    err = run.stderr
    assert "the swarm lacks what the scenario needs (nothing was changed)" in err
    for said in ("--node ghost=alpha: the scenario has no node ghost",
                 "--node w1=gamma: the swarm has no ready node with hostname gamma",
                 "the scenario's manager m2 has no real node left to play it",
                 "engine label disk=ssd on alpha",
                 "a service named theirs exists already", "a network named theirs-net exists already",
                 "image nosuch:1 is not on alpha"):
        assert said in err, (said, err)
    if not ipvs_available():
        assert "has no IPVS" in err, err
    assert snapshot() == before  # not even a node's Version moved
    assert ours_left(state) == []


def test_the_preflight_alone_prints_the_plan_and_changes_nothing(swarm, tmp_path):
    path, state = tmp_path / "s.yaml", tmp_path / "state"
    path.write_text(SCENARIO)
    before = snapshot()
    run = subprocess.run(replay_args(path, MANAGER, state, "--preflight"), capture_output=True, text=True, env=swarm,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert "node m is alpha" in run.stdout and "node w is beta" in run.stdout
    assert "will set (and put back): node label zone=a on alpha (now 'x')" in run.stdout
    assert snapshot() == before
    assert ours_left(state) == []
