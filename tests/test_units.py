"""Sizes and CPU counts as docker reads and prints them: go-units' own test tables (size_test.go,
TestRAMInBytes, TestFromHumanSize, TestBytesSize), docker/cli opts.ParseCPUs, and what follows for
placement and `inspect --pretty`."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from swarmsim.dockercli import render
from swarmsim.dockercli.parse import parse_command_line
from swarmsim.dockercli.units import format_bytes, from_human_size, parse_cpus, ram_in_bytes
from swarmsim.model import Resources, Service
from swarmsim.scenario import ScenarioError, loads_scenario
from swarmsim.model.gofmt import go_float
from swarmsim.testing.builders import final_tasks, run_yaml, scenario

KiB, MiB, GiB, TiB, PiB = (1024 ** n for n in range(1, 6))
KB, MB, GB, TB, PB = (1000 ** n for n in range(1, 6))


@pytest.mark.parametrize("text, expected", [
    ("32", 32), ("32b", 32), ("32B", 32), ("32k", 32 * KiB), ("32K", 32 * KiB), ("32kb", 32 * KiB),
    ("32Kb", 32 * KiB), ("32Kib", 32 * KiB), ("32KIB", 32 * KiB), ("32Mb", 32 * MiB), ("32Gb", 32 * GiB),
    ("32Tb", 32 * TiB), ("32Pb", 32 * PiB), ("32PB", 32 * PiB), ("32P", 32 * PiB), ("32.3", 32),
    ("32.3 mb", int(32.3 * MiB)), ("0.3MB", int(0.3 * MiB)),
    ("1050MB", 1050 * MiB), ("2GB", 2 * GiB),
])
def test_ram_in_bytes(text, expected):
    assert ram_in_bytes(text) == expected


@pytest.mark.parametrize("text", ["", "hello", "-32", " 32 ", "32m b", "32bm"])
def test_ram_in_bytes_errors(text):
    with pytest.raises(ValueError):
        ram_in_bytes(text)


@pytest.mark.parametrize("text, expected", [
    ("0", 0), ("0b", 0), ("0B", 0), ("0 B", 0), ("32", 32), ("32b", 32), ("32B", 32), ("32k", 32 * KB),
    ("32K", 32 * KB), ("32kb", 32 * KB), ("32Kb", 32 * KB), ("32Mb", 32 * MB), ("32Gb", 32 * GB),
    ("32Tb", 32 * TB), ("32Pb", 32 * PB), ("32.5kB", 32500), ("32.5 kB", 32500), ("32.5 B", 32),
    ("0.3 K", 300), (".3kB", 300), ("0.", 0), ("0. ", 0), ("0.b", 0), ("0.B", 0), ("-0", 0), ("-0b", 0),
    ("-0B", 0), ("-0 b", 0), ("-0 B", 0), ("32.", 32), ("32.b", 32), ("32.B", 32), ("32. b", 32),
    ("32. B", 32), ("0 ", 0),
])
def test_from_human_size(text, expected):
    assert from_human_size(text) == expected


@pytest.mark.parametrize("text", [
    " 0", " 0b", " 0B", " 0 B", "0b ", "0B ", "0 B ", "", "hello", ".", ". ", " ", "  ", " .", " . ", "-32",
    "-32b", "-32B", "-32 b", "-32 B", "32b.", "32B.", "32 b.", "32 B.", "32 bb", "32 BB", "32 b b", "32 B B",
    "32  b", "32  B", " 32 ", "32m b", "32bm",
])
def test_from_human_size_errors(text):
    with pytest.raises(ValueError):
        from_human_size(text)


@pytest.mark.parametrize("text, message", [
    ("1XB", "invalid suffix: 'xb'"), ("1kilo", "invalid suffix: 'kilo'"), ("hello", "invalid size: 'hello'"),
    ("-32", "invalid size: '-32'"), ("1.2.3", 'strconv.ParseFloat: parsing "1.2.3": invalid syntax'),
    ("99999999999999999999999GB", "invalid size: '99999999999999999999999GB'"),
    ("1e400", 'strconv.ParseFloat: parsing "1e400": value out of range'),
])
def test_size_errors_are_go_units_words(text, message):
    with pytest.raises(ValueError, match=f"^{message}$".replace(".", r"\.")):
        ram_in_bytes(text)


@pytest.mark.parametrize("n, expected", [
    (1024, "1KiB"), (1024 * 1024, "1MiB"), (1048576, "1MiB"), (2 * MiB, "2MiB"), (3.42 * GiB, "3.42GiB"),
    (5.372 * TiB, "5.372TiB"), (2.22 * PiB, "2.22PiB"), (KiB * KiB * KiB * KiB * KiB * PiB, "1.049e+06YiB"),
    (1050 * MiB, "1.025GiB"), (0, "0B"), (1023, "1023B"),
])
def test_bytes_size(n, expected):
    assert format_bytes(n) == expected


@given(st.integers(min_value=0, max_value=2 ** 60 - 2 ** 48))  # RAMInBytes stops at P: no EiB
def test_ram_in_bytes_reads_what_bytes_size_prints_to_four_digits(n):
    back = ram_in_bytes(format_bytes(n))
    assert abs(back - n) <= n * 5e-4 + 1  # four significant digits, then truncated to whole bytes


@pytest.mark.parametrize("text, nano", [
    ("0.5", 500_000_000), ("2", 2_000_000_000), ("1/4", 250_000_000), ("1e-3", 1_000_000), (".5", 500_000_000),
    ("5.", 5_000_000_000), ("+1", 1_000_000_000), ("-1", -1_000_000_000), ("0.000000001", 1),
    ("0.3", 300_000_000), (0.1, 100_000_000), (2, 2_000_000_000),
])
def test_parse_cpus_is_exact(text, nano):
    assert parse_cpus(text) == nano


@pytest.mark.parametrize("text, message", [
    ("0.0000000001", "value is too precise"), ("1/3", "value is too precise"),
    ("lots", "failed to parse lots as a rational number"), (" 1", "failed to parse  1 as a rational number"),
    ("1/0", "failed to parse 1/0 as a rational number"), ("1e400", r"1e400 is out of range \(nano CPUs are an int64\)"),
])
def test_parse_cpus_errors(text, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        parse_cpus(text)


@pytest.mark.parametrize("x, expected", [
    (1e6, "1e+06"), (123456.0, "123456"), (1234567.0, "1.234567e+06"), (0.25, "0.25"), (2.0, "2"),
    (1e-6, "1e-06"), (0.0001, "0.0001"), (1e21, "1e+21"), (-1.0, "-1"), (0.0, "0"),
])
def test_go_float_prints_as_fmt_does(x, expected):  # each checked against go1.19 fmt.Println
    assert go_float(x) == expected


def test_1050MB_reservations_are_mebibytes_so_one_fits_a_2GiB_node():
    trace = run_yaml(scenario("run: docker service create -d --name big --replicas 2 --reserve-memory 1050MB nginx",
                              "wait: 5s", cluster="{managers: 1, workers: 0, memory: 2GiB}"))
    states = sorted(e["state"] for e in final_tasks(trace, "big"))
    assert states == ["pending", "running"]


def test_inspect_pretty_prints_the_resources_as_docker_does():
    flags = parse_command_line("docker service create --name big --reserve-memory 1050MB --reserve-cpu 0.25 "
                               "--limit-cpu 1.5 --limit-memory 2g nginx")
    printed = render.service_inspect_pretty(Service("svcbig0000000000000000000", flags.spec), now=0)
    assert ("Resources:\n Reservations:\n  CPU:\t\t0.25\n  Memory:\t1.025GiB\n"
            " Limits:\n  CPU:\t\t1.5\n  Memory:\t2GiB\n") in printed


@pytest.mark.parametrize("flag, message", [
    ("--reserve-cpu 0.0001", "invalid cpu value 0.0001: Must be at least 0.001"),
    ("--reserve-cpu=-1", "invalid cpu value -1: Must be at least 0.001"),
    ("--limit-memory 1MiB", "invalid memory value 1048576: Must be at least 4MiB"),
])
def test_resources_below_swarmkits_minimum_are_refused_on_load_in_the_daemons_words(flag, message):
    with pytest.raises(ScenarioError, match=message):
        loads_scenario(scenario(f"run: docker service create -d --name w {flag} nginx", "wait: 1s"))


def test_the_simulated_daemon_refuses_them_too_when_a_scenario_is_built_in_python():
    from dataclasses import replace as change
    from swarmsim.backend import SimBackend, run_scenario
    base = loads_scenario(scenario("run: docker service create -d --name w nginx", "wait: 1s"))
    run = base.steps[0]
    spec = change(run.parsed.spec, task=change(run.parsed.spec.task, reservations=Resources(nano_cpus=100_000)))
    trace = run_scenario(change(base, steps=(change(run, parsed=change(run.parsed, spec=spec)),) + base.steps[1:]),
                         SimBackend())
    step = next(e for e in trace.events if e["kind"] == "step")
    assert (step["ok"], step["output"]) == (False, "Error response from daemon: rpc error: code = InvalidArgument "
                                                   "desc = invalid cpu value 0.0001: Must be at least 0.001")
