"""What the client learns from the registry when it resolves an image: the platforms of its manifest.

docker/cli asks for it on `service create` (unless `--no-resolve-image`), on an update that changes
`--image`, and on `stack deploy --resolve-image always|changed`; the client library then puts the
manifest's platforms into the spec's placement, where the scheduler's platform filter reads them. An
image the registry does not have (`pullable: false`) resolves to nothing, and neither does one whose
platforms the scenario does not list.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from ..model import ServiceSpec, Workload
from ..model.reference import with_tag


def resolved(spec: ServiceSpec, images: Mapping[str, Workload], lookup: bool) -> ServiceSpec:
    """The spec as the client sends it: its image tagged (model/reference.py: `alpine` goes as `alpine:latest`);
    after a `lookup`, with the image's platforms; otherwise, or when the registry tells none, with the placement
    as it was (client service_create.go). `images`: the scenario's table by sent name (reference.by_sent_name)."""
    sent = with_tag(spec.task.image) if spec.task.image else spec.task.image  # a stack's build-only service: none
    if sent != spec.task.image:
        spec = replace(spec, task=replace(spec.task, image=sent))
    image = images.get(sent)
    if not lookup or image is None or not image.platforms or image.pullable is False:
        return spec
    placement = replace(spec.task.placement, platforms=image.platforms)
    return replace(spec, task=replace(spec.task, placement=placement))


def digest_warning(spec: ServiceSpec, images: Mapping[str, Workload], lookup: bool) -> str:
    """The warning the client library adds to the daemon's answer when a `lookup` found no manifest: an image
    the registry does not have, given by tag or by digest alike (client/service_create.go
    resolveContainerSpecImage, digestWarning). The CLI prints it on stderr, a blank line after it, before the
    service's ID."""
    image = spec.task.image
    if not lookup or not image or getattr(images.get(image), "pullable", None) is not False:
        return ""
    return (f"image {image} could not be accessed on a registry to record\nits digest. Each node will access "
            f"{image} independently,\npossibly leading to different nodes running different\nversions of the "
            f"image.\n\n")


def stack_lookup(mode: str, image: str, deployed_image: str | None) -> bool:
    """Whether `stack deploy --resolve-image MODE` queries the registry for a service (deploy_composefile.go)."""
    if deployed_image is None:
        return mode in ("always", "changed")
    return mode == "always" or (mode == "changed" and image != deployed_image)
