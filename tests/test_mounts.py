"""`--mount`, `--mount-add` and `--mount-rm` as docker/cli 20.10 parses and merges them (opts/mount.go,
service/update.go updateMounts), the daemon's refusals (moby convert, swarmkit validateMounts) and the
mounts `docker service inspect` shows after moby's round trip through swarmkit's spec. Every message,
the JSON and the --pretty block below were seen on docker 20.10.24 (the local swarm, 2026-12-02), as were
the reorder at an unrelated update and the add-then-remove result."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from swarmsim.dockercli.parse import CommandError, apply_update, parse_command_line
from swarmsim.dockercli.render import service_inspect_json, service_inspect_pretty
from swarmsim.model import Service
from swarmsim.model.errors import invalid_spec
from swarmsim.model.service import Mount


def create(flags: str):
    return parse_command_line(f"docker service create --name web {flags} nginx").spec


def updated(spec, flags: str):
    return apply_update(spec, parse_command_line(f"docker service update {flags} web").changes)


def test_fields_aliases_flags_and_defaults():
    spec = create("--mount src=data,dst=/data --mount TYPE=Bind,source=/srv,destination=/srv,ro "
                  "--mount type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1777 "
                  "--mount type=volume,src=v,dst=/v,volume-nocopy,volume-driver=local,volume-opt=o=x,volume-label=a")
    data, srv, tmp, vol = spec.task.mounts
    assert data == Mount(type="volume", source="data", target="/data")  # volume by default, no options block
    assert srv == Mount(type="bind", source="/srv", target="/srv", read_only=True)
    assert tmp.tmpfs == (64 * 1024 * 1024, 0o1777)
    assert vol.volume == (True, (("a", ""),), "local", (("o", "x"),))


@pytest.mark.parametrize("value, message", [
    ("", "EOF"),
    ("type=volume", "target is required"),
    ("type=,dst=/a", "type is required"),
    ("dst=/a,rw", "invalid field 'rw' must be a key=value pair"),
    ("dst=/a,ro=maybe", "invalid value for ro: maybe"),
    ("dst=/a,volume-nocopy=2", "invalid value for volume-nocopy: 2"),
    ("type=tmpfs,dst=/a,tmpfs-mode=9", "invalid value for tmpfs-mode: 9"),
    ("type=tmpfs,dst=/a,tmpfs-size=lots", "invalid value for tmpfs-size: lots"),
    ("dst=/a,colour=red", "unexpected key 'colour' in 'colour=red'"),
    ("type=bind,src=/a,dst=/a,volume-driver=x", "cannot mix 'volume-*' options with mount type 'bind'"),
    ("src=a,dst=/a,bind-propagation=shared", "cannot mix 'bind-*' options with mount type 'volume'"),
    ("src=a,dst=/a,tmpfs-size=1m", "cannot mix 'tmpfs-*' options with mount type 'volume'"),
])
def test_the_clis_refusals_in_its_words(value, message):
    with pytest.raises(CommandError) as info:
        create(f"--mount {value!r}")
    assert f'invalid argument "{value}" for "--mount" flag: {message}' in str(info.value)


@pytest.mark.parametrize("flags, message", [
    ("--mount type=disk,dst=/a", 'invalid MountType: "disk"'),
    ("--mount type=bind,src=/a,dst=/a,bind-propagation=sideways", 'invalid MountPropagation: "sideways"'),
    ("--mount src=a,dst=/a --mount src=b,dst=/a", "ContainerSpec: duplicate mount point: /a"),
])
def test_the_daemons_refusals(flags, message):
    assert invalid_spec(create(flags)) == message


def test_update_adds_by_target_removes_and_sorts_by_source_then_target():
    spec = create("--mount src=z,dst=/z --mount src=a,dst=/b")
    assert [m.target for m in spec.task.mounts] == ["/z", "/b"]  # create keeps the order given
    # any update reorders them, as updateMounts runs every time: the tasks are then out of date
    assert [m.source for m in updated(spec, "--image nginx:2").task.mounts] == ["a", "z"]
    after = updated(spec, "--mount-add src=new,dst=/z,ro --mount-rm /b")
    assert after.task.mounts == (Mount(source="new", target="/z", read_only=True),)
    with pytest.raises(CommandError, match="duplicate mount target"):
        updated(spec, "--mount-add src=a,dst=/x --mount-add src=b,dst=/x")


targets = st.sampled_from(["/a", "/b", "/c", "/d"])
sources = st.sampled_from(["s1", "s2", "s3"])


@given(st.dictionaries(targets, sources, max_size=4), targets, sources)
def test_adding_then_removing_a_target_leaves_the_sorted_rest(mounts, target, source):
    flags = " ".join(f"--mount src={s},dst={t}" for t, s in mounts.items())
    spec = create(flags)
    after = updated(updated(spec, f"--mount-add src={source},dst={target}"), f"--mount-rm {target}")
    rest = sorted((s, t) for t, s in mounts.items() if t != target)
    assert [(m.source, m.target) for m in after.task.mounts] == rest


def test_inspect_shows_them_as_the_daemon_gives_them_back():
    spec = create("--mount src=v,dst=/v,volume-nocopy --mount type=bind,src=/s,dst=/s,bind-nonrecursive "
                  "--mount type=bind,src=/p,dst=/p,bind-propagation=RShared,consistency=cached "
                  "--mount type=tmpfs,dst=/t")
    service = Service(id="x" * 25, spec=spec)
    container = json.loads(service_inspect_json([service]))[0]["Spec"]["TaskTemplate"]["ContainerSpec"]
    assert list(container).index("Mounts") == list(container).index("Init") + 1
    assert container["Mounts"] == [
        {"Type": "volume", "Source": "v", "Target": "/v", "VolumeOptions": {"NoCopy": True, "DriverConfig": {}}},
        {"Type": "bind", "Source": "/s", "Target": "/s", "BindOptions": {"Propagation": "rprivate",
                                                                         "NonRecursive": True}},
        {"Type": "bind", "Source": "/p", "Target": "/p", "BindOptions": {"Propagation": "rshared"}},
        {"Type": "tmpfs", "Target": "/t"}]  # no tmpfs-* field: no options block
    pretty = service_inspect_pretty(service, 0.0)
    assert "\n Init:\t\tfalse\nMounts:\n Target:\t/v\n  Source:\tv\n  ReadOnly:\tfalse\n  Type:\t\tvolume\n" in pretty
    assert "\n Target:\t/t\n  Source:\t\n  ReadOnly:\tfalse\n  Type:\t\ttmpfs\nResources:" in pretty
