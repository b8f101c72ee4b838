"""What every study in experiments/ shares: run a sweep into results/NAME, plot from its files only.

    python experiments/NAME.py run [--workers N | --dask local:2] [--seeds N]
    python experiments/NAME.py plot
    python experiments/NAME.py          # both

Figures go to docs/experiments/NAME*.png and .svg. Every point is a mean over seeds with a 95 %
Student t interval, every proportion a 95 % Wilson interval.
"""
from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from swarmsim import build, run_sweep  # noqa: E402
from swarmsim.sweep.outcomes import wilson  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
FIGURES = ROOT / "docs" / "experiments"
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 19: 2.093, 24: 2.064, 29: 2.045}


def t975(df: int) -> float:
    """The 97.5 % quantile of Student's t with `df` degrees of freedom (1.96 beyond 29)."""
    return T975[max(k for k in T975 if k <= df)] if df < 30 else 1.96


def mean_ci(frame: pd.DataFrame, by: list[str], metric: str) -> pd.DataFrame:
    """Per group: mean, the 95 % t interval of the mean across seeds, and the number of runs."""
    def one(values: pd.Series) -> pd.Series:
        values = values.dropna().astype(float)
        n, mean = len(values), values.mean()
        half = t975(n - 1) * values.std(ddof=1) / math.sqrt(n) if n > 1 else 0.0
        return pd.Series({"mean": mean, "low": mean - half, "high": mean + half, "n": n})
    return frame.groupby(by)[metric].apply(one).unstack().reset_index()


def share_ci(frame: pd.DataFrame, by: list[str], hit: pd.Series) -> pd.DataFrame:
    """Per group: the share of runs where `hit` holds, with its 95 % Wilson interval."""
    grouped = hit.groupby([frame[c] for c in by])
    out = grouped.agg(["sum", "count"]).reset_index()
    out["p"] = out["sum"] / out["count"]
    out[["low", "high"]] = [wilson(int(k), int(n)) for k, n in zip(out["sum"], out["count"])]
    return out


def errorbars(ax, table: pd.DataFrame, x: str, centre: str = "mean", **style) -> None:
    ax.errorbar(table[x], table[centre], yerr=[table[centre] - table["low"], table["high"] - table[centre]],
                capsize=3, marker="o", **style)


def save(fig, name: str) -> list[Path]:
    FIGURES.mkdir(parents=True, exist_ok=True)
    paths = [FIGURES / f"{name}.png", FIGURES / f"{name}.svg"]
    fig.tight_layout()
    for path in paths:
        fig.savefig(path, dpi=100)
    plt.close(fig)
    print("written", *(p.relative_to(ROOT) for p in paths))
    return paths


def results(name: str) -> pd.DataFrame:
    """The study's results file, never the simulator: plots come from what the sweep wrote."""
    return pd.read_parquet(RESULTS / name / "results.parquet")


def main(name: str, scenario: Callable, factors: dict[str, list], seeds: int, plot: Callable[[pd.DataFrame], None],
         where: Callable[[dict], bool] | None = None) -> None:
    """The command line of a study; `where` leaves out the combinations of factors that make no sense."""
    parser = argparse.ArgumentParser(prog=f"experiments/{name}.py")
    parser.add_argument("action", nargs="?", choices=["run", "plot", "all"], default="all")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--dask", metavar="ADDRESS")
    parser.add_argument("--seeds", type=int, default=seeds)
    parser.add_argument("--out", default=str(RESULTS / name))
    args = parser.parse_args()
    if args.action in ("run", "all"):
        runs = build(scenario, factors, seeds=args.seeds, where=where)
        started = time.perf_counter()
        frame = run_sweep(runs, args.out, workers=args.workers, dask=args.dask)
        failed = int(frame["error"].notna().sum())
        print(f"{name}: {len(frame)} runs ({failed} failed) in {args.out}, {time.perf_counter() - started:.1f} s")
    if args.action in ("plot", "all"):
        plot(results(name))
