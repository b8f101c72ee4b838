"""Commands typed on a fresh one-node real swarm, and the same commands in the simulator.

A test keeps its commands (`SLEEP N` pauses the real run, `wait: Ns` the simulated one) and a fixture of what
docker 20.10.24 printed for them, normalised by the test's `comparable`. `python tests/test_X.py RAW.json`
writes the fixture: from RAW.json if it exists (a list of {line, stdout, stderr, rc}, one per command),
else captured first on a one-node local swarm (root; validation/localswarm.py, holding its lock).
"""
from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import cli_capture as cc
from swarmsim import SimBackend, loads_scenario, run_scenario


def commands(steps: Sequence[str]) -> list[str]:
    return [line for line in steps if not line.startswith("SLEEP")]


def scenario(steps: Sequence[str], joined: bool = True, images: str = "") -> str:
    """The steps as a scenario of one manager, node1 (not `joined`: a daemon outside any swarm); `images`: an
    `images:` table in YAML's flow style, for what a workload does."""
    cluster = "{managers: 1, workers: 0}" if joined else "{nodes: [{name: node1, role: manager, joined: false}]}"
    lines = ["version: 1", "seed: 1", f"cluster: {cluster}"] + ([f"images: {images}"] if images else []) + ["steps:"]
    lines += [f"  - wait: {line.split()[1]}s" if line.startswith("SLEEP") else f"  - run: {json.dumps(line)}"
              for line in steps]
    return "\n".join(lines) + "\n"


def simulated(steps: Sequence[str], joined: bool = True, images: str = "") -> list[str]:
    """What the simulator printed for each command, in order."""
    trace = run_scenario(loads_scenario(scenario(steps, joined, images)), SimBackend())
    return [s["output"] for s in trace.steps() if s["step"].startswith("run:")]


def pairs(fixture: Path, steps: Sequence[str], sent: Sequence[str] | None = None,
          images: str = "") -> list[tuple[dict, str]]:
    """Each recorded command of `fixture` with what the simulator printed for it, once the fixture is checked to
    hold exactly these commands; `sent`: the steps as the simulator runs them (a file's path filled in)."""
    real = cc.load(fixture.read_text())
    assert [e["line"] for e in real] == commands(steps)
    return list(zip(real, simulated(sent or steps, images=images), strict=True))


def capture(steps: Sequence[str], joined: bool = True) -> list[dict]:
    """The commands on a fresh one-node local swarm (not `joined`: a daemon not in a swarm yet)."""
    sys.path.insert(0, str(Path(__file__).parent.parent))
    from validation import localswarm
    out = []
    with localswarm.exclusive():
        try:
            swarm = localswarm.up(1, managers=int(joined), joined=int(joined))
            url = f"unix://{swarm.sockets['node1']}"
            for line in steps:
                if line.startswith("SLEEP"):
                    time.sleep(float(line.split()[1]))
                    continue
                proc = subprocess.run([localswarm.docker_cli(), "-H", url, *shlex.split(line)[1:]],
                                      capture_output=True, text=True, timeout=120)
                out.append({"line": line, "stdout": proc.stdout, "stderr": proc.stderr, "rc": proc.returncode})
        finally:
            localswarm.down()
    return out


def record(raw_path: Path, fixture: Path, steps: Sequence[str], comparable: Callable[[str], str],
           shown: Sequence[str] | None = None, joined: bool = True,
           merged: Callable[[dict], str] = lambda r: r["stdout"] + r["stderr"]) -> None:
    """The fixture from RAW.json, captured first if it is missing; `shown`: the steps as the fixture names them
    (a file's path written as a placeholder); `merged`: a capture's two streams as one text (stdout first)."""
    if not raw_path.exists():
        raw_path.write_text(json.dumps(capture(steps, joined), indent=1))
    raw = json.loads(raw_path.read_text())
    if [r["line"] for r in raw] != commands(steps):
        raise SystemExit(f"{raw_path}: the captures are not of these commands")
    fixture.write_text(cc.dump([{"node": "node1", "line": line, "rc": r["rc"],
                                 "out": comparable(merged(r))}
                                for r, line in zip(raw, commands(shown or steps), strict=True)]))
