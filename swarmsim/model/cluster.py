"""The swarm's own settings (swarmkit's ClusterSpec and the init request's address pools and data path port)
that `docker swarm init` and `docker swarm update` set and `docker info` shows, and the daemon's checks of them.

The spec is what `docker info` shows; what the simulation runs on (the manager's task history limit, the
dispatcher's heartbeat in the timing model) follows it where swarmkit's managers do: a heartbeat period of 0
is kept in the spec but leaves the dispatcher's period as it was (dispatcher.go takes a positive one only).
"""
from __future__ import annotations

import base64
import hashlib
import ipaddress
from dataclasses import dataclass, replace

DEFAULT_POOL, DEFAULT_SUBNET_SIZE, DEFAULT_DATA_PATH_PORT = "10.0.0.0/8", 24, 4789
MIN_CERT_EXPIRY = 3600.0  # swarmkit ca.MinNodeCertExpiration
MAX_SUBNET_SIZE = 29      # moby validateDefaultAddrPool: 8 addresses, of which the load balancer's scheme uses 4
_INVALID = "rpc error: code = InvalidArgument desc = "


@dataclass(frozen=True, slots=True)
class ClusterSpec:
    task_history_limit: int = 5
    dispatcher_heartbeat: float = 5.0
    snapshot_interval: int = 10000
    keep_old_snapshots: int = 0
    node_cert_expiry: float = 90 * 24 * 3600.0
    external_cas: tuple[tuple[str, str], ...] = ()  # (protocol, url) in the order given
    autolock: bool = False
    unlock_key: str = ""  # while autolock is on
    default_addr_pools: tuple[str, ...] = (DEFAULT_POOL,)  # fixed at init
    subnet_size: int = DEFAULT_SUBNET_SIZE
    data_path_port: int = DEFAULT_DATA_PATH_PORT


class ClusterError(ValueError):
    """The daemon's refusal of a setting, in its words (without the client's "Error response from daemon")."""


def merged(spec: ClusterSpec, at_init: bool, *, task_history_limit: int | None = None,
           dispatcher_heartbeat: float | None = None, max_snapshots: int | None = None,
           snapshot_interval: int | None = None, cert_expiry: float | None = None,
           external_cas: tuple[tuple[str, str], ...] | None = None) -> ClusterSpec:
    """The settings given (None: not given) on top of `spec`, checked as controlapi's validateClusterSpec does.

    At init the daemon merges the request into the default spec (MergeSwarmSpecToGRPC), so a zero duration or
    interval keeps the default; an update sends the whole spec the CLI read back and changed, so a zero is
    kept (and shown) as zero."""
    def given(value, zero_is_unset: bool = True):
        return value is not None and not (at_init and zero_is_unset and not value)
    if cert_expiry and cert_expiry < MIN_CERT_EXPIRY:  # a zero is no expiry sent (nil), never refused
        raise ClusterError(f"{_INVALID}minimum certificate expiry time is: 1h0m0s")
    if given(dispatcher_heartbeat) and dispatcher_heartbeat < 0:
        raise ClusterError(f"{_INVALID}heartbeat time period cannot be a negative duration")
    changes = {"task_history_limit": task_history_limit, "dispatcher_heartbeat": dispatcher_heartbeat,
               "keep_old_snapshots": max_snapshots, "snapshot_interval": snapshot_interval,
               "node_cert_expiry": cert_expiry, "external_cas": external_cas}
    zero_ok = ("task_history_limit", "keep_old_snapshots", "external_cas")
    return replace(spec, **{k: v for k, v in changes.items() if given(v, k not in zero_ok)})


def unlock_key(seed: int, generation: int) -> str:
    """`SWMKEY-1-` and 32 bytes in unpadded base64 (swarmkit encryption.HumanReadableKey), from the seed and how
    many keys the swarm made before: a new one each time autolock is turned on or the key rotated."""
    key = hashlib.blake2b(f"{seed}:unlock.{generation}".encode(), digest_size=32).digest()
    return "SWMKEY-1-" + base64.b64encode(key).decode().rstrip("=")


def check_pools(pools: tuple[str, ...], size: int) -> None:
    """moby daemon/cluster validateDefaultAddrPool (no pool given: the mask length is not looked at)."""
    if not pools:
        return
    if size > MAX_SUBNET_SIZE:
        raise ClusterError(f"subnet size is out of range: {size}")
    for pool in pools:
        if size < ipaddress.ip_network(pool).prefixlen:
            raise ClusterError(f'invalid CIDR: "{pool}". Subnet size is too small for pool: {size}')


def check_data_path_port(port: int) -> None:
    """getDataPathPort: 0 is the default, else the IANA registered range."""
    if port and not 1024 <= port <= 49151:
        raise ClusterError(f"Datapath port number is not in valid range (1024-49151) : {port}")


def check_init(pools: tuple[str, ...], size: int, port: int) -> None:
    """What the daemon checks of an init request before it starts the swarm, in its order."""
    check_pools(pools, size or DEFAULT_SUBNET_SIZE)
    check_data_path_port(port)
