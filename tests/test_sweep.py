"""Sweeps: factor expansion, and that a run gives the same row wherever it runs."""
from pathlib import Path

from swarmsim.sweep.factorial import expand, measure, parse_factor, run_sweep

BASE = Path(__file__).parent.parent / "experiments" / "update_parallelism.yaml"


def test_factorial_expansion_covers_every_combination_and_fills_placeholders():
    runs = expand(BASE.read_text(), str(BASE), {"parallelism": [1, 4], "delay": [0, 2], "seed": [7]})
    assert [r.params for r in runs] == [{"parallelism": p, "delay": d, "seed": 7} for p in (1, 4) for d in (0, 2)]
    assert "--update-parallelism 4 --update-delay 2s" in runs[-1].text
    assert "seed: 7" in runs[-1].text


def test_dotted_factor_sets_a_key_in_the_scenario():
    [run] = expand(BASE.read_text().replace("{parallelism}", "1").replace("{delay}", "0"), "x",
                   {"services.web.deploy.replicas": [3]})
    row = measure(run)
    assert row["web.running"] == 3


def test_a_process_pool_gives_the_same_rows_as_running_in_process():
    runs = expand(BASE.read_text(), str(BASE), {"parallelism": [3, 6], "delay": [1]})
    local = run_sweep(runs, workers=1, progress=False)
    pooled = run_sweep(runs, workers=2, progress=False)
    assert local.equals(pooled)
    assert (local["update0.duration"] >= [4 * 1, 2 * 1]).all()  # ceil(12/p) batches, each followed by the delay


def test_parse_factor_reads_values_as_yaml_scalars():
    assert parse_factor("a.b=1,2,x") == ("a.b", [1, 2, "x"])
