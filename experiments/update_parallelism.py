"""Experiment: how parallelism and delay trade rolling-update duration against capacity.

    python experiments/update_parallelism.py run    # simulate the sweep into results/
    python experiments/update_parallelism.py plot   # figures from results/ only

Theory check: with N replicas, parallelism p and delay d, the update takes at
least ceil(N/p)*d (each worker sleeps d after every slot; swarmkit updater.go).
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

HERE = Path(__file__).parent
RESULTS = HERE.parent / "results" / "update_parallelism"
FACTORS = {"parallelism": [1, 2, 3, 4, 6, 12], "delay": [0, 2, 5], "seed": [0, 1, 2]}
REPLICAS = 12


def run() -> None:
    from swarmsim.sweep.factorial import expand, run_sweep, write_results
    base = HERE / "update_parallelism.yaml"
    frame = run_sweep(expand(base.read_text(), str(base), FACTORS))
    print(f"written {write_results(frame, RESULTS)}")


def plot() -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    frame = pd.read_csv(RESULTS / "results.csv")
    means = frame.groupby(["delay", "parallelism"]).mean(numeric_only=True).reset_index()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for delay, group in means.groupby("delay"):
        left.plot(group["parallelism"], group["update0.duration"], marker="o", label=f"delay {delay}s")
        bound = [math.ceil(REPLICAS / p) * delay for p in group["parallelism"]]
        left.plot(group["parallelism"], bound, linestyle=":", color="grey")
        right.plot(group["parallelism"], group["update0.min_running"], marker="o", label=f"delay {delay}s")
    left.set(xlabel="parallelism", ylabel="update duration (s)", title="duration (dotted: ceil(N/p)·delay)")
    right.set(xlabel="parallelism", ylabel="fewest running replicas", title=f"capacity during the update (N={REPLICAS})")
    left.legend()
    right.legend()
    fig.tight_layout()
    out = RESULTS / "update_parallelism.png"
    fig.savefig(out, dpi=110)
    print(f"written {out}")


if __name__ == "__main__":
    {"run": run, "plot": plot}[sys.argv[1] if len(sys.argv) > 1 else "run"]()
