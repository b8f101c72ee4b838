"""Placement constraints: parsing and matching, as swarmkit's manager/constraint.

Only `==` and `!=`; values compare case-insensitively as whole strings; a missing
label is the empty string; an unknown key never matches.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

from ..model import Node

NODE_LABEL_PREFIX = "node.labels."
ENGINE_LABEL_PREFIX = "engine.labels."
OPERATORS = ("==", "!=")
_KEY = re.compile(r"^[a-z_][a-z0-9\-_.]+$", re.IGNORECASE)
_VALUE = re.compile(r"^[a-z0-9:\-_\s.*()?+\[\]\\^$|/]+$", re.IGNORECASE)


class ConstraintError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Constraint:
    key: str
    op: str
    value: str

    def matches(self, *candidates: str) -> bool:
        found = any(self.value.casefold() == c.casefold() for c in candidates)
        return found if self.op == "==" else not found


def parse(expr: str) -> Constraint:
    """One `key op value` expression; errors carry swarmkit's wording."""
    for op in OPERATORS:
        if op not in expr:
            continue
        key, value = (part.strip() for part in expr.split(op, 1))
        if not _KEY.match(key):
            raise ConstraintError(f"key '{key}' is invalid")
        if not _VALUE.match(value):
            raise ConstraintError(f"value '{value}' is invalid")
        return Constraint(key, op, value)
    raise ConstraintError("constraint expected one operator from ==, !=")


@lru_cache(maxsize=1024)
def parse_all(exprs: tuple[str, ...]) -> tuple[Constraint, ...]:
    """Parsed once per distinct tuple: every scheduling pass and reconcile asks again."""
    return tuple(parse(e) for e in exprs)


def label_value(node: Node, key: str) -> str | None:
    """The node's value for a `node.labels.X` or `engine.labels.X` key ("" when unset); None for other keys.

    The prefix is case-insensitive, the label name itself case-sensitive (constraint.go, nodeset.go)."""
    for prefix, labels in ((NODE_LABEL_PREFIX, node.labels), (ENGINE_LABEL_PREFIX, node.engine_labels)):
        if len(key) > len(prefix) and key[: len(prefix)].lower() == prefix:
            return labels.get(key[len(prefix):], "")
    return None


def _ip_matches(c: Constraint, addr: str) -> bool:
    try:
        node_ip = ipaddress.ip_address(addr)
    except ValueError:
        node_ip = None
    try:
        inside = node_ip is not None and node_ip in ipaddress.ip_network(c.value, strict=False)
    except ValueError:
        return False  # a malformed address or network never matches
    return inside if c.op == "==" else not inside


def node_matches(constraints: tuple[Constraint, ...], node: Node) -> bool:
    """True when `node` satisfies every constraint (constraint.go NodeMatches)."""
    for c in constraints:
        key = c.key.lower()
        if key == "node.id":
            ok = c.matches(node.id)
        elif key == "node.hostname":
            ok = c.matches(node.hostname)
        elif key == "node.ip":
            ok = _ip_matches(c, node.addr)
        elif key == "node.role":
            ok = c.matches(node.role.value)
        elif key == "node.platform.os":
            ok = c.matches(node.os)
        elif key == "node.platform.arch":
            ok = c.matches(node.arch)
        else:
            value = label_value(node, c.key)
            ok = value is not None and c.matches(value)
        if not ok:
            return False
    return True
