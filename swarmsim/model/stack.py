"""A stack as `docker stack deploy` sends it: compose converted, names namespaced.

docker/cli `cli/compose/convert`: every object is named `STACK_NAME` (unless the
file gives it a `name:`) and labelled `com.docker.stack.namespace=STACK`, which is
how `stack ls/services/ps/rm` find it again. Read from the file at load time, so
a deploy step carries the whole stack.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .scenario import NetworkDecl
from .service import ServiceSpec

NAMESPACE_LABEL = "com.docker.stack.namespace"
IMAGE_LABEL = "com.docker.stack.image"


@dataclass(frozen=True, slots=True)
class SwarmObject:
    """A secret or a config: a name, labels and the data's size; a config's data too (inspect shows it, a
    secret's never)."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    size: int = 0
    data: bytes = b""
    driver: str = ""  # a secret kept by a secret-store plugin rather than as data
    created_at: float = 0.0  # set by the swarm when it stores the object
    updated_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Stack:
    namespace: str
    services: tuple[ServiceSpec, ...] = ()
    networks: tuple[NetworkDecl, ...] = ()       # created unless they exist
    external_networks: tuple[str, ...] = ()      # looked up: the deploy fails if one is missing
    secrets: tuple[SwarmObject, ...] = ()
    configs: tuple[SwarmObject, ...] = ()
    warnings: str = ""                           # docker's "Ignoring unsupported options: ..." (stderr)
