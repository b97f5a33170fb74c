# advpipe: `make run` sets up and runs the chain on the embedded defaults; `make test` sets up and runs the tests.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin


.PHONY: setup run test test-nbs test-py export clean-nbs lab
setup: $(VENV)/.installed

# Setting up installs about 200 packages. uv (a pip-compatible installer, itself installed by pip) downloads and
# installs them in parallel: seconds with its cache warm, under four minutes on a fresh clone here (pip: 3-4 minutes). It compiles the
# bytecode at install, as pip does: where PYTHONDONTWRITEBYTECODE is set (this machine) nothing else would, and every
# kernel and command would compile scikit-learn, pandas and the rest again (CI: 43 CPU-minutes instead of about 27).
# Its full log stays in .venv/install.log; the terminal gets one line per step.
$(VENV)/.installed: settings.ini setup.py
	@echo "advpipe: setting up $(VENV) (first time only; seconds to a few minutes)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@echo "advpipe: installing advpipe and its dependencies with uv (full log: $(VENV)/install.log)"
	@$(BIN)/uv pip install --compile-bytecode --python $(BIN)/python -e ".[dev]" >> $(VENV)/install.log 2>&1 || { grep -iE '(error|×)' -A8 $(VENV)/install.log || tail -20 $(VENV)/install.log; exit 1; }
	@grep -E '^(Resolved|Prepared|Installed|Audited) [0-9]+ package' $(VENV)/install.log | sed 's/^/  /'
	@echo "advpipe: set up"
	@touch $@

run: setup
	$(BIN)/advpipe run

# One after the other: side by side (nbdev_test on one worker beside pytest's two) they did not finish sooner.
test: test-nbs test-py

test-nbs: setup
	$(BIN)/nbdev_test --n_workers 2

test-py: setup
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests  # two workers: runs wait on kernels as much as on CPU

export: setup
	$(BIN)/nbdev_clean && $(BIN)/nbdev_export

# JupyterLab refuses to start as root unless told: containers often run as root
lab: setup
	$(BIN)/jupyter lab nbs $(if $(filter 0,$(shell id -u)),--allow-root)
