"""Study 3: how unbalanced a service stays after a node comes back or joins (Docker does not rebalance),
and what a scale-up or a `--force` update does about it.

Four workers, the manager drained, 12 replicas. A worker crashes and recovers, or a fifth worker joins,
then nothing happens, the service is scaled to 16, or it is updated with --force (every task replaced,
each placed on the least loaded node: swarmkit scheduler.go).
"""
from __future__ import annotations

from study import errorbars, main, mean_ci, save

from swarmsim import ScenarioBuilder

NAME = "imbalance"
WORKERS = ["node2", "node3", "node4", "node5"]
ACTIONS = {"nothing": None, "scale to 16": "docker service scale web=16",
           "update --force": "docker service update --force web"}
FACTORS = {"event": ["a worker recovers", "a worker joins"], "action": list(ACTIONS)}


def scenario(event: str, action: str):
    s = ScenarioBuilder(NAME).node("node1", role="manager", availability="drain")
    for node in WORKERS:
        s.node(node)
    s.node("node6", joined=False)
    s.service("web", image="web:1", deploy={"replicas": 12, "update_config": {"parallelism": 2}})
    s.wait_converged()
    if event == "a worker recovers":
        s.fail("node2", "crash").wait("30s").fail("node2", "recover").wait("15s")
    else:
        s.run("docker swarm join --token SWMTKN-1-worker-token node1:2377", on="node6").wait("10s")
    if ACTIONS[action]:
        s.run(ACTIONS[action]).wait_converged()
    return s.wait("5s").build()


def imbalance(frame):
    """Largest minus smallest count over the workers in the swarm at the end, from the per-node columns."""
    nodes = {e: WORKERS + (["node6"] if e == "a worker joins" else []) for e in FACTORS["event"]}
    def one(row):
        counts = [0 if row.get(f"web.on.{n}") != row.get(f"web.on.{n}") else row.get(f"web.on.{n}", 0) or 0
                  for n in nodes[row["event"]]]
        return max(counts) - min(counts)
    return frame.assign(imbalance=frame.apply(one, axis=1))


def plot(frame) -> None:
    import matplotlib.pyplot as plt
    frame = imbalance(frame)
    fig, ax = plt.subplots(figsize=(7, 4))
    for offset, (event, group) in zip((-0.05, 0.05), frame.groupby("event")):
        table = mean_ci(group, ["action"], "imbalance").set_index("action").loc[list(ACTIONS)].reset_index()
        table["x"] = [i + offset for i in range(len(ACTIONS))]
        errorbars(ax, table, "x", label=event, linestyle="none", markersize=8)
    ax.set_xticks(range(len(ACTIONS)), [f"then {a}" for a in ACTIONS])
    ax.set(ylabel="replicas: busiest − idlest worker (end)", ylim=(0, None))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend()
    ax.set_title(f"Imbalance after a node returns ({frame['seed'].nunique()} seeds per point, 95 % CI)")
    save(fig, NAME)


if __name__ == "__main__":
    main(NAME, scenario, FACTORS, seeds=8, plot=plot)
