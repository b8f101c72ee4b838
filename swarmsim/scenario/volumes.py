"""A stack service's `volumes:` as the Mounts docker/cli sends (loader ParseVolume, resolveVolumePaths and
convert.Volumes of docker/cli 20.10).

Kept by hand because the CLI's exact rules decide what `service inspect` shows and which files are refused:
the short syntax `[SOURCE:]TARGET[:MODE]` is a bind when SOURCE starts with `.`, `/` or `~` (a relative one
joined to the stack file's folder, `~` to HOME), a named volume otherwise, an anonymous volume without it;
a named volume's source is the stack's name for it (its `name:`, or its key for an external one) with the
stack's label and its driver; an anonymous one has no options at all.
"""
from __future__ import annotations

import posixpath
from typing import Mapping

from ..model.errors import PROPAGATIONS
from ..model.service import Mount
from ..model.stack import NAMESPACE_LABEL

class VolumeError(ValueError):
    """A volume the CLI refuses; str() is its words."""


def short(spec: str) -> dict:
    """ParseVolume: the short syntax as the long one's fields, read field by field as the CLI reads it (a colon
    after a lone letter is a Windows drive's, not a separator)."""
    if not spec:
        raise VolumeError("invalid empty volume spec")
    if len(spec) <= 2:
        return {"type": "volume", "target": spec}
    volume: dict = {}
    buffer = ""
    for char in spec + "\0":
        if char == ":" and len(buffer) == 1 and buffer.isalpha():
            buffer += char
            continue
        if char not in ":\0":
            buffer += char
            continue
        if not buffer:
            raise VolumeError(f"invalid spec: {spec}: empty section between colons")
        if "source" not in volume and char == "\0":
            volume["target"] = buffer
        elif "source" not in volume:
            volume["source"] = buffer
        elif "target" not in volume:
            volume["target"] = buffer
        elif char == ":":
            raise VolumeError(f"invalid spec: {spec}: too many colons")
        else:
            _mode(buffer, volume)
        buffer = ""
    source = volume.get("source", "")
    volume["type"] = "bind" if source and _is_file_path(source) else "volume"
    return volume


def _mode(text: str, volume: dict) -> None:
    for option in text.split(","):
        if option in ("ro", "rw"):
            volume["read_only"] = option == "ro"
        elif option == "nocopy":
            volume["volume"] = {"nocopy": True}
        elif option in PROPAGATIONS:
            volume["bind"] = {"propagation": option}
        # any other option (z, Z, a consistency) is ignored, as the CLI ignores it


def _is_file_path(source: str) -> bool:
    if source[0] in "./~":
        return True
    if len(source) == 1:
        return False
    return source.startswith("\\\\") or (source[0].isalpha() and source[1] == ":")


def mount(volume: Mapping, stack_volumes: Mapping[str, object], namespace: str, folder: str,
          home: str | None) -> Mount:
    """convertVolumeToMount of one item (its long syntax, or `short`'s fields)."""
    kind = volume.get("type") or "volume"
    source, target = volume.get("source") or "", volume.get("target") or ""
    read_only = bool(volume.get("read_only"))
    bind, vol, tmpfs = volume.get("bind"), volume.get("volume"), volume.get("tmpfs")
    if kind not in ("volume", "bind", "tmpfs", "npipe"):
        raise VolumeError("volume type must be volume, bind, tmpfs or npipe")
    incompatible = {"volume": (("tmpfs", tmpfs), ("bind", bind)), "bind": (("volume", vol), ("tmpfs", tmpfs)),
                    "tmpfs": (("bind", bind), ("volume", vol)), "npipe": (("volume", vol), ("tmpfs", tmpfs))}
    if kind in ("bind", "npipe") and not source:
        raise VolumeError(f"invalid {kind} source, source cannot be empty")
    if kind == "tmpfs" and source:
        raise VolumeError("invalid tmpfs source, source must be empty")
    for name, given in incompatible[kind]:
        if given is not None:
            raise VolumeError(f"{name} options are incompatible with type {kind}")
    if kind == "volume":
        if not source:
            return Mount("volume", "", target, read_only)
        if source not in stack_volumes:
            raise VolumeError(f'undefined volume "{source}"')
        declared = stack_volumes[source] if isinstance(stack_volumes[source], Mapping) else {}
        external = declared.get("external")
        name = declared.get("name") or (external.get("name") if isinstance(external, Mapping) else None)
        nocopy = bool((vol or {}).get("nocopy"))
        if external:
            return Mount("volume", name or source, target, read_only, volume=(nocopy, (), None, ()))
        labels = {**_pairs(declared.get("labels")), NAMESPACE_LABEL: namespace}
        driver, options = declared.get("driver"), declared.get("driver_opts")
        config = None if driver is None and options is None else (driver or "")
        return Mount("volume", name or f"{namespace}_{source}", target, read_only,
                     volume=(nocopy, tuple(sorted(labels.items())), config,
                             tuple(sorted((str(k), _text(v)) for k, v in (options or {}).items()))))
    if kind == "bind":
        if source.startswith("~") and home is not None:
            source = home + source[1:]
        if not (source.startswith("/") or (len(source) > 1 and source[1] == ":") or source.startswith("\\\\")):
            source = posixpath.normpath(posixpath.join(folder, source))
    propagation = (bind or {}).get("propagation") if kind != "tmpfs" else None
    size = (tmpfs or {}).get("size")
    return Mount(kind, source, target, read_only, bind=None if bind is None else (propagation or "", False),
                 tmpfs=None if tmpfs is None else (size if type(size) is int else 0, 0))


def _pairs(labels: object) -> dict[str, str]:
    if isinstance(labels, Mapping):
        return {str(k): _text(v) for k, v in labels.items()}
    if isinstance(labels, list):
        return dict((str(item).partition("=")[0], str(item).partition("=")[2]) for item in labels)
    return {}


def _text(value: object) -> str:
    """A YAML scalar as the loader's string (a number or a boolean as written)."""
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else str(value)
