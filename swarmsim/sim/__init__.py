"""The SimPy shell: swarmkit's manager loops, the dispatcher and the agents, reacting to one store and
writing the trace on every commit. The only package that imports simpy."""
