"""Capture what docker does with every real stack file of tests/stacks/, for tests/test_stack_specs.py.

    python tests/stack_specs_capture.py RAWDIR [FILE.yml ...]     # root; then: python tests/test_stack_specs.py RAWDIR

On a local swarm of one manager and two workers (validation/localswarm.py, holding its lock), each file is
set up as tests/test_stack.py `prepare` says, deployed as stack `s`, its services' Specs and its networks
inspected, and then removed with everything its setup made; RAWDIR/FILE.json is written after every step, so
an interrupted capture keeps what it has and a rerun skips the files done. The swarm is made again every
15 files. Port 53 is refused inside each node's network namespace, so the CLI's registry lookups fail at once
instead of after 20 s (there is no registry to reach either way).
"""
from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
from test_stack import CORPUS, prepare  # noqa: E402
from validation import localswarm  # noqa: E402

BATCH = 15
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}


def _undo(line: str) -> str:
    """The command that takes a setup step back (a network or secret created, a node label added)."""
    w = line.split()
    if w[1:3] == ["network", "create"]:
        return f"docker network rm {w[-1]}"
    if w[1:3] == ["secret", "create"]:
        return f"docker secret rm {w[3]}"
    if w[1:4] == ["node", "update", "--label-add"]:
        return f"docker node update --label-rm {w[4].split('=')[0]} {w[5]}"
    raise ValueError(f"no undo for {line}")


def _file(url: str, path: Path, out: Path, work: Path) -> bool:
    runs, env, files = prepare(path, work)
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    home = work / "home"
    env = ENV | {"HOME": str(home), "DOCKER_CONFIG": str(home / ".docker")} | env
    capture = {"file": path.name, "folder": str(work / "stack"), "steps": []}

    def cli(line: str, kind: str | None = None) -> dict:
        proc = subprocess.run([localswarm.docker_cli(), "-H", url, *shlex.split(line)[1:]], capture_output=True,
                              text=True, timeout=300, cwd=work, env=env)
        step = {"kind": kind, "line": line, "stdout": proc.stdout, "stderr": proc.stderr, "rc": proc.returncode}
        if kind:
            capture["steps"].append(step)
            out.write_text(json.dumps(capture, indent=1))
        return step

    def lines(step: dict) -> list[str]:
        return [line for line in step["stdout"].splitlines() if line.strip()]

    for line in runs:
        cli(line, "setup")
    cli(f"docker stack deploy -c stack/{path.name} s", "deploy")
    services = lines(cli("docker stack services --format '{{.Name}}' s", "services"))
    networks = cli("docker network ls --no-trunc --format '{{.ID}}\t{{.Name}}'", "networks")
    for name in sorted(services):
        cli(f"docker service inspect --format '{{{{json .Spec}}}}' {name}", "service")
    for line in lines(networks):
        name = line.split("\t")[1]
        if cli(f"docker network inspect --format '{{{{json .Labels}}}}' {name}")["stdout"].find(
                '"com.docker.stack.namespace":"s"') >= 0:
            cli(f"docker network inspect --format '{{{{json .}}}}' {name}", "network")
    cli("docker stack rm s")
    deadline = time.time() + 120
    while time.time() < deadline and (lines(cli("docker stack services -q s")) or any(
            n.startswith("s_") for n in lines(cli("docker network ls --format '{{.Name}}'")))):
        time.sleep(2)
    clean = True
    for line in map(_undo, runs):
        for _ in range(10):  # a network's removal waits for the stack's tasks to let go of it
            if cli(line)["rc"] == 0:
                break
            time.sleep(3)
        else:
            clean = False
    capture["done"] = True
    out.write_text(json.dumps(capture, indent=1))
    return clean


def _fast_dns(swarm) -> None:
    for node in swarm.nodes.values():
        for proto, how in (("udp", "icmp-port-unreachable"), ("tcp", "tcp-reset")):
            subprocess.run(["nsenter", f"--net=/run/netns/{node.netns}", "iptables", "-w", "-I", "OUTPUT", "-p",
                            proto, "--dport", "53", "-j", "REJECT", "--reject-with", how], check=True)


def _done(path: Path) -> bool:
    return path.exists() and json.loads(path.read_text()).get("done", False)


def main(raw: Path, only: list[str]) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    todo = [p for p in CORPUS if (not only or p.name in only) and not _done(raw / f"{p.name}.json")]
    while todo:
        with localswarm.exclusive():
            try:
                swarm = localswarm.up(3, managers=1)
                _fast_dns(swarm)
                url = f"unix://{swarm.sockets['node1']}"
                for _ in range(BATCH):
                    if not todo:
                        break
                    path = todo.pop(0)
                    with tempfile.TemporaryDirectory() as work:
                        if not _file(url, path, raw / f"{path.name}.json", Path(work)):
                            break  # what it made may linger: a fresh swarm for the next file
            finally:
                localswarm.down()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
