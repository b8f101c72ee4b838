"""The docker language: what swarmsim reads and what it prints.

`parse` reads a docker command line with docker/cli's cobra and pflag rules into the typed
values of `commands`; `units` parses and formats sizes, CPUs and durations as Docker does;
`render` prints the store the way docker 20.10 prints it. Nothing here runs a simulation.
"""
