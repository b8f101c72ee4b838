"""Tooling to run a real Docker swarm on this machine and measure it, to validate and calibrate swarmsim."""
