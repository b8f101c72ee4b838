"""Traces in, numbers and figures out: metrics, comparison, calibration, plots.

Every function here reads a `Trace` and nothing else, so a simulated and a real run are
measured by the same code (docs/reference/trace.md).
"""
