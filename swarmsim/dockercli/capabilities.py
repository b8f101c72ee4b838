"""docker/cli 20.10's capabilities (opts/capabilities.go, service update.go updateCapabilities): names
normalised (CAP_ prefixed, upper case; ALL and RESET as they are), adding winning over dropping, ALL
standing for every capability, RESET clearing a list on update."""
from __future__ import annotations

from ..model.gostrings import trim_space

ALL, RESET = "ALL", "RESET"


def normalize(cap: str) -> str:
    """NormalizeCapability."""
    cap = trim_space(cap).upper()
    return cap if cap in (ALL, RESET) or cap.startswith("CAP_") else "CAP_" + cap


def _caps(names) -> set[str]:
    return {normalize(c) for c in names}


def _listed(caps: set[str]) -> tuple[str, ...]:
    """capsList: ALL alone when there, else sorted."""
    return (ALL,) if ALL in caps else tuple(sorted(caps))


def effective(add: list[str], drop: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """EffectiveCapAddCapDrop, for service create: (CapabilityAdd, CapabilityDrop)."""
    adds, drops = _caps(add), _caps(drop)
    adds = {ALL} if ALL in adds else adds
    drops = {ALL} if ALL in drops else drops
    return (tuple(sorted(adds - {RESET})), tuple(sorted(drops - adds - {RESET})))


def update(current_add: tuple[str, ...], current_drop: tuple[str, ...], add: list[str],
           drop: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """updateCapabilities, when --cap-add or --cap-drop is given: dropping one the service adds only takes it out
    of the adds, adding one it drops only takes it out of the drops, and an added one beats a dropped one."""
    cap_add, cap_drop = _caps(current_add), _caps(current_drop)
    to_add, to_drop = _caps(add), _caps(drop)
    if RESET in to_add:
        cap_add, to_add = set(), to_add - {RESET}
    if RESET in to_drop:
        cap_drop, to_drop = set(), to_drop - {RESET}
    for cap in to_drop - to_add:
        if cap in cap_add:
            cap_add.discard(cap)
        else:
            cap_drop.add(cap)
    for cap in to_add:
        if cap in cap_drop:
            cap_drop.discard(cap)
        else:
            cap_add.add(cap)
    return _listed(cap_add), _listed(cap_drop)
