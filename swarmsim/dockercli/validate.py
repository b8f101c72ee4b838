"""The checks Docker makes on names, image references and numbers, in Docker's words.

A scenario is checked on load, so a value the daemon or the CLI would refuse is refused there, at its
line, with the text docker prints. Each function returns the error text, or None when Docker accepts
the value.
"""
from __future__ import annotations

import ipaddress
import math
import re

from ..model.gofmt import MAX_DURATION

# Go's regexp runs in linear time, Python's backtracks: each pattern below is written so that no two of its
# quantifiers can share a character (docker's `(?:[-_]*[A-Za-z0-9]+)*` over a long name that fails at its end
# takes exponential time), and matches exactly the strings docker's does.
# swarmkit manager/controlapi/common.go: service and network names are DNS name components
_DNS_NAME = re.compile(r"[a-zA-Z0-9](?:[-_A-Za-z0-9]*[A-Za-z0-9])?")
# a node's hostname: RFC 1123 labels joined by dots
_HOSTNAME = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}"
                       r"[a-zA-Z0-9])?)*")
# distribution/reference's grammar: [domain[:port]/]component(/component)*[:tag][@digest]
_DOMAIN = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"  # docker's separator [-]* may be empty: -+ is the same set
_REFERENCE = re.compile(rf"((?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*)(?::[\w][\w.-]{{0,127}})?"
                        r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?")
INT64_MIN = -2**63
UINT64_MAX = 2**64 - 1


def swarm_name(name: str) -> str | None:
    """A service or network name as swarmkit's validateAnnotations checks it."""
    if not name:
        return "meta: name must be provided"
    if not _DNS_NAME.fullmatch(name):
        return "name must be valid as a DNS name component"
    if len(name) > 63:
        return "name must be 63 characters or fewer"
    return None


def hostname(name: str) -> str | None:
    """A node name, which is the node's hostname."""
    if not name or len(name) > 253 or not _HOSTNAME.fullmatch(name):
        return "invalid hostname (expected letters, digits and '-', in labels of at most 63 separated by '.')"
    return None


def image_reference(ref: str) -> str | None:
    """An image reference as the docker CLI parses it (distribution/reference ParseNormalizedNamed)."""
    match = _REFERENCE.fullmatch(ref)
    if match and len(match.group(1)) <= 255:
        return None
    if ref and _REFERENCE.fullmatch(ref.lower()):
        return "invalid reference format: repository name must be lowercase"
    return "invalid reference format"


def duration(seconds: float) -> str | None:
    """A duration Go's time.Duration can hold."""
    if not math.isfinite(seconds) or seconds > MAX_DURATION:
        return f"duration {seconds:g}s out of range (Go durations end at {MAX_DURATION:.0f}s, about 292 years)"
    return None


def subnet(cidr: str) -> str | None:
    """A network's --subnet, as the daemon's IPAM parses it (net.ParseCIDR)."""
    try:
        ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return f"invalid CIDR address: {cidr}"
    return None if "/" in cidr else f"invalid CIDR address: {cidr}"
