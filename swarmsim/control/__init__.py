"""The pure decisions of swarmkit's manager (scheduler, orchestrators, restarts, convergence): plain data
in, plain data out, no clock and no event loop; the caller passes `now` and a seeded RNG."""
