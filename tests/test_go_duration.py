"""Go's time.ParseDuration, as docker 20.10 (built with Go 1.19) reads every duration: compose durations,
`--update-delay` and the other duration flags.

Three kinds of evidence: Go's own test table (time/time_test.go, parseDurationTests and
parseDurationErrorTests), answers recorded from Go 1.19's ParseDuration itself
(fixtures/go_parse_duration.json), and a property test against a reference of the rule written
another way (regular expressions and exact integers).
"""
from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from swarmsim import SimBackend, loads_scenario, run_scenario
from swarmsim.dockercli.parse import CommandError, parse_command_line
from swarmsim.dockercli.units import go_duration, go_quote
from swarmsim.scenario import ScenarioError

NS, US, MS, S, M, H = 1, 1_000, 1_000_000, 1_000_000_000, 60_000_000_000, 3_600_000_000_000

#: time_test.go parseDurationTests (Go 1.19): input, nanoseconds
GO_PARSE_DURATION_TESTS = [
    ("0", 0), ("5s", 5 * S), ("30s", 30 * S), ("1478s", 1478 * S),
    ("-5s", -5 * S), ("+5s", 5 * S), ("-0", 0), ("+0", 0),
    ("5.0s", 5 * S), ("5.6s", 5 * S + 600 * MS), ("5.s", 5 * S), (".5s", 500 * MS), ("1.0s", 1 * S),
    ("1.00s", 1 * S), ("1.004s", 1 * S + 4 * MS), ("1.0040s", 1 * S + 4 * MS), ("100.00100s", 100 * S + 1 * MS),
    ("10ns", 10 * NS), ("11us", 11 * US), ("12\u00b5s", 12 * US), ("12\u03bcs", 12 * US), ("13ms", 13 * MS),
    ("14s", 14 * S), ("15m", 15 * M), ("16h", 16 * H),
    ("3h30m", 3 * H + 30 * M), ("10.5s4m", 4 * M + 10 * S + 500 * MS), ("-2m3.4s", -(2 * M + 3 * S + 400 * MS)),
    ("1h2m3s4ms5us6ns", 1 * H + 2 * M + 3 * S + 4 * MS + 5 * US + 6 * NS), ("39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * MS),
    ("52763797000ns", 52763797000 * NS), ("0.3333333333333333333h", 20 * M), ("9007199254740993ns", (1 << 53) + 1),
    ("9223372036854775807ns", (1 << 63) - 1), ("9223372036854775.807us", (1 << 63) - 1),
    ("9223372036s854ms775us807ns", (1 << 63) - 1), ("-9223372036854775808ns", -1 << 63),
    ("-9223372036854775.808us", -1 << 63), ("-9223372036s854ms775us808ns", -1 << 63),
    ("-2562047h47m16.854775808s", -1 << 63), ("0.100000000000000000000h", 6 * M),
    ("0.830103483285477580700h", 49 * M + 48 * S + 372539827 * NS),
]

#: time_test.go parseDurationErrorTests (Go 1.19): input, the quoted text its error contains (the two with
#: bytes that are not UTF-8 cannot reach the parser: a file is read as UTF-8 first)
GO_PARSE_DURATION_ERROR_TESTS = [
    ("", '""'), ("3", '"3"'), ("-", '"-"'), ("s", '"s"'), (".", '"."'), ("-.", '"-."'), (".s", '".s"'),
    ("+.s", '"+.s"'), ("1d", '"1d"'), ("\ufffd", r'"\xef\xbf\xbd"'),
    ("\ufffd hello \ufffd world", r'"\xef\xbf\xbd hello \xef\xbf\xbd world"'),
    ("9223372036854775810ns", '"9223372036854775810ns"'), ("9223372036854775808ns", '"9223372036854775808ns"'),
    ("-9223372036854775809ns", '"-9223372036854775809ns"'), ("9223372036854776us", '"9223372036854776us"'),
    ("3000000h", '"3000000h"'), ("9223372036854775.808us", '"9223372036854775.808us"'),
    ("9223372036854ms775us808ns", '"9223372036854ms775us808ns"'),
]


@pytest.mark.parametrize("text, nanos", GO_PARSE_DURATION_TESTS)
def test_gos_own_parse_duration_cases(text, nanos):
    assert go_duration(text) == nanos


@pytest.mark.parametrize("text, quoted", GO_PARSE_DURATION_ERROR_TESTS)
def test_gos_own_parse_duration_error_cases(text, quoted):
    with pytest.raises(ValueError) as err:
        go_duration(text)
    assert quoted in str(err.value) and str(err.value).startswith("time: ")


RECORDED = json.loads((Path(__file__).parent / "fixtures" / "go_parse_duration.json").read_text())


@pytest.mark.parametrize("text, answer", RECORDED["cases"], ids=[repr(c[0]) for c in RECORDED["cases"]])
def test_answers_recorded_from_go_itself(text, answer):
    """Each answer is what Go 1.19's time.ParseDuration returned: nanoseconds or its error text."""
    try:
        got = go_duration(text)
    except ValueError as err:
        got = str(err)
    assert got == answer


# -- the rule, written another way ---------------------------------------------------------------------------------

UNITS = {"ns": NS, "us": US, "\u00b5s": US, "\u03bcs": US, "ms": MS, "s": S, "m": M, "h": H}
_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)")


def reference(text: str) -> int | str:
    """`[-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+` read part by part with exact arithmetic: nanoseconds, or Go's words.
    Exact only where Go's float64 step is (a fraction no finer than a nanosecond)."""
    quoted = go_quote(text)
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return 0
    total, rest = Fraction(0), body
    if not rest:
        return f"time: invalid duration {quoted}"
    while rest:
        if rest[0] not in "0123456789.":
            return f"time: invalid duration {quoted}"
        whole, frac, unit = _PART.match(rest).groups()
        rest = rest[_PART.match(rest).end():]
        if not whole and not frac or int(whole or 0) > 2**63:
            return f"time: invalid duration {quoted}"
        if not unit:
            return f"time: missing unit in duration {quoted}"
        if unit not in UNITS:
            return f"time: unknown unit {go_quote(unit)} in duration {quoted}"
        part = (int(whole or 0) + Fraction(int(frac or 0), 10 ** len(frac or ""))) * UNITS[unit]
        if part > 2**63:
            return f"time: invalid duration {quoted}"
        total = (total + part) % 2**64  # Go sums in a uint64: two parts of 2**63 wrap to 0
        if total > 2**63:
            return f"time: invalid duration {quoted}"
    if text[:1] == "-":
        return -int(total)
    return int(total) if total < 2**63 else f"time: invalid duration {quoted}"


_DIGITS = st.text("0123456789", max_size=21)
_EXACT_PLACES = {"ns": 0, "us": 3, "\u00b5s": 3, "\u03bcs": 3, "ms": 6, "s": 9, "m": 9, "h": 9}


@st.composite
def durations(draw) -> str:
    """Texts near the grammar: signs, empty and long digit runs, fractions no finer than a nanosecond, units
    good and bad, stray characters."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        unit = draw(st.sampled_from(sorted(UNITS) + ["", "d", "x", "sm", "S", "\u00b5", " "]))
        whole = draw(_DIGITS)
        places = draw(st.integers(0, _EXACT_PLACES.get(unit, 9)))
        frac = draw(st.one_of(st.none(), st.text("0123456789", min_size=0, max_size=places)))
        parts.append(whole + ("" if frac is None else "." + frac) + unit)
    return draw(st.sampled_from(["", "", "+", "-"])) + "".join(parts)


@settings(max_examples=3000, deadline=None)
@given(durations())
def test_parse_duration_equals_the_rule(text):
    try:
        got = go_duration(text)
    except ValueError as err:
        got = str(err)
    assert got == reference(text)


@settings(max_examples=500, deadline=None)
@given(st.integers(-2**63, 2**63 - 1))
def test_every_int64_of_nanoseconds_reads_back(nanos):
    assert go_duration(f"{nanos}ns") == nanos
    seconds, rest = divmod(abs(nanos), S)
    assert go_duration(f"{'-' if nanos < 0 else ''}{seconds}.{rest:09d}s") == nanos


# -- where docker parses one: the CLI's flags ------------------------------------------------------------------------

def _create(flag: str):
    return parse_command_line(f"docker service create --name c {flag} busybox sleep 3600").spec


#: docker 20.10.24's answers on the local swarm (`docker service create --detach ... FLAG`, 2026-12-02): the
#: CLI's refusals (exit 125, before the "See 'docker service create --help'." line)
CLI_REFUSES = [
    ("--update-delay=2562048h", 'invalid argument "2562048h" for "--update-delay" flag: time: invalid duration '
                                '"2562048h"'),
    ("--update-delay=", 'invalid argument "" for "--update-delay" flag: time: invalid duration ""'),
    ("'--update-delay= 5s'", 'invalid argument " 5s" for "--update-delay" flag: time: invalid duration " 5s"'),
    ("--update-delay=1e3s", 'invalid argument "1e3s" for "--update-delay" flag: time: unknown unit "e" in duration '
                            '"1e3s"'),
    ("--update-delay=9223372036854775808ns", 'invalid argument "9223372036854775808ns" for "--update-delay" flag: '
                                             'time: invalid duration "9223372036854775808ns"'),
    ("--update-delay=5", 'invalid argument "5" for "--update-delay" flag: time: missing unit in duration "5"'),
    ("--update-delay=-", 'invalid argument "-" for "--update-delay" flag: time: invalid duration "-"'),
    ("--update-delay=5x", 'invalid argument "5x" for "--update-delay" flag: time: unknown unit "x" in duration "5x"'),
    ("--update-delay=.s", 'invalid argument ".s" for "--update-delay" flag: time: invalid duration ".s"'),
] + [(f"--health-{name}=-1s", f'invalid argument "-1s" for "--health-{name}" flag: duration cannot be negative')
     for name in ("interval", "timeout", "start-period")]


@pytest.mark.parametrize("flag, said", CLI_REFUSES, ids=[f for f, _ in CLI_REFUSES])
def test_the_cli_refuses_a_duration_in_dockers_words(flag, said):
    with pytest.raises(CommandError) as err:
        _create(flag)
    assert str(err.value) == said


def test_the_cli_reads_go_durations_and_passes_negative_ones_on():
    """Accepted by docker's CLI; inspect showed the same values (the negative ones are the daemon's to judge)."""
    assert _create("--update-delay=.5s").update_config.delay == 0.5
    assert _create("--update-delay=+5s").update_config.delay == 5
    assert _create("--update-delay=1.s").update_config.delay == 1
    assert _create("--update-delay=1\u00b5s").update_config.delay == 1e-6
    assert _create("--update-delay=-0").update_config.delay == 0
    assert _create("--update-delay=9223372036854775807ns").update_config.delay == (2**63 - 1) / 1e9
    assert _create("--stop-grace-period=2562047h47m16.854775807s").task.stop_grace_period == (2**63 - 1) / 1e9
    assert _create("--stop-grace-period=-1s").task.stop_grace_period == -1
    assert _create("--rollback-delay=-1s").rollback_config.delay == -1
    assert _create("--update-delay=-1s").update_config.delay == -1


@pytest.mark.parametrize("flag, said", [
    ("--update-delay=-1s", "TaskSpec: update-delay cannot be negative"),
    ("--update-monitor=-1s", "TaskSpec: update-monitor cannot be negative"),
    ("--restart-delay=-1s", "TaskSpec: restart-delay cannot be negative"),
    ("--restart-window=-1s", "TaskSpec: restart-window cannot be negative"),
])
def test_the_daemon_refuses_a_negative_duration_the_cli_passed_on(flag, said):
    """docker 20.10.24: `Error response from daemon: rpc error: code = InvalidArgument desc = ...` (exit 1); a
    negative --rollback-delay, --rollback-monitor or --stop-grace-period is taken as it is."""
    with pytest.raises(ScenarioError) as err:
        loads_scenario(f"version: 1\ncluster: {{managers: 1}}\nsteps:\n  - run: docker service create --name c {flag} "
                       "busybox\n")
    assert str(err.value).endswith(f"service 'c' ('busybox'): {said}")
    for accepted in ("--rollback-delay=-1s", "--rollback-monitor=-1s", "--stop-grace-period=-1s"):
        loads_scenario(f"version: 1\ncluster: {{managers: 1}}\nsteps:\n  - run: docker service create --name c "
                       f"{accepted} busybox\n")


def test_a_negative_heartbeat_is_the_daemons_to_refuse():
    scenario = loads_scenario("version: 1\ncluster: {managers: 1}\nsteps:\n"
                              "  - run: docker swarm update --dispatcher-heartbeat=-1s\n")
    step = run_scenario(scenario, SimBackend()).steps()[0]
    assert step["output"] == ("Error response from daemon: rpc error: code = InvalidArgument desc = heartbeat time "
                              "period cannot be a negative duration")
