# advpipe: `make run` sets up and runs the chain on the embedded defaults; `make test` sets up and runs the tests.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin


.PHONY: setup run test test-nbs test-py export clean-nbs lab
setup: $(VENV)/.installed

$(VENV)/.installed: settings.ini setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

run: setup
	$(BIN)/advpipe run

test: test-nbs test-py

test-nbs: setup
	$(BIN)/nbdev_test --n_workers 2

test-py: setup
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests  # two workers: runs wait on kernels as much as on CPU

export: setup
	$(BIN)/nbdev_clean && $(BIN)/nbdev_export

lab: setup
	$(BIN)/jupyter lab nbs
