"""Study 5: how many manager failures a swarm survives, and how long it is without a leader, against
the number of managers.

Raft needs a quorum of floor(M/2)+1 managers: M managers survive floor((M-1)/2) failures. The leader
(node1) and the next managers crash at once; 40 s later a write (`docker service scale`) is sent to the
last manager. With a quorum left a new leader is elected one election timeout (10-20 s) after the
followers stop hearing the leader; without one the write fails.
"""
from __future__ import annotations

from study import errorbars, main, mean_ci, save, share_ci

from swarmsim import ScenarioBuilder

NAME = "managers"
FACTORS = {"managers": [1, 3, 5, 7], "lost": [0, 1, 2, 3, 4]}


def scenario(managers: int, lost: int):
    s = ScenarioBuilder(NAME).cluster(managers=managers, workers=2)
    s.service("api", image="api:1", deploy={"replicas": 4})
    s.wait_converged()
    for i in range(1, lost + 1):
        s.fail(f"node{i}", "crash")
    return s.wait("40s").run("docker service scale --detach api=6", on=f"node{managers}").wait("5s").build()


def plot(frame) -> None:
    import matplotlib.pyplot as plt
    frame = frame.assign(failover=frame["leader0.at"] - frame["fault0.at"])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for i, (managers, group) in enumerate(frame.groupby("managers")):
        table = share_ci(group, ["lost"], group["steps.failed"] == 0)
        table = table.assign(p=100 * table["p"], low=100 * table["low"], high=100 * table["high"],
                             x=table["lost"] + (i - 1.5) * 0.06)
        errorbars(left, table, "x", centre="p", label=f"{managers} manager{'s' if managers > 1 else ''}")
    left.set(xlabel="managers lost at once (the leader first)", ylabel="runs where the write succeeded (%)",
             xticks=FACTORS["lost"], ylim=(-5, 105), title="survivable failures")
    left.legend(fontsize="small")
    elected = frame[(frame["lost"] >= 1) & frame["failover"].notna()]
    for i, (lost, group) in enumerate(elected.groupby("lost")):
        table = mean_ci(group, ["managers"], "failover")
        errorbars(right, table.assign(x=table["managers"] + (i - 1) * 0.12), "x", linestyle="none",
                  markersize=7, label=f"{lost} lost")
    right.set(xlabel="managers", ylabel="leader crash → new leader (s)", xticks=FACTORS["managers"],
              title="failover time (runs that elected a leader)")
    right.legend(fontsize="small")
    fig.suptitle(f"Manager count ({frame['seed'].nunique()} seeds per point; 95 % Wilson and t intervals)")
    save(fig, NAME)


if __name__ == "__main__":
    main(NAME, scenario, FACTORS, seeds=20, plot=plot, where=lambda f: f["lost"] <= f["managers"])
