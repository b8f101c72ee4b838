"""Figures of outcome distributions: end-state probabilities, and a histogram and ECDF per metric."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .outcomes import Outcomes  # noqa: E402
from ..inputs import output_dir  # noqa: E402


def end_states(outcomes: Outcomes):
    """One bar per update and end state, the 95 % Wilson interval as error bars."""
    states = outcomes.end_states()
    fig, ax = plt.subplots(figsize=(8, 3.5))
    labels = [f"update {r.update} ({r.service})\n{r.state}" for r in states.itertuples()]
    x = np.arange(len(states))
    ax.bar(x, 100 * states["p"], color="tab:blue", alpha=0.7)
    ax.errorbar(x, 100 * states["p"], yerr=[100 * (states["p"] - states["low"]), 100 * (states["high"] - states["p"])],
                fmt="none", color="black", capsize=4)
    ax.set_xticks(x, labels, fontsize="small")
    ax.set_ylabel("runs ending so (%)")
    ax.set_ylim(0, 100)
    ax.set_title(f"{outcomes.name}: end states over {len(outcomes.runs)} seeds (95 % Wilson intervals)")
    fig.tight_layout()
    return fig


def distribution(outcomes: Outcomes, metric: str):
    """A histogram and the empirical CDF of one metric, median and 5-95 % marked."""
    values = np.sort(outcomes.runs[metric].dropna().astype(float).to_numpy())
    fig, (hist, ecdf) = plt.subplots(1, 2, figsize=(9, 3.5))
    integral = bool(len(values)) and np.all(values == np.round(values))
    bins = np.arange(values.min() - 0.5, values.max() + 1.5) if integral and np.ptp(values) < 60 else "auto"
    hist.hist(values, bins=bins, color="tab:blue", alpha=0.7)
    hist.set(xlabel=metric, ylabel="runs")
    hist.yaxis.set_major_locator(MaxNLocator(integer=True))
    ecdf.step(values, np.arange(1, len(values) + 1) / len(values), where="post")
    ecdf.set(xlabel=metric, ylabel="fraction of runs ≤ x", ylim=(0, 1.02))
    for ax in (hist, ecdf):
        if integral:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if len(values):
            ax.axvline(np.median(values), color="black", linewidth=1)
            ax.axvspan(np.quantile(values, 0.05), np.quantile(values, 0.95), color="grey", alpha=0.15)
    fig.suptitle(f"{outcomes.name}: {metric} over {len(values)} runs (line: median, shaded: 5-95 %)",
                 fontsize="medium")
    fig.tight_layout()
    return fig


def write_outcome_plots(outcomes: Outcomes, directory: str | Path) -> list[Path]:
    out = output_dir(directory, "report folder")
    figures = ([("end_states", end_states(outcomes))] if len(outcomes.end_states()) else []) + \
              [(metric, distribution(outcomes, metric)) for metric in outcomes.metrics()
               if outcomes.runs[metric].nunique() > 1]
    paths = []
    for name, fig in figures:
        path = out / f"{name}.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        paths.append(path)
    return paths
