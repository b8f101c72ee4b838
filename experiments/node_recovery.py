"""Study 2: how long a service runs short after a worker crashes, against the heartbeat period, the
cluster size and the replicas per node.

Swarm notices a silent node only after grace_multiplier (3) heartbeat periods (dispatcher.go), then the
orchestrator replaces its tasks on the others: the time to recover is detection plus rescheduling,
and the first grows with the period while the second grows with the tasks to move.
"""
from __future__ import annotations

from study import errorbars, main, mean_ci, save

from swarmsim import ScenarioBuilder

NAME = "node_recovery"
FACTORS = {"heartbeat": [1, 2.5, 5], "workers": [2, 4, 8], "per_node": [1, 4]}


def scenario(heartbeat: float, workers: int, per_node: int):
    s = ScenarioBuilder(NAME).cluster(managers=1, workers=workers).timing(heartbeat_period=heartbeat)
    s.service("web", image="web:1", deploy={"replicas": per_node * (workers + 1)})
    return s.wait_converged().fail("node2", "crash").wait("60s").build()


def plot(frame) -> None:
    import matplotlib.pyplot as plt
    frame = frame.assign(detected=frame["down0.at"] - frame["fault0.at"],
                         recovered=frame["down0.at"] + frame["down0.time_to_recover"] - frame["fault0.at"])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, per_node in zip(axes, FACTORS["per_node"]):
        part = frame[frame["per_node"] == per_node]
        for workers, group in part.groupby("workers"):
            errorbars(ax, mean_ci(group, ["heartbeat"], "recovered"), "heartbeat", label=f"{workers + 1} nodes")
        detect = mean_ci(part, ["heartbeat"], "detected")
        errorbars(ax, detect, "heartbeat", color="grey", linestyle=":", label="node marked down")
        ax.set(title=f"{per_node} replica(s) per node", xlabel="heartbeat period (s)",
               xticks=FACTORS["heartbeat"])
    axes[0].set_ylabel("crash → all replicas running again (s)")
    axes[0].legend(fontsize="small")
    fig.suptitle(f"Recovery from a worker crash ({frame['seed'].nunique()} seeds per point, 95 % CI)")
    save(fig, NAME)


if __name__ == "__main__":
    main(NAME, scenario, FACTORS, seeds=5, plot=plot)
