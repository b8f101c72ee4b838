"""A stack service's `volumes:` as docker/cli 20.10 reads and converts them: ParseVolume's cases from its own
tests (cli/compose/loader/volume_test.go), and convert.Volumes over the stack's named volumes. The Mounts of
every real file in tests/stacks/ are held to docker's in tests/test_stack_specs.py."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from swarmsim.model.service import Mount
from swarmsim.scenario import ScenarioError
from swarmsim.scenario.volumes import VolumeError, mount, short


@pytest.mark.parametrize("spec, fields", [
    ("/path", {"type": "volume", "target": "/path"}),
    ("/path/foo", {"type": "volume", "target": "/path/foo"}),
    ("C:\\path", {"type": "volume", "target": "C:\\path"}),
    ("Z:\\path\\foo", {"type": "volume", "target": "Z:\\path\\foo"}),
    (".", {"type": "volume", "target": "."}),
    ("/a", {"type": "volume", "target": "/a"}),
    *[(f"{p}:/target", {"type": "bind", "source": p, "target": "/target"})
      for p in ("./foo", "~/thing", "../other", "/foo", "/home/user")],
    *[(f"{p}:d:\\target", {"type": "bind", "source": p, "target": "d:\\target"})
      for p in ("./foo", "~/thing", "../other", "D:\\path", "/home/user")],
    ("/source:/target:slave", {"type": "bind", "source": "/source", "target": "/target",
                               "bind": {"propagation": "slave"}}),
    ("C:\\source\\foo:D:\\target:ro,rprivate", {"type": "bind", "source": "C:\\source\\foo", "target": "D:\\target",
                                                "read_only": True, "bind": {"propagation": "rprivate"}}),
    ("name:/target:bogus", {"type": "volume", "source": "name", "target": "/target"}),
    ("name:/target:nocopy", {"type": "volume", "source": "name", "target": "/target", "volume": {"nocopy": True}}),
    ("./foo:/target:ro", {"type": "bind", "source": "./foo", "target": "/target", "read_only": True}),
    ("/home/user:/target:rw", {"type": "bind", "source": "/home/user", "target": "/target", "read_only": False}),
])
def test_parse_volume_as_dockers_own_tests_expect(spec, fields):
    assert short(spec) == fields


@pytest.mark.parametrize("spec, words", [
    ("/foo:/foo:ro:foo", "invalid spec: /foo:/foo:ro:foo: too many colons"),
    (":foo", "empty section between colons"), ("/foo::ro", "empty section between colons"),
    ("", "invalid empty volume spec"),
])
def test_parse_volume_refusals_as_dockers_own_tests_expect(spec, words):
    with pytest.raises(VolumeError, match=words):
        short(spec)


@given(st.text(alphabet="ab/.:~C\\,ro", max_size=30))
def test_any_short_syntax_is_read_or_refused_in_docker_s_words(spec):
    try:
        fields = short(spec)
    except VolumeError as err:
        assert str(err) == "invalid empty volume spec" or str(err).startswith(f"invalid spec: {spec}: ")
    else:
        assert fields["type"] in ("bind", "volume") and fields["target"]
        assert fields["type"] == "volume" or fields["source"][0] in "./~\\" or fields["source"][1] == ":"


STACK_VOLUMES = {"data": None, "db": {"driver": "local", "driver_opts": {"size": 1}, "labels": ["tier=db"]},
                 "named": {"name": "shared-name"}, "outside": {"external": True}}


@pytest.mark.parametrize("volume, expected", [
    ({"type": "volume", "target": "/anon"}, Mount("volume", "", "/anon")),
    ({"type": "volume", "source": "data", "target": "/d"},
     Mount("volume", "st_data", "/d", volume=(False, (("com.docker.stack.namespace", "st"),), None, ()))),
    ({"type": "volume", "source": "db", "target": "/d", "volume": {"nocopy": True}, "read_only": True},
     Mount("volume", "st_db", "/d", True, volume=(True, (("com.docker.stack.namespace", "st"), ("tier", "db")),
                                                  "local", (("size", "1"),)))),
    ({"type": "volume", "source": "named", "target": "/d"},
     Mount("volume", "shared-name", "/d", volume=(False, (("com.docker.stack.namespace", "st"),), None, ()))),
    ({"type": "volume", "source": "outside", "target": "/d"}, Mount("volume", "outside", "/d",
                                                                   volume=(False, (), None, ()))),
    ({"type": "bind", "source": "./conf", "target": "/c"}, Mount("bind", "/srv/app/conf", "/c")),
    ({"type": "bind", "source": "../up", "target": "/c"}, Mount("bind", "/srv/up", "/c")),
    ({"type": "bind", "source": "~/x", "target": "/c"}, Mount("bind", "/root/x", "/c")),
    ({"type": "bind", "source": "/abs", "target": "/c", "bind": {"propagation": "shared"}},
     Mount("bind", "/abs", "/c", bind=("shared", False))),
    ({"type": "tmpfs", "target": "/t", "tmpfs": {"size": 1024}}, Mount("tmpfs", "", "/t", tmpfs=(1024, 0))),
])
def test_convert_volumes(volume, expected):
    assert mount(volume, STACK_VOLUMES, "st", "/srv/app", "/root") == expected


@pytest.mark.parametrize("volume, words", [
    ({"type": "volume", "target": "/t", "bind": {"propagation": "shared"}}, "bind options are incompatible with type volume"),
    ({"type": "bind", "target": "/t"}, "invalid bind source, source cannot be empty"),
    ({"type": "tmpfs", "source": "x", "target": "/t"}, "invalid tmpfs source, source must be empty"),
    ({"type": "bind", "source": "/x", "target": "/t", "volume": {"nocopy": True}},
     "volume options are incompatible with type bind"),
    ({"type": "nfs", "target": "/t"}, "volume type must be volume, bind, tmpfs or npipe"),
    ({"type": "volume", "source": "nosuch", "target": "/t"}, 'undefined volume "nosuch"'),
    ({"type": "volume", "source": "nosuch", "target": "/t", "bind": {}}, "bind options are incompatible"),  # first
])
def test_convert_volumes_refusals(volume, words):
    with pytest.raises(VolumeError, match=words):
        mount(volume, STACK_VOLUMES, "st", "/srv/app", None)


def test_a_refused_volume_is_reported_at_its_line(tmp_path):
    from swarmsim import loads_scenario
    (tmp_path / "st.yml").write_text('version: "3.8"\nservices:\n  web:\n    image: nginx\n    volumes:\n'
                                     '      - /a:/b:ro:x\n      - {type: bind, target: /c}\n')
    with pytest.raises(ScenarioError) as err:
        loads_scenario(f"version: 1\ncluster: {{managers: 1}}\nsteps:\n  - run: docker stack deploy -c "
                       f"{tmp_path / 'st.yml'} st\n")
    said = str(err.value)
    assert "st.yml:6: services.web.volumes[0]: invalid spec: /a:/b:ro:x: too many colons" in said
    assert "st.yml:7: services.web.volumes[1]: service web: invalid bind source, source cannot be empty" in said
