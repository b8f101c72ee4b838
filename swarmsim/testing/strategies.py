"""Hypothesis strategies for random swarms: clusters, service specs, whole scenarios and seeds.

Scenarios are built as typed values (no YAML) so a shrunk counterexample prints as
plain dataclasses. Labels come from small fixed vocabularies so that generated
constraints and preferences actually select some nodes and miss others.
"""
from __future__ import annotations

from hypothesis import strategies as st

from ..model import (Availability, EndpointSpec, Placement, PortConfig, Resources, Role, ServiceMode, ServiceSpec,
                     TaskSpec)
from ..model.scenario import NodeDecl, Scenario, WaitFor

GIB = 1024**3
LABELS = {"zone": ("a", "b", "c"), "disk": ("ssd", "hdd")}
HOST_PORTS = (8080, 9090)
SETTLE = 30.0  # seconds of simulated time after the services are created: enough to quiesce

seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def labels(draw) -> dict[str, str]:
    """Some of the known labels, each with one of its values."""
    names = draw(st.lists(st.sampled_from(sorted(LABELS)), unique=True))
    return {name: draw(st.sampled_from(LABELS[name])) for name in names}


@st.composite
def node_decls(draw, name: str, role: Role | None = None, homogeneous: bool = False) -> NodeDecl:
    if homogeneous:
        return NodeDecl(name=name, role=role or Role.WORKER)
    return NodeDecl(
        name=name,
        role=role or draw(st.sampled_from(Role)),
        availability=draw(st.sampled_from(Availability) | st.just(Availability.ACTIVE)),
        nano_cpus=draw(st.integers(1, 4)) * 1_000_000_000,
        memory_bytes=draw(st.integers(1, 4)) * GIB,
        labels=draw(labels()),
    )


@st.composite
def clusters(draw, min_nodes: int = 1, max_nodes: int = 6, homogeneous: bool = False) -> tuple[NodeDecl, ...]:
    """node1 is the leader (a manager); the others have random roles, availability, size and labels."""
    count = draw(st.integers(min_nodes, max_nodes))
    first = draw(node_decls("node1", Role.MANAGER, homogeneous))
    rest = [draw(node_decls(f"node{i}", Role.WORKER if homogeneous else None, homogeneous))
            for i in range(2, count + 1)]
    return (first, *rest)


def constraint_exprs() -> st.SearchStrategy[str]:
    label = st.sampled_from(sorted(LABELS)).flatmap(
        lambda name: st.tuples(st.just(name), st.sampled_from(("==", "!=")), st.sampled_from(LABELS[name])))
    return st.one_of(label.map(lambda t: f"node.labels.{t[0]}{t[1]}{t[2]}"),
                     st.sampled_from(("node.role==worker", "node.role==manager", "node.role!=manager")))


@st.composite
def placements(draw) -> Placement:
    return Placement(
        constraints=tuple(draw(st.lists(constraint_exprs(), max_size=2, unique=True))),
        preferences=tuple(draw(st.lists(st.sampled_from(("node.labels.zone", "node.labels.disk", "node.id")),
                                        max_size=2, unique=True))),
        max_replicas=draw(st.integers(0, 3)),
    )


@st.composite
def reservations(draw) -> Resources:
    return Resources(nano_cpus=draw(st.sampled_from((0, 500_000_000, 1_000_000_000, 2_000_000_000))),
                     memory_bytes=draw(st.sampled_from((0, GIB // 2, GIB, 2 * GIB))))


@st.composite
def endpoints(draw) -> EndpointSpec:
    ports = draw(st.lists(st.sampled_from(HOST_PORTS), max_size=1))
    return EndpointSpec(ports=tuple(PortConfig(target=80, published=p, mode="host") for p in ports))


@st.composite
def service_specs(draw, name: str, *, mode: ServiceMode | None = None, constrained: bool = True) -> ServiceSpec:
    """A service of random mode, replicas, placement, reservations and host-mode ports.

    With `constrained=False` it has none of what could keep a task from fitting."""
    mode = mode or draw(st.sampled_from(ServiceMode))
    task = TaskSpec(image="busybox")
    endpoint = EndpointSpec()
    if constrained:
        task = TaskSpec(image="busybox", placement=draw(placements()), reservations=draw(reservations()))
        endpoint = draw(endpoints())
    return ServiceSpec(name=name, task=task, mode=mode, replicas=draw(st.integers(0, 8)), endpoint=endpoint)


@st.composite
def service_lists(draw, *, min_size: int = 1, max_size: int = 3, **kwargs) -> tuple[ServiceSpec, ...]:
    """Services s1..sN; `kwargs` go to service_specs."""
    count = draw(st.integers(min_size, max_size))
    return tuple(draw(service_specs(f"s{i}", **kwargs)) for i in range(1, count + 1))


@st.composite
def scenarios(draw, *, cluster=None, services=None) -> Scenario:
    """A cluster, services deployed at t=0, then SETTLE seconds of simulated time."""
    nodes = draw(cluster if cluster is not None else clusters())
    specs = draw(services if services is not None else service_lists())
    return Scenario(name="hypothesis", nodes=nodes, services=specs, steps=(WaitFor(SETTLE),), seed=draw(seeds))
