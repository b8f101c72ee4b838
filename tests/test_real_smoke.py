"""A short real-swarm smoke (about a minute): the simulator's predictions against a 3-node local swarm,
and a replay killed mid-run leaving nothing behind once `swarmsim cluster down` ran.

Needs root and the ability to run dockerd in network namespaces; without them the tests are skipped
with the reason, except under CI=true, where they fail: CI must prove the real side works.
"""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swarmsim.backend import SimBackend, run_scenario
from swarmsim.analysis.compare import compare
from swarmsim.scenario import loads_scenario

pytestmark = pytest.mark.swarm

PLACEMENT = """
version: 1
name: smoke-placement
timing: {contention_scope: host, cli_start: 0s}  # the local swarm's CPUs; replayed through the API
cluster: {managers: 1, workers: 2}
steps:
  - run: docker service create --name web --replicas 5 app:1
"""

ROLLING = """
version: 1
name: smoke-rolling
timing: {contention_scope: host, cli_start: 0s}  # the local swarm's CPUs; replayed through the API
cluster: {managers: 1, workers: 2}
steps:
  - run: docker service create --name web --replicas 4 --update-parallelism 2 --update-delay 2s app:1
  - run: docker service update --image app:2 web
  - wait: converged
"""

KILLED = """
version: 1
name: smoke-killed
timing: {contention_scope: host, cli_start: 0s}  # the local swarm's CPUs; replayed through the API
cluster: {managers: 1, workers: 1}
networks:
  ov: {driver: overlay}
services:
  s:
    image: app:1
    deploy: {replicas: 2, endpoint_mode: dnsrr}
    networks: [ov]
steps:
  - wait: 300s
"""


def _unavailable() -> str | None:
    if os.geteuid() != 0:
        return "the real-swarm smoke needs root (network namespaces, a bridge, one dockerd per node)"
    if not shutil.which("dockerd") and not shutil.which("apt-get"):
        return "no dockerd, and no apt-get to install docker.io"
    if subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode != 0:
        return "cannot create network namespaces here (no CAP_SYS_ADMIN?)"
    return None


def require_real_swarm() -> None:
    reason = _unavailable()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: the real-swarm smoke must run, but {reason}")
    pytest.skip(reason)


def swarmsim(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "swarmsim.cli", *args], capture_output=True, text=True, **kw)


def leftovers(base: str) -> list[str]:
    """Anything of a local swarm still on this machine: processes, namespaces, links, mounts, rules."""
    from validation.localswarm import BRIDGE, PREFIX
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and base in (proc / "cmdline").read_bytes().decode(errors="replace"):
                found.append(f"process {proc.name}")
        except OSError:
            pass
    found += [f"netns {n}" for n in os.listdir("/run/netns")
              if n.startswith(PREFIX)] if os.path.isdir("/run/netns") else []
    found += [f"link {line.split(':')[1].strip()}" for line in subprocess.run(
        ["ip", "-o", "link"], capture_output=True, text=True).stdout.splitlines() if f" {PREFIX}" in line]
    found += [f"mount {line.split()[1]}" for line in Path("/proc/mounts").read_text().splitlines()
              if base in line or f"/run/netns/{PREFIX}" in line]
    found += [f"iptables {rule}" for rule in subprocess.run(
        ["iptables", "-S"], capture_output=True, text=True).stdout.splitlines() if BRIDGE in rule]
    if Path(base).exists():
        found.append(f"directory {base}")
    return found


def test_killed_replay_leaves_nothing_after_cluster_down(tmp_path):
    """Runs first, before the module's swarm exists: both use the same names."""
    require_real_swarm()
    from validation.localswarm import DEFAULT_BASE_DIR, docker_cli, exclusive
    path = tmp_path / "killed.yaml"
    path.write_text(KILLED)
    with exclusive():
        check_killed_replay(path, DEFAULT_BASE_DIR, docker_cli())


ENV = dict(os.environ, SWARMSIM_LOCAL_LOCKED="1")  # the test holds the machine's local-swarm lock for them


def replay_until_running(path: Path, base: str, docker: str, **kw) -> subprocess.Popen:
    """`swarmsim replay --local` started, returned once its service's two tasks run."""
    proc = subprocess.Popen([sys.executable, "-m", "swarmsim.cli", "replay", str(path), "--local"], env=ENV,
                            stdout=subprocess.DEVNULL, start_new_session=True, **kw)
    manager = f"unix://{base}/node1/docker.sock"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # mid-run: the service's tasks are running
        ps = subprocess.run([docker, "-H", manager, "service", "ps", "s", "--filter", "desired-state=running",
                             "--format", "{{.CurrentState}}"], capture_output=True, text=True)
        if ps.stdout.count("Running") == 2:
            return proc
        if proc.poll() is not None:
            pytest.fail("the replay ended before it could be interrupted")
        time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    pytest.fail("the replay did not get its service running within 120 s")


def check_killed_replay(path: Path, base: str, docker: str) -> None:
    proc = replay_until_running(path, base, docker, stderr=subprocess.DEVNULL)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert leftovers(base), "a SIGKILLed replay should leave its swarm for `cluster down`"
    down = swarmsim("cluster", "down", timeout=120, env=ENV)
    assert down.returncode == 0, down.stderr
    assert leftovers(base) == []


def test_second_ctrl_c_during_cleanup_leaves_nothing(tmp_path):
    """Ctrl-C, then Ctrl-C again while the replay removes what it made: the cleanup still finishes."""
    require_real_swarm()
    from validation.localswarm import DEFAULT_BASE_DIR, docker_cli, exclusive
    path = tmp_path / "interrupted.yaml"
    path.write_text(KILLED)
    with exclusive():
        proc = replay_until_running(path, DEFAULT_BASE_DIR, docker_cli(), stderr=subprocess.PIPE, text=True)
        proc.send_signal(signal.SIGINT)
        time.sleep(1.0)  # inside the cleanup: removing services, stopping dockerds
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 130, err
        assert "ignored until it is done" in err, err
        assert leftovers(DEFAULT_BASE_DIR) == []


@pytest.fixture(scope="module")
def swarm():
    require_real_swarm()
    from validation import localswarm
    with localswarm.exclusive():
        started = time.monotonic()
        try:
            s = localswarm.up(3)
            print(f"3-node local swarm up in {time.monotonic() - started:.1f}s")
            yield s
        finally:
            localswarm.down()


def replay(swarm, text: str):
    from validation.docker_backend import DockerBackend
    scenario = loads_scenario(text)
    with DockerBackend.for_local(swarm) as backend:
        real = run_scenario(scenario, backend)
    return run_scenario(scenario, SimBackend()), real


def test_placement_matches_up_to_ties(swarm):
    foreign = swarm.manager.services.create("swarmsim/busybox:1", name="foreign", command=["sleep", "600"])
    try:
        predicted, observed = replay(swarm, PLACEMENT)
        row = compare(predicted, observed)["placement"]["web"]
        assert sum(row["observed"].values()) == 5
        assert row["agrees"], row
        assert [s.name for s in swarm.manager.services.list()] == ["foreign"]  # ours removed, theirs untouched
    finally:
        foreign.remove()


def test_rolling_update_duration_within_25_percent(swarm):
    predicted, observed = replay(swarm, ROLLING)
    assert observed.header["backend"] == "real"
    assert all(step["ok"] for step in observed.steps())
    update, = compare(predicted, observed)["updates"]
    print(f"update duration: predicted {update['predicted']:.2f}s, observed {update['observed']:.2f}s")
    assert update["outcome"] == ("completed", "completed")
    assert abs(update["rel"]) <= 0.25, update
