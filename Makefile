# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test fuzz test-browser bench clean

# The venv is rebuilt when the project's dependencies change.
$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e ".[test]"
	# BFCL's data and AST checker; its declared dependencies (torch, CUDA) are not needed.
	$(BIN)/python -m pip install --quiet --no-deps "bfcl-eval==2026.3.23"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/neurosym demo

test: install
	$(BIN)/python -m pytest -q

# The wide fuzz run (tests/fuzz, marker fuzz): thousands of random cases per input surface.
fuzz: install
	$(BIN)/python -m pytest -q -m fuzz tests/fuzz

# The browser test drives JupyterLab with Debian's Chromium (never a downloaded browser).
test-browser: install
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)
	$(BIN)/python -m pip install --quiet -e ".[test,browser]"
	$(BIN)/python -m pytest -q -m browser tests/browser

bench: install
	$(BIN)/neurosym bench all

clean:
	rm -rf $(VENV) build dist *.egg-info
