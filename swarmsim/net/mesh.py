"""The path of a connection between nodes and its latency, per hop (pure; libnetwork overlay driver, IPVS).

A networkx graph with one vertex per live node and an edge, weighted with the VXLAN hop, between
every two nodes that reach each other: overlay traffic is tunnelled node to node (each node's
VXLAN peer table holds the others), so there is no transit through a third node, and a partition
or a dead daemon removes the edge. A request costs the hop on the node it enters (host-mode port,
ingress sandbox or container-to-container bridge) plus the VXLAN edge when the answering task is
on another node; no edge means the packets are lost and the client times out. The hop costs are
`Timing` fields, measured on the local swarm except the ingress hop (docs/measurements.md).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

from ..model.scenario import Timing

if TYPE_CHECKING:
    import networkx as nx


def mesh(nodes: Sequence[str], reachable: Callable[[str, str], bool], timing: Timing) -> "nx.Graph":
    """The overlay between `nodes` as it stands: an edge per pair that reaches each other."""
    import networkx as nx  # here, not at the top: a scenario without traffic never needs it (0.17 s to import)
    graph = nx.Graph()
    graph.add_nodes_from(n for n in nodes if reachable(n, n))
    live = list(graph.nodes)
    for i, a in enumerate(live):
        graph.add_edges_from((a, b, {"latency": timing.hop_overlay}) for b in live[i + 1:] if reachable(a, b))
    return graph


def latency(graph: "nx.Graph", entry: str, backend: str, first_hop: float) -> float | None:
    """Seconds from `entry` to a task on `backend` after `first_hop`, or None when no path joins them."""
    if entry not in graph or backend not in graph:
        return None
    if entry == backend:
        return first_hop
    if not graph.has_edge(entry, backend):
        return None
    return first_hop + graph.edges[entry, backend]["latency"]
