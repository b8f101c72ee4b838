"""The per-hop network latencies of net/mesh.py, measured on the local swarm (docs/measurements.md).

    python -m validation.hops [--n 200] [--rounds 5]   # root; a 2-node local swarm; writes validation/measurements/hops.json

A TCP connect() returns after one round trip (SYN, SYN-ACK) answered by the kernel, so its time is
the path's cost without any server work. Measured, each N times, interleaved:
  host_port   this host -> node2's host-mode published port (the bridge, DNAT, the container's veth)
  bridge      a task on node2 -> a task on node2 over their overlay network (the node's overlay bridge)
  overlay     a task on node1 -> that task on node2 (VXLAN between the two network namespaces)
A request's latency in the model is a round trip (to the answer), so the hops are round trips;
`hop_overlay` is the overlay path less the bridge path. The host's two cores are shared with other
work: each round's median is kept, and the spread of the rounds says how noisy the figures are.
The ingress hop (IPVS) cannot be measured here: this kernel has no IPVS.
"""
from __future__ import annotations

import argparse
import json
import socket
import statistics
import threading
import time
from pathlib import Path

from docker import types

from . import localswarm
from .traffic import enter_netns, server_command

OUT = Path(__file__).resolve().parent / "measurements" / "hops.json"
PORT = 8080


def _connect_ms(addr: tuple[str, int]) -> float:
    began = time.perf_counter()
    with socket.create_connection(addr, timeout=2):
        return 1000 * (time.perf_counter() - began)


def _in(pid: int | None, call, *args):
    """`call(*args)` in a thread inside the network namespace of `pid` (None: this host's)."""
    out = []

    def run():
        if pid is not None:
            enter_netns(pid)
        out.append(call(*args))
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out[0]


def _task(api, service: str, timeout: float = 60) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        running = [t for t in api.tasks(filters={"service": service}) if t["Status"]["State"] == "running"]
        if running:
            return running[0]
        time.sleep(0.3)
    raise TimeoutError(service)


def measure(n: int, rounds: int) -> dict:
    swarm = localswarm.up(2)
    try:
        api = swarm.manager.api
        api.create_network("hops", driver="overlay", scope="swarm")
        serve = ["sh", "-c", 'trap "exit 0" TERM; ' + server_command(80, 0) + " while true; do sleep 1 & wait $!; done"]
        specs = {"web": "node2", "near": "node2", "far": "node1"}
        for name, node in specs.items():
            api.create_service(types.TaskTemplate(types.ContainerSpec(localswarm.IMAGE, command=serve),
                                                  placement=types.Placement(constraints=[f"node.hostname=={node}"]),
                                                  networks=["hops"]),
                               name=name, endpoint_spec=types.EndpointSpec(
                                   mode="dnsrr", ports=[{"Protocol": "tcp", "TargetPort": 80, "PublishedPort": PORT,
                                                         "PublishMode": "host"}] if name == "web" else None))
        pids, web_ip = {}, None
        for name, node in specs.items():
            t = _task(api, name)
            cid = t["Status"]["ContainerStatus"]["ContainerID"]
            pids[name] = swarm.client(node).api.inspect_container(cid)["State"]["Pid"]
            if name == "web":
                web_ip = t["NetworksAttachments"][0]["Addresses"][0].split("/")[0]
        time.sleep(2)
        paths = {"host_port": (None, (swarm.nodes["node2"].ip, PORT)), "bridge": (pids["near"], (web_ip, 80)),
                 "overlay": (pids["far"], (web_ip, 80))}
        samples: list[dict[str, list[float]]] = []
        for _ in range(rounds):
            samples.append({k: [] for k in paths})
            for _ in range(n):
                for name, (pid, addr) in paths.items():
                    samples[-1][name].append(_in(pid, _connect_ms, addr))
                    time.sleep(0.005)
            time.sleep(1)
    finally:
        swarm.down()
    result = {"n": n, "rounds": rounds, "unit": "ms, TCP connect round trip",
              "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "paths": {}}
    for name in paths:
        values = sorted(v for one in samples for v in one[name])
        medians = [round(statistics.median(one[name]), 4) for one in samples]
        q = statistics.quantiles(values, n=20)
        result["paths"][name] = {"median": round(statistics.median(values), 4), "round_medians": medians,
                                 "p5": round(q[0], 4), "p95": round(q[-1], 4), "min": round(values[0], 4)}
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m validation.hops", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="connects per path and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with localswarm.exclusive():
        result = measure(args.n, args.rounds)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
