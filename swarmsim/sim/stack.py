"""`docker stack deploy` and `docker stack rm` as the CLI drives the swarm's API.

docker/cli `cli/command/stack/swarm/{deploy_composefile,remove}.go`: a deploy
(optionally pruning services the file no longer has) checks the external
networks, creates the stack's networks, secrets and configs that are missing,
then updates every service that exists (swarmkit rolls only the tasks whose spec
changed, with the service's update_config) and creates the others, one API call
at a time: the orchestrator and the allocator act on each service before the next
arrives (`timing.stack_service_call` apart), which decides, on a full subnet, which
services get their addresses. A stack is
whatever carries its `com.docker.stack.namespace` label. Output lines are the CLI's.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from ..control.gomap import range_order
from ..model import Service, ServiceSpec
from ..model.stack import NAMESPACE_LABEL, Stack
from ..model.service import ref_names
from .swarm import BUILTIN_NETWORKS, SimSwarm, SwarmError

_LOCAL = ("default", "bridge", "host", "none")  # container.NetworkMode.IsUserDefined is false for these


def stack_services(swarm: SimSwarm, namespace: str) -> list[Service]:
    return sorted((s for s in swarm.store.services.values() if s.spec.labels.get(NAMESPACE_LABEL) == namespace),
                  key=lambda s: s.name)


def _remove_services(swarm: SimSwarm, services: list[Service], out: list[str]) -> None:
    for service in services:
        out.append(f"Removing service {service.name}")
        swarm.remove_service(service.name)


def _check_external(swarm: SimSwarm, names: tuple[str, ...]) -> None:
    for name in names:
        if name in _LOCAL or name.startswith("container:"):
            continue
        net = swarm.networks.get(name)
        if net is None:
            raise SwarmError(f'network "{name}" is declared as external, but could not be found. You need to create a '
                             f'swarm-scoped network before the stack is deployed')
        if net.scope != "swarm":
            raise SwarmError(f'network "{name}" is declared as external, but it is not in the right scope: '
                             f'"{net.scope}" instead of "swarm"')


def _wrapped(what: str, call, *args) -> None:
    """deploy_composefile.go's errors.Wrapf around each daemon call: `failed to create service X: ...`."""
    try:
        call(*args)
    except SwarmError as err:
        raise SwarmError(f"{what}: {err}") from None


def _call_order(swarm: SimSwarm, services: tuple[ServiceSpec, ...]) -> list[ServiceSpec]:
    """The order the 20.10 CLI calls the daemon in: the loader ranges over the file's services (a Go map
    filled in the file's order), convert.Services puts them into another map, deployServices ranges
    over that (measured: 300 services created in an order unlike the file's, (o))."""
    rng = swarm.sim.rng.stream("stack.deploy")
    return [services[i] for i in range_order(range_order(range(len(services)), rng), rng)]


def deploy(swarm: SimSwarm, stack: Stack, warnings: Mapping[str, str] | None = None,
           prune: bool = False) -> tuple[bool, str]:
    """Run a deploy; (ok, what docker prints: the warnings, then one line per object). `warnings`: by service,
    what the daemon answers to an update of it (its digest warning), printed after the update's line;
    deploy_composefile.go prints a create's answer not at all."""
    out: list[str] = [stack.warnings[:-1]] if stack.warnings else []  # its blank line kept
    try:
        if prune:
            keep = {s.name for s in stack.services}
            _remove_services(swarm, [s for s in stack_services(swarm, stack.namespace) if s.name not in keep], out)
        _check_external(swarm, stack.external_networks)
        for decl in stack.networks:
            existing = swarm.networks.get(decl.name)
            if existing is not None and existing.labels.get(NAMESPACE_LABEL) == stack.namespace:
                continue
            out.append(f"Creating network {decl.name}")
            try:
                swarm.create_network(decl)
            except SwarmError as err:
                raise SwarmError(f"failed to create network {decl.name}: {err}") from None
        for kind, objects in (("secret", stack.secrets), ("config", stack.configs)):
            for obj in objects:
                verb = "update" if obj.name in swarm.objects[kind] else "create"
                if verb == "create":
                    out.append(f"Creating {kind} {obj.name}")
                _wrapped(f"failed to {verb} {kind} {obj.name}", swarm.put_object, kind, obj)
        for spec in stack.services:
            base = spec.name.removeprefix(f"{stack.namespace}_")
            for kind, refs in (("secret", spec.task.secrets), ("config", spec.task.configs)):
                missing = next((n for n in ref_names(refs) if n not in swarm.objects[kind]), None)
                if missing is not None:
                    raise SwarmError(f"service {base}: {kind} not found: {missing}")
        for index, spec in enumerate(_call_order(swarm, stack.services)):
            if index:  # the CLI's round trip for the previous service, during which the swarm acts on it
                swarm.run_until(swarm.now + swarm.timing.stack_service_call)
            current = swarm.store.service(spec.name)
            if current is None:
                out.append(f"Creating service {spec.name}")
                _wrapped(f"failed to create service {spec.name}", swarm.create_service, spec)
                continue
            out.append(f"Updating service {spec.name} (id: {current.id})")
            # stack deploy has no --force: the current force_update is kept, so unchanged tasks stay
            task = replace(spec.task, force_update=current.spec.task.force_update)
            _wrapped(f"failed to update service {spec.name}", swarm.update_service, spec.name, replace(spec, task=task))
            if (warnings or {}).get(spec.name):
                out.append(warnings[spec.name].removesuffix("\n"))
    except SwarmError as err:
        return False, "\n".join(out + [str(err)])
    return True, "\n".join(out)


def remove(swarm: SimSwarm, namespaces: tuple[str, ...]) -> tuple[bool, str]:
    """`docker stack rm`: services, then secrets and configs, then networks."""
    out: list[str] = []
    for namespace in namespaces:
        services = stack_services(swarm, namespace)
        builtin = {name for name, _, _ in BUILTIN_NETWORKS}
        networks = sorted(n.name for n in swarm.networks.values()
                          if n.labels.get(NAMESPACE_LABEL) == namespace and n.name not in builtin)
        objects = [(kind, name) for kind in ("secret", "config") for name, (_, obj) in
                   sorted(swarm.objects[kind].items()) if obj.labels.get(NAMESPACE_LABEL) == namespace]
        if not services and not networks and not objects:
            out.append(f"Nothing found in stack: {namespace}")
            continue
        _remove_services(swarm, services, out)
        for kind, name in objects:
            out.append(f"Removing {kind} {name}")
            swarm.remove_object(kind, name)
        for name in networks:
            out.append(f"Removing network {name}")
            swarm.remove_network(name)
    return True, "\n".join(out)
