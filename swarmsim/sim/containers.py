"""`docker ps` as one node's dockerd answers it (moby daemon/list.go): the containers of the tasks its agent
ran, from their creation until the agent removes them with their task (sim/agent.py `Container`).

A task's container carries swarmkit's labels (the node, service and task it belongs to, executor
container.go) over the spec's own, and the name and ID `docker network inspect` shows (sim/netinspect.py).
Its command is the spec's entrypoint and args: an image's own ENTRYPOINT and CMD are not modelled.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.service import on_ingress
from .netinspect import container_id, container_name

if TYPE_CHECKING:
    from .swarm import SimSwarm


def _command(words: tuple[str, ...]) -> str:
    """The list's Command (daemon/list.go): the path, then each argument, one holding a space in single quotes."""
    return " ".join(words[:1] + tuple(f"'{w}'" if " " in w else w for w in words[1:]))


def listing(swarm: "SimSwarm", on: str) -> list[dict]:
    """The node's containers, newest first, as plain fields for dockercli/render.py `container_ls`."""
    agent = swarm.agents.get(on)
    if agent is None:
        return []
    node = swarm.store.nodes.get(on)
    rows = []
    for c in reversed(agent.containers()):
        t = c.task
        name = container_name(swarm, t)
        labels = {**dict(t.spec.labels), "com.docker.swarm.node.id": node.id if node else "",
                  "com.docker.swarm.service.id": t.service_id, "com.docker.swarm.service.name": t.service,
                  "com.docker.swarm.task": "", "com.docker.swarm.task.id": t.id, "com.docker.swarm.task.name": name}
        networks = list(t.spec.networks) + (["ingress"] if on_ingress(t.endpoint.ports) else [])
        rows.append({"id": container_id(t), "name": name, "image": t.image,
                     "command": _command(t.spec.command + t.spec.args), "created": c.created_at,
                     "started": c.started_at, "finished": c.finished_at, "exit_code": c.exit_code,
                     "health": c.health, "ports": [(p.published, p.target, p.protocol) for p in c.bound],
                     "labels": labels, "networks": networks or ["bridge"]})
    return rows
