# rnn-course: every target bootstraps .venv (Python 3.11.4+) on first use.
#   make lab      JupyterLab on lessons/; datasets are downloaded on first use, with short timeouts
#                 and the offline default when that fails (RNNCOURSE_OFFLINE=1 make lab: never try)
#   make data     download every dataset into the cache ahead of time (before going offline)
#   make test     the whole test suite on JOBS workers (default 2), notebooks in fast mode
#                 (RNNCOURSE_MODE=full to override)
#   make lessons  regenerate lessons/ and the README's lesson table from solutions/
#   make site     the course as a static website in build/site/ (solutions with their outputs)
#   make bench    time and memory of every solution notebook (RNNCOURSE_MODE, default fast);
#                 `make bench-readme` runs both modes and writes the README's benchmark table

PYTHON ?= python3
JOBS   ?= 2
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab data test lessons site bench bench-readme venv clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11, 4) else "rnn-course needs Python 3.11.4 or newer; run: make PYTHON=python3.12 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@if [ -n "$${RNNCOURSE_CONSTRAINTS:-}" ]; then \
		echo "installing the versions in $$RNNCOURSE_CONSTRAINTS over requirements.txt"; \
		$(BIN)/python -m pip install --quiet -r "$$RNNCOURSE_CONSTRAINTS"; fi
	$(BIN)/python -m pip install --quiet -e .
	@touch $(STAMP)

# JupyterLab serves the whole checkout (solutions/ stays reachable) and opens on lessons/, with
# the course's settings (jupyter/overrides.json: no news pop-up, no update check) installed as
# the defaults of the JupyterLab in .venv; a learner's own settings still win.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

$(LAB_SETTINGS): jupyter/overrides.json $(STAMP)
	install -D -m 644 jupyter/overrides.json $(LAB_SETTINGS)

lab: $(STAMP) $(LAB_SETTINGS)
	$(BIN)/jupyter lab \
		--ServerApp.root_dir=. --LabApp.default_url=/lab/tree/lessons \
		$$([ "$$(id -u)" = 0 ] && echo --allow-root)

data: $(STAMP)
	$(BIN)/python -m rnncourse.data fetch --all

test: $(STAMP)
	RNNCOURSE_MODE=$${RNNCOURSE_MODE:-fast} $(BIN)/python -m pytest -n $(JOBS)

lessons: $(STAMP)
	$(BIN)/python -m rnncourse.build all

site: $(STAMP)
	$(BIN)/python -m rnncourse.site

bench: $(STAMP)
	$(BIN)/python -m rnncourse.bench --mode $${RNNCOURSE_MODE:-fast}

bench-readme: $(STAMP)
	$(BIN)/python -m rnncourse.bench --readme

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache rnncourse.egg-info
