"""Outcome distributions: one scenario over many seeds, the spread of what Swarm does.

A real orchestrator breaks ties at random, walks Go maps in random order, beats its
heartbeats at random phases and elects leaders after random timeouts; the same rollout
plan may complete in one run and pause in the next. Over N seeds this gives, per
update, the probability of each end state with a Wilson score interval (sound at 0 %
and 100 %, unlike the normal approximation) and, per metric, the median, the 5-95 %
interval and the extremes.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable

from ..model.scenario import Scenario
from .factorial import build
from .runner import RUN_COLUMNS, rows

END_STATES = {"completed": "completed", "paused": "paused", "rollback_completed": "rolled back",
              "rollback_paused": "rollback paused", "running": "never finished"}
UPDATE_OUTCOME = re.compile(r"update(\d+)\.outcome")


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % for z = 1.96)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact at the ends, not off by a rounding
    return low, 1.0 if successes == n else min(1.0, centre + half)


@dataclass
class Outcomes:
    """The rows of every seed's run and what they add up to."""

    name: str
    runs: object  # a pandas DataFrame, one row per seed

    def end_states(self):
        """Per update: each end state's count, probability and 95 % Wilson interval."""
        import pandas as pd
        out = []
        ok = self.runs[self.runs["error"].isna()]
        for column in sorted((c for c in ok.columns if UPDATE_OUTCOME.fullmatch(c)),
                             key=lambda c: int(UPDATE_OUTCOME.fullmatch(c).group(1))):
            index = int(UPDATE_OUTCOME.fullmatch(column).group(1))
            service = ok[f"update{index}.service"].dropna()
            counts = ok[column].fillna("never started").value_counts()
            states = [s for s in END_STATES.values() if s != "rollback paused"] + \
                     [s for s in ("rollback paused", "never started") if counts.get(_key(s), 0)]
            for state in states:
                k, n = int(counts.get(_key(state), 0)), len(ok)
                lo, hi = wilson(k, n)
                out.append({"update": index, "service": service.iloc[0] if len(service) else None,
                            "state": state, "runs": k, "of": n, "p": k / n if n else 0.0, "low": lo, "high": hi})
        return pd.DataFrame(out, columns=["update", "service", "state", "runs", "of", "p", "low", "high"])

    def distributions(self):
        """Per numeric metric: runs that have it, median, 5 % and 95 % quantiles, min and max."""
        import pandas as pd
        out = []
        for column in self.metrics():
            values = self.runs[column].dropna().astype(float)
            out.append({"metric": column, "runs": len(values), "median": values.median(),
                        "p5": values.quantile(0.05), "p95": values.quantile(0.95), "min": values.min(),
                        "max": values.max()})
        return pd.DataFrame(out, columns=["metric", "runs", "median", "p5", "p95", "min", "max"])

    def metrics(self) -> list[str]:
        import pandas as pd
        return [c for c in self.runs.columns if c not in RUN_COLUMNS and c != "wall_time"
                and pd.api.types.is_numeric_dtype(self.runs[c]) and self.runs[c].notna().any()]

    def format(self) -> str:
        failed = int(self.runs["error"].notna().sum())
        lines = [f"Outcomes of {self.name} over {len(self.runs)} seeds"
                 + (f" ({failed} runs failed: {self.runs['error'].dropna().iloc[0]})" if failed else "")]
        states = self.end_states()
        for (index, service), group in states.groupby(["update", "service"], sort=True):
            lines.append(f"\nupdate {index} ({service}): end state, probability [95 % Wilson interval]")
            for r in group.itertuples():
                lines.append(f"  {r.state:<16} {100 * r.p:5.1f} %  [{100 * r.low:5.1f}, {100 * r.high:5.1f}]"
                             f"  {r.runs}/{r.of} runs")
        if not len(states):
            lines.append("\nno update in this scenario")
        lines.append(f"\n{'metric':<32} {'runs':>5} {'median':>10} {'5 %':>10} {'95 %':>10} {'min':>10} {'max':>10}")
        for r in self.distributions().itertuples():
            lines.append(f"{r.metric:<32} {r.runs:>5} {r.median:>10.3f} {r.p5:>10.3f} {r.p95:>10.3f} "
                         f"{r.min:>10.3f} {r.max:>10.3f}")
        return "\n".join(lines)


def _key(state: str) -> str:
    return next((k for k, v in END_STATES.items() if v == state), state)


def outcomes(scenario: Scenario, seeds: int | Iterable[int] = 200, workers: int | None = None,
             dask: str | None = None, progress: bool = True) -> Outcomes:
    """Simulate `scenario` under every seed (0..N-1 for an int) and gather its outcomes."""
    import pandas as pd
    runs = build(lambda: scenario, {}, seeds, name=scenario.source or scenario.name)
    order = {run.key: i for i, run in enumerate(runs)}
    found = sorted(rows(runs, workers, dask, progress), key=lambda row: order[row["run"]])
    return Outcomes(scenario.name, pd.DataFrame(found))
