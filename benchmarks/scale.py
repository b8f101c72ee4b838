"""How fast the simulator is at scale: prints figures, asserts nothing.

A cluster of N nodes (3 managers) runs S services totalling T tasks, created
one after another; then one service is rolled to a new image. Reported: wall
time per phase, simulated time, trace events and events per second.
"""
from __future__ import annotations

import argparse
import shlex
import time

from swarmsim.backend import SimBackend, run_scenario
from swarmsim.dockercli.parse import parse_command
from swarmsim.model import Role
from swarmsim.model.scenario import NodeDecl, Run, Scenario, Timing, WaitConverged


def build(nodes: int, services: int, tasks: int) -> Scenario:
    decls = tuple(NodeDecl(f"node{i}", role=Role.MANAGER if i <= 3 else Role.WORKER,
                           labels={"zone": f"z{i % 3}"}) for i in range(1, nodes + 1))
    per = tasks // services
    steps = []
    for s in range(services):
        flags = "--placement-pref spread=node.labels.zone" if s % 2 else "--constraint node.role==worker"
        cmd = f"docker service create -d --name svc{s} --replicas {per} {flags} app:1"
        steps.append(Run(command=cmd, parsed=parse_command(shlex.split(cmd)[1:])))
    steps.append(WaitConverged(timeout=3600))
    cmd = "docker service update -d --image app:2 --update-parallelism 50 svc0"
    steps += [Run(command=cmd, parsed=parse_command(shlex.split(cmd)[1:])), WaitConverged(timeout=3600)]
    # Separate machines: container starts on different nodes do not slow each other down.
    timing = Timing(contention_scope="node")
    return Scenario(name=f"scale-{nodes}n-{tasks}t", nodes=decls, steps=tuple(steps), timing=timing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--tasks", type=int, default=10000)
    args = parser.parse_args()
    scenario = build(args.nodes, args.services, args.tasks)
    marks = []
    start = time.perf_counter()
    trace = run_scenario(scenario, SimBackend(),
                         on_step=lambda i, text, r, t: marks.append((i, time.perf_counter() - start, t, r.ok)))
    wall = time.perf_counter() - start
    print(f"{scenario.name}: {len(trace.events)} trace events in {wall:.2f} s wall "
          f"({len(trace.events) / wall:,.0f} events/s), simulated {trace.events[-1]['t']:.1f} s")
    for i, w, t, ok in marks:
        if i >= args.services:
            print(f"  step {i}: done at {w:.2f} s wall, t={t:.1f} s simulated, ok={ok}")


if __name__ == "__main__":
    main()
