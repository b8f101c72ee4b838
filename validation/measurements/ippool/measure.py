"""A stack of many one-replica services on its default overlay network (a /24): which run (docs/measurements.md (o)).

Run as root: python -m validation.measurements.ippool.measure [N_SERVICES] [N_NODES]
Writes validation/measurements/ippool/run_<N>x<nodes>.json: the deploy's output and duration, every
service's CreatedAt and VirtualIPs, every task's state, message and error, each node's endpoints on the
stack network (its load-balancer address), and what follows the removal of one running service.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from validation import localswarm

OUT = Path(__file__).parent
NETWORK = "s_default"


def stack_file(n: int) -> str:
    lines = ["version: '3.8'", "services:"]
    for i in range(n):
        lines += [f"  s{i}:", f"    image: {localswarm.IMAGE}",
                  "    command: [sh, -c, 'trap \"exit 0\" TERM; while true; do sleep 1 & wait $$!; done']",
                  "    stop_grace_period: 1s"]
    return "\n".join(lines) + "\n"


def snapshot(swarm: localswarm.LocalSwarm) -> dict:
    api = swarm.manager.api
    services = [{"name": s["Spec"]["Name"], "id": s["ID"], "created": s["CreatedAt"],
                 "vips": (s.get("Endpoint") or {}).get("VirtualIPs", [])} for s in api.services()]
    tasks = [{"service": t["ServiceID"], "id": t["ID"], "state": t["Status"]["State"],
              "message": t["Status"].get("Message", ""), "err": t["Status"].get("Err", ""),
              "node": t.get("NodeID", ""), "created": t["CreatedAt"], "stamp": t["Status"]["Timestamp"],
              "addresses": [a.get("Addresses") for a in t.get("NetworksAttachments", [])]}
             for t in api.tasks()]
    endpoints = {}
    for name in swarm.nodes:
        try:
            net = swarm.client(name).api.inspect_network(NETWORK)
            endpoints[name] = {k: v.get("IPv4Address") for k, v in (net.get("Containers") or {}).items()}
        except Exception as err:  # the network is not on a node without a task of it
            endpoints[name] = str(err)
    return {"at": time.time(), "services": services, "tasks": tasks, "endpoints": endpoints}


def body(swarm: localswarm.LocalSwarm, n: int) -> dict:
    cli = [localswarm.docker_cli(), "-H", swarm.nodes["node1"].base_url]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "st.yml"
        path.write_text(stack_file(n))
        t0 = time.time()
        proc = subprocess.run(cli + ["stack", "deploy", "--resolve-image", "never", "-c", str(path), "s"],
                              capture_output=True, text=True, timeout=1800)
        t1 = time.time()
    result = {"deploy": {"start": t0, "end": t1, "rc": proc.returncode, "stdout": proc.stdout,
                         "stderr": proc.stderr}}
    time.sleep(30)
    result["settled"] = snapshot(swarm)
    ps = {}
    for svc in sorted(result["settled"]["services"], key=lambda s: s["created"])[-3:]:
        ps[svc["name"]] = subprocess.run(cli + ["service", "ps", "--no-trunc", svc["name"]],
                                         capture_output=True, text=True).stdout
        ps[svc["name"] + " inspect"] = subprocess.run(cli + ["service", "inspect", svc["name"]],
                                                      capture_output=True, text=True).stdout
    result["ps"] = ps
    running = {t["service"] for t in result["settled"]["tasks"] if t["state"] == "running"}
    first = min((s for s in result["settled"]["services"] if s["id"] in running), key=lambda s: s["created"])
    result["removed"] = first["name"]
    subprocess.run(cli + ["service", "rm", first["name"]], capture_output=True, text=True)
    time.sleep(20)
    result["after_rm"] = snapshot(swarm)
    return result


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 300
    n_nodes = int(argv[1]) if len(argv) > 1 else 2
    with localswarm.exclusive():
        swarm = localswarm.up(n_nodes)
        result = {"n_services": n, "n_nodes": n_nodes, "docker_version": swarm.manager.version()["Version"]}
        try:
            result.update(body(swarm, n))
        finally:
            (OUT / f"run_{n}x{n_nodes}.json").write_text(json.dumps(result, indent=1))
            swarm.down()


if __name__ == "__main__":
    main(sys.argv[1:])
