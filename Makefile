# AI in Healthcare: the two set-up commands (see README.md) and the maintainers' helpers.
#
#   make lab      create .venv, install the course, open JupyterLab on the course home
#   make test     install test tools too, then lint and run every test, lesson and assignment
#   make execute  re-run lessons in place so their stored outputs are refreshed
#   make bench    time every lesson on a fresh kernel and check its budget
#
# Only Python 3.11+ and make are needed; everything else is installed into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888
# pytest workers: the suite is sized for 2 cores (CI and Binder-class machines).
WORKERS ?= 2
LESSONS ?= $(wildcard notebooks/[0-9][0-9]-*.ipynb)

# A fresh container runs as root; Jupyter refuses root unless told it is deliberate.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
# Open a browser only where there is a screen to open it on.
HAS_SCREEN := $(or $(DISPLAY),$(WAYLAND_DISPLAY),$(filter Darwin,$(shell uname -s)))
BROWSER    := $(if $(HAS_SCREEN),,--no-browser)

.PHONY: lab test lint execute bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; this is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

# The course: the exact versions Binder uses, then this package (its own dependencies are
# already satisfied by the pins; --no-deps keeps the two from drifting apart).
$(VENV)/.course: $(BIN)/python binder/requirements.txt pyproject.toml binder/overrides.json
	$(BIN)/python -m pip install --disable-pip-version-check -q -r binder/requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp binder/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $@

$(VENV)/.test: $(VENV)/.course tests/requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q -r tests/requirements.txt
	touch $@

lab: $(VENV)/.course
	$(BIN)/jupyter lab $(BROWSER) $(ALLOW_ROOT) --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
	  --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks/README.md

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile

execute: $(VENV)/.course
	$(BIN)/healthlab execute $(LESSONS)

bench: $(VENV)/.course
	$(BIN)/healthlab bench $(LESSONS)

clean:
	rm -rf $(VENV) build dist bench-results.json
