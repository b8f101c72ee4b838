"""Experiments over many runs.

`factorial` makes the plan (every combination of factor values, each a checked scenario),
`runner` simulates it in a process pool or on dask, `store` keeps a row per finished run
so a sweep resumes, `sweepfile` reads `sweep.yaml`, `outcomes` summarises one scenario over
many seeds.
"""
from .factorial import Run, build, expand, parse_factor
from .runner import execute, measure, run_sweep
from .store import ResultsStore
from .sweepfile import SweepFile, is_sweep_file, load_sweep

__all__ = ["ResultsStore", "Run", "SweepFile", "build", "execute", "expand", "is_sweep_file", "load_sweep",
           "measure", "parse_factor", "run_sweep"]
