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

.PHONY: all install data run book html test test-browser lint format clean clean-data help run-start

all: book

help:
	@echo "make book      install, build the $(PROFILE) data, execute every chapter, build HTML"
	@echo "make test      unit tests, notebook smoke run and (if the book is built) browser test"
	@echo "make lint      ruff (package, tests, notebooks) and nbstripout --verify"
	@echo "make data | run | html | format | clean | clean-data"
	@echo "variables: PROFILE=ci|paper DEVICE=auto|cpu|cuda CHAPTERS='ch01 ...'"

$(STAMP): pyproject.toml scripts/install.sh
	VENV=$(VENV) PYTHON=$(PYTHON) bash scripts/install.sh
	@touch $(STAMP)

install: $(STAMP)

# Marks the start of a build: the stage table printed at the end shows this run only.
run-start:
	@mkdir -p build && date +%s > build/run-started

data: $(STAMP)
	$(MDREPRO) data build --all --profile $(PROFILE)

run: data
	$(MDREPRO) run $(CHAPTERS) --profile $(PROFILE) --device $(DEVICE)

html: $(STAMP)
	$(MDREPRO) book

book: run-start run
	$(MDREPRO) book

test: $(STAMP)
	$(PY) -m pytest -m "not browser" -q

test-browser: $(STAMP)
	MDREPRO_REQUIRE_BROWSER=1 $(PY) -m pytest -m browser -q

lint: $(STAMP)
	$(VENV)/bin/ruff check mdrepro tests scripts notebooks
	$(VENV)/bin/ruff format --check mdrepro tests scripts notebooks
	$(VENV)/bin/nbstripout --verify notebooks/*.ipynb

format: $(STAMP)
	$(VENV)/bin/ruff format mdrepro tests scripts notebooks
	$(VENV)/bin/ruff check --fix mdrepro tests scripts notebooks
	$(VENV)/bin/nbstripout notebooks/*.ipynb

clean:
	rm -rf _build book/executed book/generated build

clean-data:
	rm -rf data/cache
