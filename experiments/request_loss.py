"""Study 4: requests lost during a rolling update, stop-first against start-first, with and without a
healthcheck.

Three replicas behind the routing mesh take 50 requests/s; the new image needs 2 s after its
container starts before it answers. Without a healthcheck a task joins the load balancer as soon as
its container runs, so requests reach it before it answers; with one it joins after the first probe
passes. Stop-first also takes a replica out before its successor is up.
"""
from __future__ import annotations

from study import errorbars, main, mean_ci, save

from swarmsim import ScenarioBuilder

NAME = "request_loss"
FACTORS = {"order": ["stop-first", "start-first"], "healthcheck": [False, True], "parallelism": [1, 3]}


def scenario(order: str, healthcheck: bool, parallelism: int):
    s = ScenarioBuilder(NAME).cluster(managers=1, workers=2)
    s.image("web:1", start_time="2s", serve_port=80, present=["node1", "node2", "node3"])
    s.image("web:2", start_time="2s", serve_port=80, present=["node1", "node2", "node3"])
    check = {"healthcheck": {"test": "wget -qO- localhost/health", "interval": "1s", "retries": 3}} if healthcheck else {}
    s.service("web", image="web:1", ports=["8080:80"], **check,
              deploy={"replicas": 3, "update_config": {"parallelism": parallelism, "delay": "1s", "order": order}})
    s.traffic(port=8080, rate=50, start="20s", stop="60s")
    s.wait_converged().at("25s").run("docker service update --detach --image web:2 web")
    return s.at("60s").build()


def plot(frame) -> None:
    import matplotlib.pyplot as plt
    frame = frame.assign(lost=100 * (1 - frame["port8080.success_rate"]))
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, parallelism in zip(axes, FACTORS["parallelism"]):
        part = frame[frame["parallelism"] == parallelism]
        for offset, (check, group) in zip((-0.04, 0.04), part.groupby("healthcheck")):
            table = mean_ci(group, ["order"], "lost").set_index("order").loc[FACTORS["order"]].reset_index()
            table["x"] = [i + offset for i in range(len(FACTORS["order"]))]
            errorbars(ax, table, "x", linestyle="none", markersize=8,
                      label="with a healthcheck" if check else "no healthcheck")
        ax.set_xticks(range(len(FACTORS["order"])), FACTORS["order"])
        ax.set(title=f"parallelism {parallelism}", xlim=(-0.5, 1.5))
    axes[0].set_ylim(bottom=0)
    axes[0].set_ylabel("requests failed over the 40 s window (%)")
    axes[0].legend()
    fig.suptitle(f"Requests lost during an update at 50 req/s ({frame['seed'].nunique()} seeds per point, 95 % CI)")
    save(fig, NAME)


if __name__ == "__main__":
    main(NAME, scenario, FACTORS, seeds=8, plot=plot)
