# AI in Healthcare: the two set-up commands (see README.md) and the maintainers' helpers.
#
#   make lab      create .venv, install the course, copy it into my-course/ (your own copy:
#                 no answers, never overwritten) and open JupyterLab on its course home
#   make test     install test tools too, then lint and run every test, lesson and assignment,
#                 the oldest supported versions and the browser build (make quick: the short one)
#
#   make reset LESSON=04   put one lesson of my-course/ back as new (make reset: all of them)
#   make teacher  JupyterLab on the whole course with nbgrader's formgrader, for teachers
#   make grade A=a1-health-data   release, autograde and report on an assignment
#   make quick    lint, unit tests and lessons only (for lesson authors: a few minutes)
#   make execute  re-run lessons in place so their stored outputs are refreshed
#   make bench    time every lesson on a fresh kernel and check its budget
#
# Only Python 3.11+ and make are needed; everything else is installed into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888
TEACHER_PORT ?= 8889
# The student's own copy of the course (git ignores it).
WORKSPACE ?= my-course
# pytest workers: the suite is sized for 2 cores (CI and Binder-class machines).
WORKERS ?= 2
LESSONS ?= $(wildcard notebooks/[0-9][0-9]-*.ipynb)

# Open a browser only where there is a screen to open it on. (healthlab lab passes
# --allow-root itself when run as root, as in a fresh container.)
HAS_SCREEN := $(or $(DISPLAY),$(WAYLAND_DISPLAY),$(filter Darwin,$(shell uname -s)))
BROWSER    := $(if $(HAS_SCREEN),--browser,)

.PHONY: lab reset teacher grade test quick lint execute bench clean

# Packages are installed with uv (from PyPI, like pip but several times faster); pip puts uv
# itself in each environment first. --compile-bytecode as pip does: without .pyc files every
# kernel start would compile pandas.
UV_VERSION := 0.13.9
UV_PIP = $(1)/bin/python -m pip install --disable-pip-version-check -q uv==$(UV_VERSION) && \
  $(1)/bin/uv pip install --quiet --compile-bytecode --python $(1)/bin/python

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; this is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

# The course: the exact versions Binder uses, then this package (its own dependencies are
# already satisfied by the pins; --no-deps keeps the two from drifting apart).
# binder/excludes.txt: two packages a dependency asks for that only slow every Jupyter start.
$(VENV)/.course: $(BIN)/python binder/requirements.txt binder/excludes.txt pyproject.toml binder/overrides.json
	$(call UV_PIP,$(VENV)) --excludes binder/excludes.txt -r binder/requirements.txt
	$(call UV_PIP,$(VENV)) --no-deps -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp binder/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $@

$(VENV)/.test: $(VENV)/.course tests/requirements.txt
	$(call UV_PIP,$(VENV)) --excludes binder/excludes.txt -r tests/requirements.txt
	touch $@

lab: $(VENV)/.course
	$(BIN)/healthlab lab --to "$(WORKSPACE)" --port $(PORT) $(BROWSER)

reset: $(VENV)/.course
	$(BIN)/healthlab workspace reset --to "$(WORKSPACE)" $(LESSON)

teacher: $(VENV)/.course
	$(BIN)/healthlab teacher --port $(TEACHER_PORT) $(BROWSER)

grade: $(VENV)/.course
	@test -n "$(A)" || { echo "Say which assignment: make grade A=a1-health-data"; exit 2; }
	cd assignments && "$(CURDIR)/$(BIN)/healthlab" grade $(A) $(ARGS)

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Everything: the suite (lint, unit tests, lessons, grading, labs, hub, sandbox); beside it, the
# browser build and website tests (make web-test, which mostly wait on Chromium), then the
# library and lessons on the browser's oldest versions (make test-oldest, in the suite's last
# minutes, when its workers leave a core idle). Their reports are printed at the end (they are
# also in build/web-test.log and build/test-oldest.log). Fails if any of the three failed.
test: lint
	@mkdir -p build && rm -f build/web-test.rc build/test-oldest.rc
	@{ $(MAKE) --no-print-directory web-test > build/web-test.log 2>&1; echo $$? > build/web-test.rc; \
	  $(MAKE) --no-print-directory test-oldest > build/test-oldest.log 2>&1; \
	  echo $$? > build/test-oldest.rc; } & beside=$$!; \
	echo "make web-test, then make test-oldest, are running beside the suite (reports at the end)"; \
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --no-loadscope-reorder --durations=15; \
	suite=$$?; \
	wait $$beside; \
	browser=$$(cat build/web-test.rc 2>/dev/null || echo none); \
	oldest=$$(cat build/test-oldest.rc 2>/dev/null || echo none); \
	echo "----- make web-test (build/web-test.log) -----"; cat build/web-test.log; \
	echo "----- make test-oldest (build/test-oldest.log) -----"; cat build/test-oldest.log; \
	echo "suite: exit $$suite; oldest versions: exit $$oldest; browser and website: exit $$browser"; \
	test $$suite = 0 && test "$$oldest" = 0 && test "$$browser" = 0

# Lint, unit tests, doctests and the lessons, without the nbgrader, sandbox and server tests.
quick: lint
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadfile src tests/unit tests/test_course.py notebooks

execute: $(VENV)/.course
	$(BIN)/healthlab execute $(LESSONS)

bench: $(VENV)/.course
	$(BIN)/healthlab bench $(LESSONS)

clean:
	rm -rf $(VENV) .venv-web .venv-oldest .web-cache _site build dist bench-results.json

# --- The course in the browser and the course website (issue 15; docs/website.md) -----------
#   make lite        JupyterLite site of the student copy, built with no network, in _site/lite/
#   make lite-serve  serve it on http://127.0.0.1:$(LITE_PORT)/
#   make site        the course website in _site/ (beside lite/), built with no network
#   make site-serve  serve the website on http://127.0.0.1:$(SITE_PORT)/
#   make web-test    build both offline and test them (Pyodide verification, Chromium, axe)
#   make test-oldest the library's tests on the oldest supported versions (the browser's)
WEB_VENV    := .venv-web
WEB_BIN     := $(WEB_VENV)/bin
OLDEST_VENV := .venv-oldest
LITE_PORT   ?= 8000
SITE_PORT   ?= 8001
# The builds run in a network namespace with no network when the machine allows one.
OFFLINE := $(shell unshare -n true 2>/dev/null && echo "unshare -n" || (unshare -rn true 2>/dev/null && echo "unshare -rn"))

.PHONY: lite lite-serve site site-serve web-fetch web-test test-oldest

$(WEB_BIN)/python:
	$(PYTHON) -m venv $(WEB_VENV)

$(WEB_VENV)/.installed: $(WEB_BIN)/python web/requirements.txt binder/excludes.txt
	$(call UV_PIP,$(WEB_VENV)) --require-hashes --excludes binder/excludes.txt -r web/requirements.txt
	touch $@

# Pinned downloads (PyPI, npm), checked by hash; the only step that uses the network.
web-fetch: $(WEB_VENV)/.installed
	$(WEB_BIN)/python tools/web_fetch.py

lite: web-fetch
	$(OFFLINE) $(WEB_BIN)/python tools/build_lite.py

lite-serve:
	@test -f _site/lite/index.html || $(MAKE) lite
	@echo "The course in the browser: http://127.0.0.1:$(LITE_PORT)/lab/index.html?path=README.md"
	$(PYTHON) -m http.server --bind 127.0.0.1 --directory _site/lite $(LITE_PORT)

site: web-fetch
	@test -f _site/lite/index.html || $(MAKE) lite
	$(OFFLINE) $(WEB_BIN)/python tools/build_site.py

site-serve:
	@test -f _site/index.html || $(MAKE) site
	@echo "The course website: http://127.0.0.1:$(SITE_PORT)/"
	$(PYTHON) -m http.server --bind 127.0.0.1 --directory _site $(SITE_PORT)

# The browser tests need Debian's chromium and chromium-driver (installed here when root).
web-test: web-fetch
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	  else echo "make web-test needs Chromium and its driver. On Debian or Ubuntu:" \
	    "sudo apt-get install chromium chromium-driver, then run it again." >&2; exit 2; fi
	HEALTHLAB_WEB_TESTS=1 $(WEB_BIN)/python -m pytest -c web/pytest.ini tests/web

$(OLDEST_VENV)/.installed: web/oldest-requirements.txt
	$(PYTHON) -m venv $(OLDEST_VENV)
	$(call UV_PIP,$(OLDEST_VENV)) --require-hashes -r web/oldest-requirements.txt
	$(OLDEST_VENV)/bin/python -c 'import site, sys; open(site.getsitepackages()[0] + "/healthlab-src.pth", "w").write(sys.argv[1] + "\n")' "$(CURDIR)/src"
	touch $@

# The library and every lesson (nbval) on the browser's versions; grading/ (nbgrader) is not
# part of the browser build.
test-oldest: $(OLDEST_VENV)/.installed
	$(OLDEST_VENV)/bin/python -m pytest -n $(WORKERS) --dist loadfile -q src tests/unit notebooks --ignore=src/healthlab/grading

# The school server (deploy/): a real JupyterHub with real Unix accounts, made and removed by the
# test, on 127.0.0.1. Root on Debian or Ubuntu only. See docs/school-server.md.
.PHONY: hub-test hub-bench
hub-test: $(VENV)/.test
	HEALTHLAB_HUB_TEST=1 $(BIN)/python -m pytest -p no:xdist -v --durations=0 tests/hub

# Load check (a benchmark, not a test): STUDENTS students start servers and run lesson 00.
STUDENTS ?= 30
hub-bench: $(VENV)/.test
	$(BIN)/python deploy/bench_hub.py --students $(STUDENTS)
