"""`docker swarm init` and `docker swarm update` with every flag, and `docker swarm unlock-key`: the settings
`docker info` shows, the refusals of the CLI and of the daemon, the address pools the overlay networks' subnets
come from and an initial availability, as docker 20.10.24 printed on one node outside any swarm
(tests/fixtures/cli_output/swarm_settings.txt; `python tests/test_swarm_settings.py RAW.json` writes it,
tests/one_node.py; RAW-pools.json, RAW-unallocated.json and RAW-lock.json the other three fixtures)."""
from __future__ import annotations

import ipaddress
import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import cli_capture as cc
import one_node
from swarmsim import SimBackend, load_scenario, loads_scenario, run_scenario
from swarmsim.dockercli.parse import CommandError, parse_command_line
from swarmsim.model import Availability, cluster
from swarmsim.net.ipam import SubnetPools
from swarmsim.scenario.loader import ScenarioError

FIXTURE = Path(__file__).parent / "fixtures" / "cli_output" / "swarm_settings.txt"
_C = f"--no-resolve-image --stop-grace-period 1s {cc.IMAGE} sleep 100000"
_ADDR = "10.77.0.11"  # node1 of the local swarm
_FULL = (f"docker swarm init --advertise-addr {_ADDR} --default-addr-pool 10.20.0.0/16 --default-addr-pool "
         "10.40.0.0/24 --default-addr-pool-mask-length 26 --availability drain --task-history-limit 2 "
         "--dispatcher-heartbeat 10s --cert-expiry 48h --max-snapshots 2 --snapshot-interval 5000 "
         "--data-path-port 7789 --autolock --external-ca protocol=cfssl,url=https://ca.example.com")
SETTINGS_STEPS = (
    "docker info",
    "docker swarm init --availability foo",
    "docker swarm init --default-addr-pool 10.20.0.0",
    "docker swarm init --data-path-port 70000",
    "docker swarm init --data-path-port 1000",
    "docker swarm init --default-addr-pool 10.20.0.0/30 --default-addr-pool-mask-length 24",
    "docker swarm init --default-addr-pool 10.20.0.0/16 --default-addr-pool-mask-length 30",
    "docker swarm init --max-snapshots -1",
    "docker swarm init --task-history-limit x",
    "docker swarm init --cert-expiry 1d",
    "docker swarm init --external-ca protocol=acme,url=https://ca.example.com",
    "docker swarm init --external-ca url=https://ca.example.com",
    "docker swarm init --external-ca protocol=cfssl",
    "docker swarm init --external-ca protocol=cfssl,url",
    "docker swarm unlock-key",
    "docker swarm update --task-history-limit 3",
    _FULL,
    "docker info",
    "docker node ls",
    "docker network inspect -f '{{json .IPAM.Config}}' ingress",
    "docker network create -d overlay n1",
    "docker network create -d overlay --subnet 10.20.0.128/26 n2",
    "docker network create -d overlay n3",
    "docker network create -d overlay --subnet 10.30.0.0/24 n4",
    "docker network inspect -f '{{.Name}} {{json .IPAM.Config}}' n1 n2 n3 n4",
    "docker network rm n1",
    "docker network create -d overlay n5",
    "docker network inspect -f '{{.Name}} {{json .IPAM.Config}}' n5",
    f"docker service create -d --name web {_C}",
    "SLEEP 3",
    "docker service ps --format '{{.DesiredState}} {{.Error}}' web",
    "docker node update --availability active node1",
    "SLEEP 5",
    "docker service ps --format '{{.Node}} {{.DesiredState}} {{.Error}}' web",
    "docker swarm unlock-key",
    "docker swarm unlock-key -q",
    "docker swarm unlock-key --rotate",
    "docker swarm unlock-key --rotate -q",
    "docker swarm update --autolock=false",
    "docker swarm unlock-key",
    "docker swarm unlock-key --rotate",
    "docker swarm update --autolock",
    "docker swarm update --autolock",
    "docker swarm update --cert-expiry 30m",
    "docker swarm update --cert-expiry 0s",
    "docker swarm update --dispatcher-heartbeat -1s",
    "docker swarm update --cert-expiry 24h --snapshot-interval 100 --max-snapshots 1 --task-history-limit 7 "
    "--external-ca protocol=cfssl,url=https://b.example.com --external-ca protocol=cfssl,url=https://c.example.com",
    "docker info",
    "docker swarm update --data-path-port 5000",
    "docker swarm init",
)
POOLS = Path(__file__).parent / "fixtures" / "cli_output" / "swarm_pools.txt"
_PS = "docker service ps --format '{{.DesiredState}} {{.CurrentState}} {{.Error}}'"
POOL_STEPS = (  # a pool of four subnets, used up; values the daemon takes as unset
    "docker swarm init --default-addr-pool 10.20.0.0/24 --default-addr-pool-mask-length 26",
    "docker info",
    "docker swarm update --cert-expiry 0s",
    "docker swarm update --dispatcher-heartbeat 0s",
    "docker swarm update --snapshot-interval 0",
    "docker info",
    "docker network create -d overlay a1",
    "docker network create -d overlay a2",
    "docker network create -d overlay a3",
    "docker network create -d overlay a4",
    "docker network inspect -f '{{.Name}} {{json .IPAM}}' a3 a4",
    "docker network create -d overlay --subnet 10.20.0.64/26 b1",
    "docker network inspect -f '{{.Name}} {{json .IPAM}}' b1",
    f"docker service create -d --name s4 --network a4 {_C}",
    f"docker service create -d --name s1 --network b1 {_C}",
    "SLEEP 3",
    f"{_PS} s4",
    f"{_PS} s1",
    "docker network rm a2",
    "SLEEP 5",
    f"{_PS} s4",
    "docker network inspect -f '{{.Name}} {{json .IPAM}}' a4",
)
UNALLOCATED = Path(__file__).parent / "fixtures" / "cli_output" / "swarm_unallocated.txt"
UNALLOCATED_STEPS = (  # a pool of one subnet (ingress's): a network without one has no driver state either
    "docker swarm init --default-addr-pool 10.20.0.0/26 --default-addr-pool-mask-length 26",
    "docker network create -d overlay a1",
    "docker network create -d overlay --subnet 10.30.0.0/24 a2",
    "docker network inspect a1 a2",
    "docker network rm a2",
    "docker network create -d overlay a3",
    "docker network inspect -f '{{.Name}} {{json .IPAM.Config}} {{json .Options}}' a1 a3",
)
_KEY = re.compile(r"SWMKEY-1-[A-Za-z0-9+/]{43}")


def comparable(text: str) -> str:
    """docker info's Swarm section; the unlock key as a placeholder."""
    text = _KEY.sub("SWMKEY-1-<key>", text)
    return cc.comparable(text, "swarm" if re.search(r"^ Swarm: ", text, re.M) else "")


def _refused(fixture: Path) -> list[str]:
    """The lines the CLI refuses before it asks the daemon: its flag errors (rc 125) and runInit's check of
    --availability; the simulator refuses them when the scenario loads."""
    return [e["line"] for e in cc.load(fixture.read_text()) if e["rc"] == 125 or "--availability foo" in e["line"]]


@pytest.mark.parametrize("fixture, steps", [(FIXTURE, SETTINGS_STEPS), (POOLS, POOL_STEPS),
                                            (UNALLOCATED, UNALLOCATED_STEPS)])
def test_the_simulator_prints_what_docker_printed(fixture, steps):
    real, refused = cc.load(fixture.read_text()), _refused(fixture)
    assert [e["line"] for e in real] == one_node.commands(steps)
    outputs = iter(one_node.simulated([s for s in steps if s not in refused], joined=False))
    for entry in real:
        if entry["line"] not in refused:
            assert comparable(next(outputs)) == entry["out"], entry["line"]


@pytest.mark.parametrize("line", _refused(FIXTURE))
def test_the_clis_refusals_on_load(line):
    said = next(e["out"] for e in cc.load(FIXTURE.read_text()) if e["line"] == line).splitlines()[0]
    with pytest.raises(ScenarioError) as info:
        loads_scenario(one_node.scenario([line], joined=False))
    assert said in str(info.value)


def _run(steps: list[str], seed: int = 1):
    """The steps on node1, outside any swarm at first: the backend's swarm and the steps' results."""
    backend = SimBackend()
    scenario = loads_scenario(one_node.scenario(steps, joined=False).replace("seed: 1", f"seed: {seed}"))
    trace = run_scenario(scenario, backend)
    return backend.swarm, [(s["ok"], s["output"]) for s in trace.steps() if s["step"].startswith("run:")]


def test_a_refused_setting_at_init_leaves_the_swarm_up_with_the_requests_own_settings():
    """moby Init: the node starts with the request's pools, availability and autolock; the spec's settings are
    one UpdateCluster after, all or none (recorded on docker 20.10.24: --cert-expiry 30m)."""
    swarm, results = _run(["docker swarm init --cert-expiry 30m --task-history-limit 2 --autolock "
                           "--availability pause --default-addr-pool 10.9.0.0/16", "docker node ls -q"])
    assert results[0] == (False, "Error response from daemon: error updating cluster settings: rpc error: code = "
                                 "InvalidArgument desc = minimum certificate expiry time is: 1h0m0s")
    assert results[1][0] and swarm.store.nodes["node1"].availability is Availability.PAUSE
    assert swarm.cluster.task_history_limit == 5 and swarm.manager.task_history_limit == 5
    assert swarm.cluster.autolock and _KEY.fullmatch(swarm.cluster.unlock_key)
    assert str(swarm.manager.allocator.pools["ingress"].subnet) == "10.9.0.0/24"


def test_the_heartbeat_in_force_follows_a_positive_period_only():
    swarm, results = _run(["docker swarm init --dispatcher-heartbeat 0s", "docker swarm update --dispatcher-"
                           "heartbeat 12s", "docker swarm update --dispatcher-heartbeat 0s"])
    assert all(ok for ok, _ in results)
    assert swarm.cluster.dispatcher_heartbeat == 0 and swarm.timing.heartbeat_period == 12.0


@given(st.integers(min_value=-2**63, max_value=2**63 - 1))
def test_unlock_keys_have_swarmkits_form_and_come_from_the_seed(seed):
    keys = [cluster.unlock_key(seed, n) for n in (1, 2)]
    assert all(_KEY.fullmatch(k) for k in keys) and keys[0] != keys[1]
    assert cluster.unlock_key(seed, 1) == keys[0]


def test_join_checks_its_availability_before_asking_the_daemon():
    with pytest.raises(CommandError, match='invalid availability "busy", only active, pause and drain'):
        parse_command_line("docker swarm join --token T --availability busy 10.0.0.2:2377")
    assert parse_command_line("docker swarm join --token T --availability DRAIN 10.0.0.2:2377").availability \
        is Availability.DRAIN


def _reference(ops, pools, size):
    """libnetwork's getPredefinedPool written out the slow way: every default subnet listed, rotated to the
    start index, the first overlapping nothing allocated."""
    subnets = [s for p in pools for s in ipaddress.ip_network(p).subnets(new_prefix=size)]
    start, held, out = 0, {}, []
    for name, explicit in ops:
        if name in held:
            del held[name]
            out.append(None)
            continue
        if explicit is not None:
            net = ipaddress.ip_network(explicit)
            got = None if any(net.overlaps(h) for h in held.values()) else net
        else:
            order = subnets[start:] + subnets[:start]
            got = next((s for s in order if not any(s.overlaps(h) for h in held.values())), None)
            if got is not None:
                start = subnets.index(got) + 1
        if got is not None:
            held[name] = got
        out.append(got and str(got))
    return out


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.none() | st.sampled_from(
    ["10.1.0.0/26", "10.1.0.64/27", "10.1.1.0/24", "10.1.0.0/23", "10.2.0.0/26"])), max_size=30),
    st.sampled_from([(("10.1.0.0/24",), 26), (("10.1.0.0/23", "10.2.0.0/25"), 26), (("10.1.0.0/22",), 24)]))
def test_subnets_come_as_libnetworks_default_ipam_gives_them(ops, layout):
    pools, size = layout
    subnets, got = SubnetPools(pools, size), []
    for name, explicit in ops:
        if name in subnets.subnets:
            subnets.release(name)
            got.append(None)
        else:
            got.append(subnets.take(name, explicit))
    assert got == _reference(ops, pools, size)


LOCKED = Path(__file__).parent / "fixtures" / "cli_output" / "swarm_lock.txt"
_ONE = "version: 1\nseed: 1\ncluster: {nodes: [{name: node1, role: manager, joined: false}]}\nsteps:\n"
LOCK_STEPS = (  # the daemon restarted between the third and the fourth
    "docker swarm init --autolock", "docker swarm unlock", f"docker service create -d --name web {_C}",
    "docker info", "docker node ls", "docker swarm unlock-key", "docker swarm join-token worker",
    "docker swarm leave", "docker swarm unlock", "docker node ls", "docker info")


def test_a_manager_restarted_under_autolock_stays_locked_until_unlocked():
    """Recorded on docker 20.10.24: a one-node swarm with autolock, its dockerd stopped and started again, the
    key typed in right (`docker swarm unlock` reads it from the terminal; a step cannot type, so the simulator
    takes the key as typed right)."""
    lines = [f"  - run: {json.dumps(line)}\n" for line in LOCK_STEPS]
    restart = "  - wait: 4s\n  - fail: {node: node1, kind: stop}\n  - wait: 3s\n  - fail: {node: node1, kind: " \
              "recover}\n  - wait: 3s\n"
    text = _ONE + "".join(lines[:3]) + restart + "".join(lines[3:9]) + "  - wait: 5s\n" + "".join(lines[9:])
    trace = run_scenario(loads_scenario(text), SimBackend())
    outputs = [s["output"] for s in trace.steps() if s["step"].startswith("run:")]
    real = cc.load(LOCKED.read_text())
    assert [e["line"] for e in real] == list(LOCK_STEPS)
    for entry, output in zip(real, outputs, strict=True):
        assert comparable(output) == entry["out"], entry["line"]


def _capture_lock() -> list[dict]:
    """LOCK_STEPS on a one-node local swarm (root), dockerd stopped and started after the third, and a wrong,
    a malformed and no key typed before the right one."""
    import shlex
    import subprocess
    import time
    sys.path.insert(0, str(Path(__file__).parent.parent))
    from validation import localswarm
    out = []

    def run(line: str, stdin: str = "") -> str:
        proc = subprocess.run([localswarm.docker_cli(), "-H", f"unix://{swarm.sockets['node1']}",
                               *shlex.split(line)[1:]], input=stdin, capture_output=True, text=True, timeout=120)
        out.append({"line": line, "stdout": proc.stdout, "stderr": proc.stderr, "rc": proc.returncode})
        return proc.stdout
    with localswarm.exclusive():
        try:
            swarm = localswarm.up(1, managers=0, joined=0)
            key = _KEY.search(run(LOCK_STEPS[0])).group(0)
            run(LOCK_STEPS[1], key + "\n")
            run(LOCK_STEPS[2])
            time.sleep(4)
            swarm.stop_node("node1")
            time.sleep(3)
            swarm.restart_node("node1")
            for line in LOCK_STEPS[3:8]:
                run(line)
            for typed in ("SWMKEY-1-" + "A" * 43 + "\n", "garbage\n", "", key + "\n"):
                run(LOCK_STEPS[8], typed)
            time.sleep(5)
            for line in LOCK_STEPS[9:]:
                run(line)
        finally:
            localswarm.down()
    return out


def _lock_fixture(raw_path: Path) -> None:
    """swarm_lock.txt from RAW-lock.json (captured first if it is missing); the wrong keys' tries left out: the
    simulator cannot type a key."""
    if not raw_path.exists():
        raw_path.write_text(json.dumps(_capture_lock(), indent=1))
    raw = [r for r in json.loads(raw_path.read_text()) if r["line"] != "docker swarm unlock" or
           r["rc"] == 0 or "not locked" in r["stderr"]]
    assert [r["line"] for r in raw] == list(LOCK_STEPS)
    LOCKED.write_text(cc.dump([{"node": "node1", "line": r["line"], "rc": r["rc"],
                                "out": comparable(r["stdout"] + r["stderr"])} for r in raw]))



@pytest.mark.parametrize("cacert, said", [("missing.pem", "unable to read CA cert for external CA"),
                                          ("plain.txt", "CA cert for external CA must be in PEM format"),
                                          ("/dev/zero", "expected a regular file"), ("ca.pem", None)])
def test_an_external_cas_cacert_is_read_beside_the_scenario_and_must_hold_pem(tmp_path, cacert, said):
    (tmp_path / "plain.txt").write_text("not a certificate\n")
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    path = tmp_path / "s.yaml"
    path.write_text(one_node.scenario([f"docker swarm init --external-ca protocol=cfssl,url=https://ca,"
                                       f"cacert={cacert}"], joined=False))
    if said is None:
        (step,) = load_scenario(path).steps
        assert step.parsed.options.external_cas == (("cfssl", "https://ca"),)
        return
    with pytest.raises(ScenarioError, match=said):
        load_scenario(path)

if __name__ == "__main__" and "lock" in sys.argv[1]:
    _lock_fixture(Path(sys.argv[1]))
elif __name__ == "__main__":
    fixture, steps = ((POOLS, POOL_STEPS) if "pools" in sys.argv[1] else (UNALLOCATED, UNALLOCATED_STEPS)
                      if "unallocated" in sys.argv[1] else (FIXTURE, SETTINGS_STEPS))
    one_node.record(Path(sys.argv[1]), fixture, steps, comparable, joined=False)
