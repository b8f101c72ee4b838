"""Image references as the docker client writes them (distribution/reference, client service_create.go).

The client library tags an image given without a tag or digest before it sends a service's spec
(imageWithTagString: `alpine` is sent as `alpine:latest`, `docker.io/library/alpine:3` as `alpine:3`), on
`service create`, `service update` and `stack deploy` alike, so that is what the swarm stores, lists and runs.
"""
from __future__ import annotations

from typing import Mapping, TypeVar

V = TypeVar("V")


def familiar_repo(repo: str) -> str:
    """reference.FamiliarName: Docker Hub's domain and "library/" dropped, other registries kept."""
    first, _, rest = repo.partition("/")
    if rest and first in ("docker.io", "index.docker.io"):
        repo = rest
    elif rest and ("." in first or ":" in first or first == "localhost"):
        return repo
    return repo.removeprefix("library/") if repo.count("/") == 1 else repo


def with_tag(image: str) -> str:
    """imageWithTagString: `:latest` on a reference with neither a tag nor a digest, in its familiar form."""
    name, at, digest = image.partition("@")
    repo, colon, tag = name.rpartition(":")
    if not colon or "/" in tag:  # no tag: the last ':' (if any) is a registry's port
        repo, tag = name, "" if at else "latest"
    return familiar_repo(repo) + (f":{tag}" if tag else "") + (f"@{digest}" if at else "")


def by_sent_name(images: Mapping[str, V]) -> dict[str, V]:
    """The scenario's image table, each image also under the name the client sends for it."""
    table = dict(images)
    for name, value in images.items():
        table.setdefault(with_tag(name), value)
    return table
