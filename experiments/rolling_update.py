"""Study 1: a rolling update's duration and the fewest replicas left running, against parallelism,
delay, order (stop-first or start-first) and the number of replicas.

Theory check: with N replicas, parallelism p and delay d the update takes at least ceil(N/p)*d, since
each worker sleeps d after every slot (swarmkit updater.go); stop-first leaves about N-p running.
"""
from __future__ import annotations

import math

from study import errorbars, main, mean_ci, save

from swarmsim import ScenarioBuilder

NAME = "rolling_update"
FACTORS = {"parallelism": [1, 2, 3, 6], "delay": [0, 2], "order": ["stop-first", "start-first"],
           "replicas": [6, 12]}


def scenario(parallelism: int, delay: int, order: str, replicas: int):
    s = ScenarioBuilder(NAME).cluster(managers=1, workers=3)
    s.service("web", image="web:1", deploy={"replicas": replicas, "update_config": {
        "parallelism": parallelism, "delay": f"{delay}s", "order": order}})
    return s.wait_converged().run("docker service update --image web:2 web").wait_converged().build()


def plot(frame) -> None:
    import matplotlib.pyplot as plt
    frame = frame.assign(available=frame["update0.min_running"] / frame["replicas"])
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    colours = {0: "tab:blue", 2: "tab:orange"}
    for col, replicas in enumerate(FACTORS["replicas"]):
        part = frame[frame["replicas"] == replicas]
        for (delay, order), group in part.groupby(["delay", "order"]):
            style = {"color": colours[delay], "linestyle": "-" if order == "stop-first" else "--",
                     "label": f"delay {delay}s, {order}"}
            errorbars(axes[0, col], mean_ci(group, ["parallelism"], "update0.duration"), "parallelism", **style)
            errorbars(axes[1, col], mean_ci(group, ["parallelism"], "available"), "parallelism", **style)
        bound = [math.ceil(replicas / p) * 2 for p in FACTORS["parallelism"]]
        axes[0, col].plot(FACTORS["parallelism"], bound, ":", color="grey", label="ceil(N/p)·2s")
        axes[0, col].set(title=f"{replicas} replicas", ylabel="update duration (s)")
        axes[1, col].set(xlabel="parallelism", ylabel="fewest running / replicas", ylim=(0, 1.05))
        axes[1, col].set_xticks(FACTORS["parallelism"])
    axes[0, 0].legend(fontsize="small")
    fig.suptitle(f"Rolling update: duration and capacity ({frame['seed'].nunique()} seeds per point, 95 % CI)")
    save(fig, NAME)


if __name__ == "__main__":
    main(NAME, scenario, FACTORS, seeds=5, plot=plot)
