"""The fuzz test of issue 12: hundreds of hostile inputs through the `swarmsim` command.

Every case of tests/hostile/cases.py runs in a forked child under a time and memory limit. A refused
input must exit 2 with one line on stderr that names the file, and no traceback or internal error;
an input Docker accepts must run to its end within the same limits.
"""
from __future__ import annotations

import collections

import pytest

from hostile.cases import corpus
from hostile.runner import problems, run

CASES = corpus()


def test_the_corpus_covers_every_class_of_the_issue():
    classes = collections.Counter(case.klass for case in CASES)
    assert len(CASES) >= 300
    assert set(classes) == {"bomb", "file", "size", "value", "timing", "parser", "control", "trace", "sweep",
                            "replay"}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input_gets_one_clear_answer(case, tmp_path):
    outcome = run(case, tmp_path)
    assert not problems(case, outcome), (problems(case, outcome), outcome.stderr[-500:])


def test_control_characters_are_echoed_escaped(tmp_path):
    case = next(c for c in CASES if c.name == "control-key-esc")
    message = run(case, tmp_path).stderr
    assert "\x1b" not in message and "\\x1b" in message


@pytest.mark.parametrize("name", ["control-printed-scenario", "control-printed-trace"])
def test_control_characters_from_files_are_printed_escaped(name, tmp_path):
    """A scenario's name, a --format's literal text and a trace's names reach stdout with ESC escaped."""
    case = next(c for c in CASES if c.name == name)
    out = run(case, tmp_path).stdout
    assert "\x1b" not in out and "\\x1b" in out, out[:500]
