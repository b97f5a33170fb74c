# advpipe: `make run` sets up and runs the chain on the embedded defaults; `make test` sets up and runs the tests.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin


.PHONY: setup run test test-nbs test-py export clean-nbs lab
setup: $(VENV)/.installed

# Setting up takes 1-3 minutes on a fresh machine: say so, and show the install moving (one line that counts the
# packages as pip resolves them) instead of staying silent; pip's full log stays in .venv/install.log.
$(VENV)/.installed: settings.ini setup.py
	@echo "advpipe: setting up $(VENV) (first time only; 1-3 minutes)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@echo "advpipe: installing advpipe and its dependencies (full log: $(VENV)/install.log)"
	@$(BIN)/python -m pip install --progress-bar off -e ".[dev]" >> $(VENV)/install.log 2>&1 & pid=$$!; \
	  while kill -0 $$pid 2>/dev/null; do \
	    n=$$(grep -cE '^(Collecting|Requirement already)' $(VENV)/install.log); \
	    if grep -q '^Installing collected' $(VENV)/install.log; then step="installing $$n packages"; else step="resolving: $$n packages"; fi; \
	    printf '\r  %-40s' "$$step"; sleep 2; done; \
	  wait $$pid; status=$$?; echo; \
	  if [ $$status -ne 0 ]; then grep -E '^(ERROR|error)' -A5 $(VENV)/install.log || tail -20 $(VENV)/install.log; exit $$status; fi
	@echo "advpipe: set up ($$(grep -cE '^(Collecting|Requirement already)' $(VENV)/install.log) packages)"
	@touch $@

run: setup
	$(BIN)/advpipe run

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
