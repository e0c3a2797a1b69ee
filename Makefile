# The two commands: `make report` (runs the workflow) and `make test` (runs every test).
# Both create .venv with the pinned requirements on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 1
# A folder that already holds MNIST, instead of downloading it: make report DATA_DIR=/path
DATA_DIR ?=
SNAKEMAKE_ARGS ?=
PYTEST_ARGS ?=
# Test processes (pytest-xdist). Files sharing a workflow run stay on one process: SHARED_RUNS in tests/conftest.py.
TEST_PROCESSES ?= 2

ifneq ($(DATA_DIR),)
SNAKEMAKE_ARGS += --config data_dir=$(abspath $(DATA_DIR))
endif

.PHONY: report test lint benchmark results clean lock

report: $(VENV)/.runtime
	$(BIN)/snakemake --cores $(CORES) $(SNAKEMAKE_ARGS)
	@echo "Open report.html in a browser."

test: $(VENV)/.cluster
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check scripts tests
	$(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint
	$(BIN)/actionlint -shellcheck= -pyflakes=

benchmark: $(VENV)/.bench
	$(BIN)/python scripts/bench/torch_compare.py $(BENCHMARK_ARGS)

# docs/results.md from the benchmarks' records in docs/results/records/ (never edited by hand).
results: $(VENV)/.runtime
	$(BIN)/python scripts/bench/results_page.py

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "digitnet needs Python 3.11 or newer (Snakemake 9 does); found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.runtime: requirements.txt | $(VENV)/.python-ok
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The SLURM executor plugins, for the cluster test alone (tests/workflow/test_slurm.py), in a folder
# of their own that the test puts on PYTHONPATH. In the venv, Snakemake would import them (and with
# them pandas) at every start: half a second more for each of the suite's Snakemake runs.
# Their dependencies are the runtime's (requirements.txt).
$(VENV)/.cluster: requirements-cluster.txt $(VENV)/.dev
	rm -rf $(VENV)/slurm-plugins
	grep -v -e '^-r' -e '^#' requirements-cluster.txt > $(VENV)/slurm-plugins.txt
	$(BIN)/pip install --quiet --no-deps --target $(VENV)/slurm-plugins -r $(VENV)/slurm-plugins.txt
	touch $@

$(VENV)/.bench: requirements-bench.txt $(VENV)/.dev
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@

# Rewrite requirements.txt from a clean install of the direct dependencies.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet snakemake numpy pandas matplotlib pillow jinja2 threadpoolctl
	{ head -n 4 requirements.txt; .venv-lock/bin/pip freeze; } > requirements.txt.new
	mv requirements.txt.new requirements.txt && rm -rf .venv-lock

clean:
	rm -rf results resources logs benchmarks report.html .snakemake
