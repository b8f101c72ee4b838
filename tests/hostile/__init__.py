"""Hostile inputs for the fuzz test: a generated corpus of bad files and command lines, and a runner
that runs each through the `swarmsim` command in a forked child under a time and memory limit."""
