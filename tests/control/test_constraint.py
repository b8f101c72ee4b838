"""Placement constraints (swarmkit manager/constraint/constraint.go; reference §2.5)."""
from __future__ import annotations

import pytest

from swarmsim.control.constraint import Constraint, ConstraintError, node_matches, parse, parse_all
from swarmsim.model import Role
from swarmsim.testing.builders import node

WORKER = node("node2", labels={"zone": "East", "Disk": "ssd"}, engine_labels={"gpu": "yes"}, addr="10.0.0.3")


def matches(*exprs: str, n=WORKER) -> bool:
    return node_matches(parse_all(exprs), n)


@pytest.mark.parametrize("expr, want", [
    ("node.role==worker", Constraint("node.role", "==", "worker")),
    ("node.role != manager", Constraint("node.role", "!=", "manager")),
])
def test_parse(expr, want):
    assert parse(expr) == want


@pytest.mark.parametrize("expr, message", [
    ("node.role=worker", "constraint expected one operator from ==, !="),
    ("node.cpus>2", "constraint expected one operator from ==, !="),
    ("1node==x", "key '1node' is invalid"),
    ("node.labels.a!=b==c", "key 'node.labels.a!=b' is invalid"),  # == is looked for first
    ("node.labels.a==x<y", "value 'x<y' is invalid"),
])
def test_parse_errors(expr, message):
    with pytest.raises(ConstraintError, match=message):
        parse(expr)


@pytest.mark.parametrize("expr, want", [
    ("node.role==worker", True),
    ("node.role==manager", False),
    ("node.role!=manager", True),
    ("node.hostname==node2", True),
    ("node.hostname!=node2", False),
    ("node.id==id-node2", True),
    ("node.platform.os==linux", True),
    ("node.platform.arch==x86_64", True),
    ("node.platform.arch==amd64", False),  # raw engine strings, no normalisation
])
def test_node_attributes(expr, want):
    assert matches(expr) is want


@pytest.mark.parametrize("expr", ["node.labels.zone==east", "node.labels.zone==EAST", "NODE.LABELS.zone==East",
                                  "node.role==WORKER", "engine.labels.gpu==YES"])
def test_values_and_key_prefix_compare_case_insensitively(expr):
    assert matches(expr)


def test_label_names_are_case_sensitive():
    assert matches("node.labels.Disk==ssd")
    assert not matches("node.labels.disk==ssd")


def test_missing_label_is_the_empty_string():
    assert not matches("node.labels.rack==r1")
    assert matches("node.labels.rack!=r1")
    assert not matches("engine.labels.rack==r1")


def test_values_are_exact_strings_not_patterns():
    assert not matches("node.labels.zone==E.*")
    assert not matches("node.labels.zone==Eas")


@pytest.mark.parametrize("expr", ["node.name==node2", "node.labels==zone", "node.cpus!=4", "labels.zone==East"])
def test_unknown_key_never_matches_even_with_not_equal(expr):
    assert not matches(expr)


@pytest.mark.parametrize("expr, want", [
    ("node.ip==10.0.0.3", True),
    ("node.ip==10.0.0.0/24", True),
    ("node.ip==10.0.1.0/24", False),
    ("node.ip!=10.0.1.0/24", True),
    ("node.ip!=10.0.0.0/8", False),
    ("node.ip==not-an-ip", False),
    ("node.ip!=not-an-ip", False),  # malformed never matches
])
def test_node_ip_as_address_or_cidr(expr, want):
    assert matches(expr) is want


def test_constraints_are_anded():
    assert matches("node.role==worker", "node.labels.zone==east")
    assert not matches("node.role==worker", "node.labels.zone==west")
    assert matches()


def test_role_follows_the_node():
    assert matches("node.role==manager", n=node("m", role=Role.MANAGER))
