"""Stack-file scalars read as docker reads them: gopkg.in/yaml.v2 2.2.8 decoding into interface{}.

The answers in fixtures/yamlv2_scalars.json are yaml.v2's own (recorded by fixtures/go_oracle); the
properties below say the rules the table samples; test_stack_yaml.py follows the consequences through a
real docker 20.10 deploy.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from swarmsim.scenario import yamlv2
from swarmsim.scenario.loader import Document

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "yamlv2_scalars.json").read_text())


def read(text: str) -> object:
    """The value of `v: TEXT` as the stack loader reads it, or yaml.v2's complaint."""
    try:
        return Document.parse(f"v: {text}", "s.yml", compose=True).root.value["v"]
    except ValueError as err:
        return str(err).removeprefix("s.yml:1: v: ")


def go_answer(kind: str, shown: str) -> object:
    """Go's (type, %#v) as the Python value the loader should give."""
    return {"bool": lambda: shown == "true", "<nil>": lambda: None, "string": lambda: json.loads(shown),
            "int": lambda: int(shown), "int64": lambda: int(shown), "uint64": lambda: int(shown, 16),
            "float64": lambda: float(shown), "err": lambda: shown}[kind]()


def same(got: object, want: object) -> bool:
    if isinstance(want, float) and math.isnan(want):
        return isinstance(got, float) and math.isnan(got)
    return type(got) is type(want) and got == want


@pytest.mark.parametrize("text, kind, shown", RECORDED["cases"], ids=[c[0] for c in RECORDED["cases"]])
def test_scalar_reads_as_yaml_v2_read_it(text, kind, shown):
    got, want = read(text), go_answer(kind, shown)
    assert same(got, want), (got, want)


@pytest.mark.parametrize("word, value", [("y", True), ("Y", True), ("n", False), ("N", False), ("yes", True),
                                         ("Off", False), ("yES", "yES"), ("oFF", "oFF"), ("1:30", "1:30"),
                                         ("190:20:30", "190:20:30"), ("1e3", 1000.0), ("0o17", 15), ("08", 8.0),
                                         ("2001-12-14", "2001-12-14")])
def test_where_pyyaml_and_yaml_v2_part(word, value):
    """PyYAML's YAML 1.1 reads these otherwise (y/n/1e3/0o17/08 as text, 1:30 as base 60, a date as a date)."""
    assert same(read(word), value)


_WORDS = {"yes": True, "no": False, "on": True, "off": False, "true": True, "false": False}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(_WORDS)), st.lists(st.booleans(), min_size=5, max_size=5))
def test_a_boolean_word_has_three_spellings(word, upper):
    spelled = "".join(c.upper() if up else c for c, up in zip(word, upper))
    expected = _WORDS[word] if spelled in (word, word.title(), word.upper()) else spelled
    assert same(read(spelled), expected)


def _with_underscores(draw, digits: str) -> str:
    """`digits` with underscores put after any character but none first (yaml.v2 drops them all)."""
    return "".join(c + "_" * draw(st.integers(0, 2)) for c in digits)


@settings(max_examples=500, deadline=None)
@given(st.data(), st.integers(-2**64, 2**64 - 1), st.sampled_from(["d", "x", "X", "o", "O", "b", "B", "0"]))
def test_an_integer_in_any_go_base_reads_as_that_integer(data, number, base):
    """strconv.ParseInt and then ParseUint (which takes no sign), base 0, after the underscores go: 0x, 0o, 0b and
    a leading 0 (octal). A number neither reads is text, or, in decimal digits, the float yaml.v2's float rule
    reads (even octal ones)."""
    digits = {"d": f"{abs(number)}", "x": f"0x{abs(number):x}", "X": f"0X{abs(number):X}",
              "o": f"0o{abs(number):o}", "O": f"0O{abs(number):o}", "b": f"0b{abs(number):b}",
              "B": f"0B{abs(number):b}", "0": f"0{abs(number):o}"}[base]
    sign = "-" if number < 0 else data.draw(st.sampled_from(["", "+"]))
    text = sign + _with_underscores(data.draw, digits)
    if -2**63 <= number < 2**63 or (number >= 2**63 and not sign):
        assert same(read(text), number)
    elif base in "d0":
        assert same(read(text), float(text.replace("_", "")))
    else:
        assert read(text) == text


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_go_formatted_float_reads_back(number):
    assert same(read(repr(number)), number)
    assert same(read(f"{number:e}"), float(f"{number:e}"))  # 1.5e+00: yaml.v2 needs no dot, PyYAML does


def test_stack_files_read_as_yaml_v2_and_scenarios_keep_their_own_rules():
    text = "a: y\nb: 0o17\nc: 1:30\n"
    assert Document.parse(text, "s.yml", compose=True).root.value == {"a": True, "b": 15, "c": "1:30"}
    assert Document.parse(text, "scenario.yaml").root.value == {"a": "y", "b": "0o17", "c": "1:30"}


def test_a_key_yaml_v2_reads_as_a_boolean_is_kept_for_its_error():
    doc = Document.parse("y: 1\n'n': 2\nN: 3\n", "s.yml", compose=True)
    assert doc.typed_keys == {("y",): True, ("N",): False}


def test_merge_keys_apply_where_they_stand_in_a_stack_file_and_by_the_spec_in_a_scenario():
    text = "d: &d {a: 1, b: 1}\ne: &e {a: 2, c: 2}\nx:\n  a: 0\n  <<: [*d, *e]\n  c: 0\n"
    assert Document.parse(text, "s.yml", compose=True).root.value["x"] == {"a": 1, "b": 1, "c": 0}
    assert Document.parse(text, "scenario.yaml").root.value["x"] == {"a": 0, "b": 1, "c": 0}


def test_a_mapping_merged_many_times_is_worked_out_once():
    """Ten merges of ten merges ... of one key: the merge spec keeps the key once, at once (it hung before);
    yaml.v2 applies every merge, so the count of values read stops it as docker's excessive-aliasing check does."""
    chain = "".join(f"x{i}: &x{i} {{<<: [{', '.join(['*x%d' % (i - 1)] * 10)}]}}\n" if i else "x0: &x0 {a: 1}\n"
                    for i in range(12))
    assert Document.parse(chain, "scenario.yaml").root.value["x11"] == {"a": 1}
    with pytest.raises(ValueError, match="expands to more than 500,000 values"):
        Document.parse(chain, "s.yml", compose=True)


def test_a_bad_tagged_value_is_one_error_at_its_line():
    with pytest.raises(ValueError) as err:
        Document.parse("version: '3.8'\nservices:\n  web:\n    deploy: {replicas: !!int abc}\n", "s.yml",
                       compose=True)
    assert str(err.value) == "s.yml:4: services.web.deploy.replicas: yaml: cannot decode !!str `abc` as a !!int"


def test_the_pure_python_loader_tags_as_the_libyaml_one():
    """Where PyYAML has no libyaml, the same resolver on PyYAML's own parser."""
    import yaml
    pure = yamlv2._loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer)
    for text, _, _ in RECORDED["cases"]:
        ours, libyaml = (yaml.compose(f"v: {text}", Loader=loader).value[0][1] for loader in (pure, yamlv2.Loader))
        assert (ours.tag, ours.value, ours.start_mark.index) == (libyaml.tag, libyaml.value, libyaml.start_mark.index)


def test_a_number_of_thousands_of_digits_is_read_as_yaml_v2_reads_it():
    """Past float64 it is text (ParseFloat's range error); leading zeros keep it a number. No Python digit limit."""
    assert read("1" * 5000) == "1" * 5000
    assert read("0" * 5000 + "12") == 10
    assert read("0x" + "0" * 5000 + "1f") == 31
    assert read("0x" + "f" * 5000) == "0x" + "f" * 5000
