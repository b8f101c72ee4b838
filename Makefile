# Two entry points for a fresh machine: `make demo` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench validate clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,dask]'  # dask: the sweep tests run a LocalCluster
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/swarmsim run examples/walkthrough.yaml --trace out/walkthrough.jsonl --report out/walkthrough

test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(PY) benchmarks/scale.py

# Every scenario of validation/suite.py simulated and replayed on a local real swarm (root);
# results in results/validation/, the table in docs/validation.md.
validate: $(STAMP)
	$(PY) -m validation.suite

clean:
	rm -rf $(VENV) out
