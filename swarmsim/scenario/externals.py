"""The `external:` and `name:` rules of a compose file's networks, volumes, secrets and configs.

docker/cli's loader (LoadNetworks, LoadVolumes, loadFileObjectConfig) refuses an
`external: {name: X}` beside a `name:`, an external volume with a driver,
driver_opts or labels, and a secret with both `driver:` and `file:`; it warns
(logrus, on stderr, before anything is created) that `external.name` is
deprecated from version 3.5 on (3.4 for volumes). Checked per file, before the
files are merged, as docker does.
"""
from __future__ import annotations

from .compose import Path

#: the section, docker's word for one of its entries, and the version from which external.name is deprecated
_SECTIONS = (("networks", "network", "3.5"), ("volumes", "volume", "3.4"), ("secrets", "secret", "3.5"),
             ("configs", "config", "3.5"))


def _at_least(version: str, since: str) -> bool:
    return tuple(map(int, version.split("."))) >= tuple(map(int, since.split(".")))


def check(data: dict, version: str) -> tuple[list[tuple[Path, str]], list[str]]:
    """The errors (path, docker's message) and the warnings (docker's message) of one file's objects."""
    errors: list[tuple[Path, str]] = []
    warnings: list[str] = []
    for section, word, since in _SECTIONS:
        entries = data.get(section)
        for name, entry in (entries.items() if isinstance(entries, dict) else ()):
            if not isinstance(entry, dict):
                continue
            where = (section, name)
            external = entry.get("external")
            if section == "secrets" and entry.get("driver") and entry.get("file") and not external:
                errors.append((where + ("driver",), f"{word} {name}: {word}.driver and {word}.file conflict; "
                                                    f"only use {word}.driver"))
            if not external:
                continue
            if section == "volumes":
                clash = next((k for k in ("driver", "driver_opts", "labels") if entry.get(k)), None)
                if clash is not None:
                    errors.append((where + (clash,), f'conflicting parameters "external" and "{clash}" specified '
                                                     f'for volume "{name}"'))
                    continue
            if isinstance(external, dict) and external.get("name"):
                if entry.get("name"):
                    errors.append((where + ("name",), f"{word} {name}: {word}.external.name and {word}.name "
                                                      f"conflict; only use {word}.name"))
                elif _at_least(version, since):
                    warnings.append(f"{word} {name}: {word}.external.name is deprecated in favor of {word}.name")
    return errors, warnings
