"""Study 6: how evenly a placement preference spreads replicas across zones, before and after a node
or a whole zone is lost.

Nine workers in three zones (a manager that runs nothing); 12 replicas with or without
`placement.preferences: [{spread: node.labels.zone}]`. The lost node's tasks are rescheduled, under the
preference, into the emptiest zone first (swarmkit decision_tree.go).
"""
from __future__ import annotations

from study import errorbars, main, mean_ci, save

from swarmsim import ScenarioBuilder

NAME = "placement_spread"
ZONES = {f"node{i}": "abc"[(i - 2) % 3] for i in range(2, 11)}  # node2 a, node3 b, node4 c, node5 a, ...
LOSSES = {"nothing": [], "a node": ["node2"], "two nodes of zone a": ["node2", "node5"]}
FACTORS = {"spread": [False, True], "lost": list(LOSSES), "replicas": [12]}


def scenario(spread: bool, lost: str, replicas: int):
    s = ScenarioBuilder(NAME).node("node1", role="manager", availability="drain")
    for node, zone in ZONES.items():
        s.node(node, labels={"zone": zone})
    placement = {"preferences": [{"spread": "node.labels.zone"}]} if spread else {}
    s.service("web", image="web:1", deploy={"replicas": replicas, "placement": placement})
    s.wait_converged()
    for node in LOSSES[lost]:
        s.fail(node, "crash")
    return s.wait("45s").build()


def zone_counts(frame):
    """Running replicas per zone at the end, from the per-node columns of the results."""
    for zone in "abc":
        nodes = [f"web.on.{n}" for n, z in ZONES.items() if z == zone and f"web.on.{n}" in frame]
        frame[f"zone {zone}"] = frame[nodes].fillna(0).sum(axis=1)
    frame["zone spread"] = frame[["zone a", "zone b", "zone c"]].max(axis=1) - \
        frame[["zone a", "zone b", "zone c"]].min(axis=1)
    return frame


def plot(frame) -> None:
    import matplotlib.pyplot as plt
    frame = zone_counts(frame.copy())
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    width = 0.13
    for i, (spread, group) in enumerate(frame.groupby("spread")):
        for j, zone in enumerate("abc"):
            table = mean_ci(group, ["lost"], f"zone {zone}").set_index("lost").loc[list(LOSSES)].reset_index()
            table["x"] = [k + (i * 3 + j - 2.5) * width for k in range(len(LOSSES))]
            errorbars(axes[0], table, "x", linestyle="none", color=f"C{j}", fillstyle="full" if spread else "none",
                      label=f"zone {zone}, {'spread' if spread else 'no preference'}")
        table = mean_ci(group, ["lost"], "zone spread").set_index("lost").loc[list(LOSSES)].reset_index()
        table["x"] = range(len(LOSSES))
        errorbars(axes[1], table, "x", label="spread over zones" if spread else "no preference", linestyle="none",
                  markersize=8)
    for ax in axes:
        ax.set_xticks(range(len(LOSSES)), [f"lost {k}" for k in LOSSES])
    axes[0].set(ylabel="running replicas in the zone (end)", title="replicas per zone")
    axes[1].set(ylabel="largest − smallest zone", title="imbalance across zones")
    axes[0].legend(fontsize="x-small", ncol=2)
    axes[1].legend(fontsize="small")
    fig.suptitle(f"Placement preferences under node loss ({frame['seed'].nunique()} seeds per point, 95 % CI)")
    save(fig, NAME)


if __name__ == "__main__":
    main(NAME, scenario, FACTORS, seeds=8, plot=plot)
