"""The client tags an image given without a tag or digest (model/reference.py), as docker 20.10.24 showed on a
fresh one-node swarm on 2026-12-02: `service create swarmsim/busybox` (resolved or not) stored, listed and ran
`swarmsim/busybox:latest`, `docker.io/swarmsim/busybox:1` was stored as `swarmsim/busybox:1`,
`localhost:5000/x` as `localhost:5000/x:latest`, and `service update --image busybox` as `busybox:latest`."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

import one_node
from swarmsim.model.reference import with_tag


@pytest.mark.parametrize("given_as, sent", [
    ("swarmsim/busybox", "swarmsim/busybox:latest"), ("docker.io/swarmsim/busybox:1", "swarmsim/busybox:1"),
    ("localhost:5000/x", "localhost:5000/x:latest"), ("busybox", "busybox:latest"),
    ("docker.io/library/alpine", "alpine:latest"), ("index.docker.io/library/nginx:1.25", "nginx:1.25"),
    ("library/alpine:3", "alpine:3"), ("myreg.io/library/x", "myreg.io/library/x:latest"),
    ("nginx@sha256:" + "a" * 64, "nginx@sha256:" + "a" * 64), ("localhost:5000/x:2", "localhost:5000/x:2"),
])
def test_the_reference_the_client_sends(given_as, sent):
    assert with_tag(given_as) == sent


_NAME = st.from_regex(r"(localhost:5000/|docker\.io/|myreg\.io/)?[a-z0-9]{1,5}(/[a-z0-9]{1,5})?(:[a-z0-9]{1,4})?",
                      fullmatch=True)


@given(_NAME)
def test_tagging_twice_changes_nothing(image):
    assert with_tag(with_tag(image)) == with_tag(image)
    assert ":" in with_tag(image).rsplit("/", 1)[-1]


def test_service_create_and_update_store_the_tagged_name():
    steps = ["docker service create -d --name b --no-resolve-image swarmsim/busybox sleep 100000",
             "docker service create -d --name d --no-resolve-image localhost:5000/x sleep 100000",
             "docker service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' b d",
             "docker service update -d --no-resolve-image --image busybox b",
             "docker service inspect --format '{{.Spec.TaskTemplate.ContainerSpec.Image}}' b"]
    outputs = one_node.simulated(steps)
    assert (outputs[2], outputs[4]) == ("swarmsim/busybox:latest\nlocalhost:5000/x:latest\n", "busybox:latest\n")
