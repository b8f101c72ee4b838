"""Experiments over many runs: factorial sweeps of a base scenario (`factorial`)."""
from .factorial import Run, expand, parse_factor, run_sweep, write_results

__all__ = ["Run", "expand", "parse_factor", "run_sweep", "write_results"]
