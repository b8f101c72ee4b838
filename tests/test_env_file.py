"""`docker service create --env-file` as docker/cli 20.10 reads it (opts.ParseEnvFile, makeEnv), the files
relative to the scenario. Every file below and what docker made of it (the service's Env, or the message)
were seen on docker 20.10.24 (the local swarm, 2026-12-02)."""
from __future__ import annotations

import json

import pytest

from swarmsim import loads_scenario
from swarmsim.dockercli.envfile import EnvFileError, parse_env_file
from swarmsim.scenario.loader import ScenarioError

ENVIRONMENT = {"C": "SOME=val", "HOME": "/root"}.get

GOOD = b"\xef\xbb\xbfA=1\n  # comment\n\n\tB= x \r\nC\nHOME\nNOPE_NOT_SET\n  D=with spaces  \nE==e\nF\x0b\r\n#G=1\n"


def test_bom_comments_blanks_crlf_and_names_from_the_environment():
    # docker then put `-e A=2 -e E=z` after them: ["B= x ","C=SOME=val","HOME=/root","D=with spaces  ","A=2","E=z"]
    assert parse_env_file(GOOD, "good.env", ENVIRONMENT) == [
        "A=1", "B= x ", "C=SOME=val", "HOME=/root", "D=with spaces  ", "E==e"]  # F\v: no such variable


def test_leading_space_is_gos_unicode_space():
    data = "A=1\n\u00a0X=nbsp\n\u2003Y=emsp\n\x1cZ=fs\n".encode()
    assert parse_env_file(data, "space.env", ENVIRONMENT) == ["A=1", "X=nbsp", "Y=emsp", "\x1cZ=fs"]


def test_a_line_must_fit_the_scanners_64k_buffer():
    assert len(parse_env_file(b"A=" + b"x" * 65533 + b"\nB=1\n", "long.env", ENVIRONMENT)) == 2
    with pytest.raises(EnvFileError, match="^bufio.Scanner: token too long$"):
        parse_env_file(b"A=" + b"x" * 65534 + b"\n", "long2.env", ENVIRONMENT)


@pytest.mark.parametrize("data, message", [
    (b"A=1\nB C=2\n", "poorly formatted environment: variable 'B C' contains whitespaces"),
    (b"\tB = x \r\n", "poorly formatted environment: variable 'B ' contains whitespaces"),
    (b"F\t\r\n", "poorly formatted environment: variable 'F\t' contains whitespaces"),
    (b"A=1\n=2\n", "poorly formatted environment: no variable name on line '=2'"),
    (b"A=1\nB=\xff\n", "env file x.env contains invalid utf8 bytes at line 2: [66 61 255]"),
])
def test_dockers_refusals(data, message):
    with pytest.raises(EnvFileError) as info:
        parse_env_file(data, "x.env", ENVIRONMENT)
    assert str(info.value) == message


def load(tmp_path, step: str):
    return loads_scenario(f"version: 1\ncluster: {{managers: 1}}\nenv: {{C: from-scenario}}\nsteps:\n"
                          f"  - run: {json.dumps(step)}\n", str(tmp_path / "s.yaml"))


def test_files_relative_to_the_scenario_in_flag_order_then_the_env_flags(tmp_path):
    (tmp_path / "a1.env").write_text("A=first\nC\n")
    (tmp_path / "a2.env").write_text("A=second\nB=b\n")
    scenario = load(tmp_path, "docker service create --name w -e B=flag --env-file a2.env --env-file a1.env nginx")
    assert scenario.steps[0].parsed.spec.task.env == ("A=first", "C=from-scenario", "B=flag")


def test_a_bad_file_fails_the_step_with_dockers_words(tmp_path):
    with pytest.raises(ScenarioError, match=r"s.yaml:5: steps\[0\].run: open missing.env: no such file or directory"):
        load(tmp_path, "docker service create --name w --env-file missing.env nginx")
    (tmp_path / "ws.env").write_bytes(b"A=1\nB C=2\n")
    with pytest.raises(ScenarioError, match="variable 'B C' contains whitespaces"):
        load(tmp_path, "docker service create --name w --env-file ws.env nginx")
    with pytest.raises(ScenarioError, match="unknown flag: --env-file"):  # create only, as in docker
        load(tmp_path, "docker service update --env-file ws.env w")
