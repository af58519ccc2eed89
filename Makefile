# The book's two commands:  `make book`  builds the HTML;  `make test`  runs every test.
# Both create the virtual environment (.venv) and fetch what is missing on the way.

SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Tests run the notebooks under these start methods: spawn is what macOS and
# Windows use (the strictest: workers re-import everything), forkserver is
# Linux's default from Python 3.14.
NBVAL = $(BIN)/python tools/run_nbval.py

.PHONY: book test test-lib test-notebooks test-build test-browser test-one-cpu test-py312 test-py313 test-py314 test-py315 test-pythons pythons-setup lab execute doctor bench clean help \
        student test-student chapter-times test-flakes bench-quick bench-notebooks quick

help:
	@echo "make book      build the HTML book into _build/html"
	@echo "make test      run every test: library, notebooks (nbval), strict book build, pages in a browser,"
	@echo "               student edition, Python 3.12-3.15, benchmark (quick)"
	@echo "make execute   re-execute every notebook in place (after changing src/)"
	@echo "make doctor    print what this machine can run in parallel"

# --- set-up --------------------------------------------------------------------

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, this is " + sys.version' 
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment. On Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install -q --upgrade pip

# `make book` needs only the book's requirements; the tests add their tools.
$(VENV)/.book-installed: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed: $(VENV)/.book-installed requirements-test.txt
	$(BIN)/pip install -q -r requirements-test.txt
	@touch $@

# Browser assets the book serves itself (no CDN): MathJax, RequireJS, the widget manager.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the book's offline assets. On Debian: apt-get install npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

_vendor/.installed: node_modules/.installed Makefile
	rm -rf _vendor && mkdir -p _vendor/widgets _vendor/jwcdn/@jupyter-widgets/html-manager/dist
	cp -r node_modules/mathjax/es5 _vendor/mathjax
	cp node_modules/requirejs/require.js _vendor/require.js
	cp node_modules/@jupyter-widgets/html-manager/dist/*.js _vendor/widgets/
	cp node_modules/@jupyter-widgets/html-manager/dist/*.woff* \
	   node_modules/@jupyter-widgets/html-manager/dist/*.ttf \
	   node_modules/@jupyter-widgets/html-manager/dist/*.eot \
	   node_modules/@jupyter-widgets/html-manager/dist/*.svg _vendor/jwcdn/@jupyter-widgets/html-manager/dist/
	@touch $@

setup: $(VENV)/.installed _vendor/.installed
book-setup: $(VENV)/.book-installed _vendor/.installed

# --- the book --------------------------------------------------------------------

# jupyter-cache keys a notebook by its own text only: drop the cached outputs
# of each notebook whose library modules changed (tools/nbdeps.py), and only those.
_build/.stamps: FORCE
	@$(BIN)/python tools/stale_cache.py
FORCE:

book: book-setup _build/.stamps
	@mkdir -p _build
	@set -o pipefail; $(BIN)/jupyter-book build --all . 2>&1 | tee _build/book.log | grep -v "^$$" | tail -n 25 \
	  || { echo "The book did not build: the full log is _build/book.log"; exit 1; }
	@echo "Full log: _build/book.log"
	@echo "Open the book: file://$(CURDIR)/_build/html/index.html"

# --- the tests -------------------------------------------------------------------

# The other Pythons' set-ups (venvs, the sid chroot: network and disk, little CPU) start
# first, in the background, beside 3.11's tests; test-pythons then finds them made. If 3.11's
# tests fail, the set-ups are stopped (SIGTERM: tools/test_pythons.py kills its steps too).
test: setup
	@mkdir -p _build/pythons
	@echo "== other Pythons: set-ups started ahead (log: _build/pythons/setup-ahead.log)"
	@$(BIN)/python tools/test_pythons.py --versions $(PY_VERSIONS) --setup-only \
	    > _build/pythons/setup-ahead.log 2>&1 & ahead=$$!; \
	  trap 'kill $$ahead 2>/dev/null' INT TERM; \
	  $(MAKE) --no-print-directory test-lib test-notebooks test-build test-browser test-student \
	    || { kill $$ahead 2>/dev/null; wait $$ahead; exit 1; }; \
	  wait $$ahead; cat _build/pythons/setup-ahead.log; \
	  $(MAKE) --no-print-directory test-pythons bench-quick
	@echo "All tests passed."

# Four test processes at once (pytest-xdist), a file's tests in one of them (its module
# fixtures, a Dask cluster or a browser, start once): the suite mostly waits, so four
# share 2 CPUs. LIB_JOBS=0 runs it in one process.
LIB_JOBS ?= 4
LIB_XDIST = $(if $(filter 0,$(LIB_JOBS)),,-n $(LIB_JOBS) --dist loadfile)
test-lib: setup
	$(BIN)/python -m pytest tests -q --ignore=tests/test_pages.py $(LIB_XDIST)

# Every notebook re-executed and compared with its committed outputs, twice: under `spawn`
# (macOS, Windows) on every CPU, and under `forkserver` (Linux from 3.14) on one CPU, as
# Binder often gives (taskset -c 0 and CPU_LIMIT=1; tools/one_cpu.py sorts what fails there).
ONE_CPU := $(shell command -v taskset >/dev/null && echo taskset -c 0)
test-notebooks: setup
	@echo "== nbval, every notebook, start method spawn, every CPU"
	PARALLEL_DEMO_START_METHOD=spawn $(NBVAL) book
	@echo "== nbval, every notebook, start method forkserver, one CPU"
	PARALLEL_DEMO_START_METHOD=forkserver CPU_LIMIT=1 $(ONE_CPU) $(NBVAL) book

# The strict build: a warning or an error in any cell fails it.
test-build: setup _build/.stamps
	$(BIN)/jupyter-book build -W -n --keep-going . 

# The built pages in headless Chromium: math and widgets render with no network, and axe-core
# finds no serious or critical accessibility violation. Then the chapters in a real JupyterLab
# (tests/test_lab.py: restart and run all, widgets live, nothing written, nothing left running).
test-browser: setup test-build $(VENV)/.lab-installed
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; } >/dev/null
	$(BIN)/python -m pytest -q tests/test_pages.py
	PARALLEL_DEMO_LAB=1 $(BIN)/python -m pytest -q tests/test_lab.py

# Every notebook on one CPU (as Binder often gives): cells that raised vs outputs that differ.
test-one-cpu: setup
	$(BIN)/python tools/one_cpu.py

# --- other Pythons ------------------------------------------------------------------
# 3.12 and 3.13 from pyenv (tools/pyenv_tests.sh: one venv each in .venvs/, made once,
# remade when a requirements file changes); 3.14 and 3.15 from a Debian sid chroot
# (tools/sid_chroot.sh; the first run provisions it, about 3 minutes). tools/test_pythons.py
# sets them up side by side, runs the library suites two at a time (each waits more than it
# computes) and nbval one version at a time, each under its own start method, so that with
# 3.11's spawn + forkserver every notebook runs under both methods on more than one version.
PY_VERSIONS ?= 3.12 3.13 3.14 3.15

# Everything the other Pythons need, installed (network and disk, little CPU).
pythons-setup:
	tools/pyenv_tests.sh setup 3.12
	tools/pyenv_tests.sh setup 3.13
	tools/sid_chroot.sh provision

test-pythons: setup
	$(BIN)/python tools/test_pythons.py --versions $(PY_VERSIONS)

test-py312 test-py313 test-py314 test-py315: test-py3%: setup
	$(BIN)/python tools/test_pythons.py --versions 3.$*

# A workspace for learners: the chapters copied into lab/ (ignored by git), so that
# what you type and autosave never touches the book's tracked notebooks. A file already
# in the workspace is never overwritten. `make lab EDITION=student` opens the student
# edition (no solutions) in lab/student/ instead.
EDITION ?= teacher
LAB_JUPYTERLAB := jupyterlab==4.6.6
$(VENV)/.lab-installed: $(VENV)/.book-installed binder/requirements.txt
	$(BIN)/pip install -q $(LAB_JUPYTERLAB) -r binder/requirements.txt
	@touch $@

lab: $(VENV)/.lab-installed
	@if [ "$(EDITION)" = student ]; then $(BIN)/python tools/student.py --no-html; src=_build/student/book; dir=lab/student; \
	 else src=book; dir=lab; fi; \
	 mkdir -p $$dir && { [ -e $$dir/reference ] || cp -r $$src/reference $$dir/; } && \
	 for nb in $$src/*.ipynb; do [ -e "$$dir/$$(basename $$nb)" ] || cp "$$nb" $$dir/; done; \
	 echo "JupyterLab on the $(EDITION) edition in $$dir/ (Ctrl-C twice to stop)"; \
	 $(BIN)/jupyter lab --notebook-dir=$$dir $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# The student edition: every chapter without its solutions (code and prose) or outputs, in
# _build/student/book/, and its HTML in _build/student/html/ (tools/student.py).
student: book-setup
	$(BIN)/python tools/student.py

# Slow (every notebook in a kernel, twice): in the student edition each blank fails its
# checker with a hint and nothing raises; in the teacher edition every solution passes.
test-student: setup
	PARALLEL_DEMO_EXECUTE=1 $(BIN)/python -m pytest -q tests/test_student.py

# Re-measure how long each chapter runs and rewrite the table in book/teachers_guide.md.
chapter-times: setup
	$(BIN)/python tools/chapter_times.py

# The inner loop, a few minutes: the tests and notebooks that what you changed can break
# (tools/quick.py). `make test` stays the gate.
quick: setup
	$(BIN)/python tools/quick.py

execute: setup
	$(BIN)/python tools/execute_notebooks.py book

doctor: setup
	$(BIN)/python -m parallel_demo doctor

bench: setup
	$(BIN)/python -m parallel_demo bench

bench-quick: setup
	$(BIN)/python -m parallel_demo bench --quick

bench-notebooks: setup
	$(BIN)/python -m parallel_demo bench --notebook-times _build/flakes.json

# The whole nbval suite FLAKE_RUNS times while another process keeps one CPU busy:
# failures per cell (tools/flake_runner.py). Run it before resolving an issue.
FLAKE_RUNS ?= 5
test-flakes: setup
	$(BIN)/python tools/flake_runner.py -n $(FLAKE_RUNS) --start-method spawn book

clean:
	rm -rf _build _vendor
