# One place for the commands a newcomer types. Everything runs from the project's own .venv.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run demo test bench bench-tune bench-synth bench-models clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/install-system-deps.sh
	./scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The main job: the real Triton server with the whole pipeline, ready to read a card (Ctrl-C stops it).
run: setup
	$(VENV)/bin/fvi serve

# Sample photos and a contact sheet of what the models learn from.
demo: setup
	$(VENV)/bin/fvi synth --out data/demo --count 24 --seed 1 --workers 2 --preview

test: setup
	$(PY) -m pytest -q

# Serving benchmark, one command (< 10 min on 2 cores): perf_analyzer on Triton, baselines, compute floor.
bench: setup
	$(VENV)/bin/fvi bench

# The ensemble under config variants (instances, batching, threads, INT8): perf/reports/cpu-2core-tuning.md.
bench-tune: setup
	$(VENV)/bin/fvi bench --tune

bench-synth: setup
	$(PY) perf/bench_synth.py --report perf/reports/synth.md

bench-models: setup
	$(PY) perf/bench_models.py --report perf/reports/models.md

clean:
	rm -rf $(VENV) data/demo .pytest_cache
