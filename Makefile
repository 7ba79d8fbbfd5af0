# Two commands: `make demo` runs Suivi with demo data, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export SUIVI_VAR_DIR ?= $(CURDIR)/var
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: demo test install dev lint typecheck imports migrations-check pytest bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) --upgrade pip

# Re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install $(PIP_QUIET) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install $(PIP_QUIET) -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/suivi demo

# Tests and checks need a key but never a real one.
test: export SUIVI_SECRET_KEY ?= insecure-test-key-not-a-secret
test: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy suivi
	$(BIN)/lint-imports
# No pool for this check: it may find no database to read its history from (a warning).
	SUIVI_DATABASE_POOL=0 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

bench: export SUIVI_SECRET_KEY ?= insecure-bench-key-not-a-secret
bench: dev
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/customer_file.py

# Refresh the French and English catalogues after changing user-facing strings (needs GNU
# gettext). New French entries arrive empty or "fuzzy": translate them in
# suivi/locale/fr/LC_MESSAGES/django.po, remove the fuzzy flag, and run this again.
# English entries get msgstr = msgid (msgen); an English wording already in the catalogue
# is kept; makemessages runs once more for English only to restore the source order.
# tests/test_translations.py fails until both catalogues are complete and compiled.
MAKEMESSAGES = ../$(BIN)/django-admin makemessages --no-obsolete --ignore 'migrations/*' \
	--settings suivi.settings --pythonpath ..
MESSAGES_EN := locale/en/LC_MESSAGES/django.po
messages: export SUIVI_SECRET_KEY ?= insecure-key-for-messages
messages: dev
	cd suivi && $(MAKEMESSAGES) -l fr -l en
	cd suivi && set -o pipefail && tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		msgattrib --force-po --translated --no-fuzzy $(MESSAGES_EN) -o "$$tmp/keep.po" && \
		msgfilter --force-po --keep-header -i $(MESSAGES_EN) sed d | msgen --force-po - \
			| msgattrib --force-po --clear-fuzzy --clear-previous -o "$$tmp/fresh.po" && \
		msgcat --use-first "$$tmp/keep.po" "$$tmp/fresh.po" -o $(MESSAGES_EN)
	cd suivi && $(MAKEMESSAGES) -l en
	cd suivi && ../$(BIN)/django-admin compilemessages --settings suivi.settings --pythonpath ..

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
