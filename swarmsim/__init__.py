"""swarmsim: predict what a Docker Swarm will do, and check it against a real one."""
__version__ = "0.1.0"
