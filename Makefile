# mdrepro: `make book` (install, simulate the data, execute every chapter, build the HTML)
# and `make test`. Paper scale on a GPU: `make book PROFILE=paper DEVICE=cuda`.
PROFILE ?= ci
DEVICE  ?= auto
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
MDREPRO := $(PY) -m mdrepro.cli
STAMP   := $(VENV)/.mdrepro-installed
CHAPTERS ?=
CORES   ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all install data run book html test test-cluster test-browser lint format clean clean-data help run-start lock book-units

all: book

help:
	@echo "make book      install, then the workflow: data, units of work, chapters, HTML"
	@echo "make test      unit tests, notebook smoke run and (if the book is built) browser test"
	@echo "make lint      ruff (package, tests, notebooks) and nbstripout --verify"
	@echo "make data | run | html | format | clean | clean-data"
	@echo "variables: PROFILE=ci|extended|paper DEVICE=auto|cpu|cuda CHAPTERS='ch01 ...' CORES=N"

$(STAMP): pyproject.toml requirements.lock scripts/install.sh
	VENV=$(VENV) PYTHON=$(PYTHON) bash scripts/install.sh
	@touch $(STAMP)

install: $(STAMP)

# Marks the start of a build: the stage table printed at the end shows this run only.
run-start:
	@mkdir -p build && date +%s > build/run-started

data: $(STAMP)
	$(MDREPRO) data build --all --profile $(PROFILE)

run: $(STAMP)
	$(MDREPRO) run $(CHAPTERS) --profile $(PROFILE) --device $(DEVICE)

html: $(STAMP)
	$(MDREPRO) book

# The whole book through the workflow (workflow/Snakefile): data sets, units of work,
# chapter notebooks, HTML; independent jobs side by side on every core. A second `make book`
# with nothing changed only checks that everything is up to date.
book: run-start $(STAMP)
	$(MDREPRO) build --profile $(PROFILE) --device $(DEVICE) --cores $(CORES)

# Only the data sets and the units of work (CI times this part apart from the notebooks).
book-units: run-start $(STAMP)
	$(MDREPRO) build --units-only --profile $(PROFILE) --device $(DEVICE) --cores $(CORES)

test: $(STAMP)
	$(PY) -m pytest -m "not browser and not cluster and not book and not faults" -q

# The workflow on a real single-node Slurm cluster (root; installs Debian's Slurm and munge if
# missing; daemons and their state live in a temporary folder), and the workflow fault tests
# (a killed build recovers by itself; damaged and deleted results are recomputed).
test-cluster: $(STAMP)
	MDREPRO_SLURM_TEST=1 $(PY) -m pytest -m "cluster or faults" -q

test-browser: $(STAMP)
	MDREPRO_REQUIRE_BROWSER=1 $(PY) -m pytest -m "browser or book" -q

lint: $(STAMP)
	$(VENV)/bin/ruff check mdrepro tests scripts notebooks
	$(VENV)/bin/ruff format --check mdrepro tests scripts notebooks
	$(VENV)/bin/nbstripout --verify notebooks/*.ipynb

format: $(STAMP)
	$(VENV)/bin/ruff format mdrepro tests scripts notebooks
	$(VENV)/bin/ruff check --fix mdrepro tests scripts notebooks
	$(VENV)/bin/nbstripout notebooks/*.ipynb

# Regenerate the lock file from the installed environment (after changing a pin).
lock: $(STAMP)
	( head -3 requirements.lock; $(PY) -m pip freeze --exclude-editable \
	  | sed 's/^torch==\([0-9.]*\)+.*/torch==\1/' ) > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf _build book/executed book/generated build

clean-data:
	rm -rf data/cache
