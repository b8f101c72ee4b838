"""Every example's and every validation scenario's trace, byte for byte, against a recorded digest.

A refactoring must leave these unchanged. A deliberate model change updates the digests in the same
commit and names the change in its message: `python tests/test_golden_traces.py --update` rewrites
tests/golden/traces.json and prints which scenarios moved.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "traces.json"
SCENARIOS = sorted(p.relative_to(ROOT).as_posix()
                   for p in [*ROOT.glob("examples/*.yaml"), *ROOT.glob("validation/scenarios/*.yaml")])


def digest(relative: str) -> str:
    from swarmsim.backend import SimBackend, run_scenario
    from swarmsim.scenario import load_scenario
    text = run_scenario(load_scenario(ROOT / relative), SimBackend()).dumps()
    return hashlib.sha256(text.encode()).hexdigest()


def recorded() -> dict[str, str]:
    return json.loads(GOLDEN.read_text())


def test_every_scenario_has_a_recorded_digest():
    assert sorted(recorded()) == SCENARIOS


@pytest.mark.parametrize("relative", SCENARIOS)
def test_trace_unchanged(relative):
    assert digest(relative) == recorded().get(relative), (
        f"{relative}: the trace changed; if deliberate, run `python tests/test_golden_traces.py --update` "
        f"and name the change in the commit")


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    old = recorded() if GOLDEN.exists() else {}
    new = {relative: digest(relative) for relative in SCENARIOS}
    GOLDEN.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
    moved = sorted(r for r in new if old.get(r) != new[r])
    print("changed:", ", ".join(moved) if moved else "none")
