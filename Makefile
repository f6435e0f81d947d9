# vmes-audit — two commands: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
SAMPLE ?= samples/srvdc01-2000-non-conforme.zip
OUT    ?= out
# Debian/Ubuntu packages: scripts/system-deps.sh (runtime: the PDF; test: + poppler, Wine, Samba).

.PHONY: demo test test-fast test-deps bench bench-batch wheel samples lint-rules system-deps clean

$(BIN)/vmes-audit: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 ou plus récent est requis")'
	@$(PYTHON) -m venv $(VENV) || { echo "Impossible de créer l'environnement virtuel : installez python3-venv (apt-get install python3-venv)."; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

# Installs the missing Debian packages when run as root on Debian/Ubuntu; otherwise says what is missing.
system-deps:
	@bash scripts/system-deps.sh runtime

test-deps:
	@bash scripts/system-deps.sh test

demo: system-deps $(BIN)/vmes-audit
	$(BIN)/vmes-audit analyze $(SAMPLE) -o $(OUT) --format pdf,html,json --client "Client de démonstration"
	@echo "Rapport : $(OUT)/rapport-vmes.pdf"

test: test-deps $(BIN)/vmes-audit
	$(BIN)/python -m pytest

test-fast: $(BIN)/vmes-audit
	$(BIN)/python -m pytest -m "not slow and not wine and not samba"

bench: $(BIN)/vmes-audit
	$(BIN)/python bench/bench_ratios.py
	$(BIN)/python bench/bench_analyze.py
	$(BIN)/python bench/bench_collector.py

# 100 customers: about ten minutes on 2 cores
bench-batch: $(BIN)/vmes-audit
	$(BIN)/python bench/bench_batch.py --customers 100

# The sdist and the wheel (rules, templates, fonts and collector inside) for pipx: dist/.
wheel: $(BIN)/vmes-audit
	$(BIN)/python -m build --outdir dist .

samples: $(BIN)/vmes-audit
	$(BIN)/python samples/build_samples.py

lint-rules: $(BIN)/vmes-audit
	$(BIN)/vmes-audit rules lint

clean:
	rm -rf $(OUT) .pytest_cache dist build
