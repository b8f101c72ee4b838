"""Helpers for swarmsim's own tests: object builders and hypothesis strategies."""
