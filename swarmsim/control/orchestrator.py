"""Pure rules of the orchestrators (swarmkit manager/orchestrator/{task.go,replicated,global}).

Slots are lists of tasks sharing a slot number (replicated) or a node (global).
"""
from __future__ import annotations

from dataclasses import replace

from ..model import Availability, Node, NodeStatus, Service, Task, TaskState
from . import constraint

Slot = list[Task]


def invalid_node(node: Node | None) -> bool:
    """A node whose tasks must be replaced: gone, down or drained (task.go InvalidNode)."""
    return node is None or node.status is NodeStatus.DOWN or node.availability is Availability.DRAIN


def node_matches_service(service: Service, node: Node | None) -> bool:
    if node is None:
        return False
    return constraint.node_matches(constraint.parse_all(service.spec.task.placement.constraints), node)


def is_task_dirty(service: Service, t: Task, node: Node | None) -> bool:
    """Whether a task no longer matches its service's spec (task.go IsTaskDirty)."""
    if t.spec_version == service.version:
        return False
    want = service.spec.task
    if want.placement != t.spec.placement and replace(want, placement=t.spec.placement) == t.spec \
            and node_matches_service(service, node):
        return False  # a placement-only change leaves a task that still fits where it is
    return want != t.spec or service.spec.endpoint != t.endpoint


def slot_is_dirty(service: Service, slot: Slot, nodes: dict[str, Node]) -> bool:
    return len(slot) > 1 or (len(slot) == 1 and is_task_dirty(service, slot[0], nodes.get(slot[0].node or "")))


def lowest_free_slots(used: set[int] | dict[int, object], count: int) -> list[int]:
    """New slot numbers: the lowest positive numbers no live slot uses (services.go addTasks)."""
    out, slot = [], 0
    while len(out) < count:
        slot += 1
        if slot not in used:
            out.append(slot)
    return out


def scale_down_order(slots: list[Slot]) -> list[Slot]:
    """Slots in keep-first order for a scale-down (services.go reconcile, slot.go).

    Running slots first, then by slot number; then each slot gets its rank among
    the slots on its node, and slots are kept rank by rank, so the nodes with the
    most replicas lose theirs first. Slots with no node or several tasks go last.
    Go sorts with an unstable sort; for up to 12 slots that sort is an insertion
    sort, which is stable, and so is this one.
    """
    def running_key(slot: Slot):
        running = any(t.state == TaskState.RUNNING for t in slot)
        return (0 if running else 1, slot[0].slot)

    per_node: dict[str, int] = {}
    indexed = []
    for slot in sorted(slots, key=running_key):
        if len(slot) == 1 and slot[0].node is not None:
            per_node[slot[0].node] = per_node.get(slot[0].node, 0) + 1
            indexed.append((per_node[slot[0].node], slot))
        else:
            indexed.append((-1, slot))
    indexed.sort(key=lambda pair: (pair[0] < 0, pair[0]))
    return [slot for _, slot in indexed]


def newest_task(slot: Slot) -> Task:
    """The slot's most recent task by manager timestamp (TasksByTimestamp)."""
    return max(slot, key=lambda t: (t.status_at, t.created_at))
