# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test fuzz test-browser bench clean

# llama.cpp is compiled for this machine's CPU, but without its AMX kernels: on CPUs that
# report AMX (some virtual machines among them) its AMX matrix product crashes the process
# (SIGSEGV in ggml_backend_amx_mul_mat) on the embedded model. The wheel is built once per
# CPU, kept outside the venv, and installed from there.
LLAMA_SPEC  := llama-cpp-python>=0.3.7
NO_AMX      := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
CPU_KEY     := $(shell (grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || uname -m) | cksum | cut -d' ' -f1)
WHEELS      := $(HOME)/.cache/neurosym/wheels/$(CPU_KEY)

# The venv is rebuilt when the project's dependencies change.
$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	ls $(WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1 || \
	  CMAKE_ARGS='-DCMAKE_C_FLAGS="$(NO_AMX)" -DCMAKE_CXX_FLAGS="$(NO_AMX)"' \
	  $(BIN)/python -m pip wheel --quiet --no-cache-dir --no-deps -w $(WHEELS) "$(LLAMA_SPEC)"
	$(BIN)/python -m pip install --quiet --force-reinstall --no-deps --no-index \
	  --find-links $(WHEELS) llama-cpp-python
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
