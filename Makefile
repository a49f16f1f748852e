# Renkei: the two commands a newcomer needs (`make run`, `make test`) and a few helpers.
# Everything runs inside a virtualenv ($(VENV)); nothing needs PostgreSQL, Redis or Docker.

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=

VENV_PY := $(VENV)/bin/python
MANAGE := $(VENV_PY) manage.py
# Reinstall only when the dependency list changes.
STAMP_RUN := $(VENV)/.renkei-installed
STAMP_DEV := $(VENV)/.renkei-installed-dev

.DEFAULT_GOAL := help
.PHONY: help install run test bench bench-digests lint messages translations check-python

help:
	@echo "make run       install, migrate, load demo data, serve http://$(HOST):$(PORT)"
	@echo "make test      install dev dependencies and run the whole suite on SQLite, on every core;"
	@echo "               property tests: hypothesis profile dev (fewer worlds, new ones each run);"
	@echo "               HYPOTHESIS_PROFILE=ci: CI's fixed several hundred (.ci/run, on PostgreSQL)"
	@echo "make lint      ruff check"
	@echo "make install   create $(VENV) with the dev dependencies, nothing else"
	@echo "make messages  update locale/{ja,en}/LC_MESSAGES/django.po from the code and templates"
	@echo "make bench     build the scale world (BENCH_INCIDENTS=$(BENCH_INCIDENTS)) and time the lists"
	@echo "               e.g. make bench BENCH_INCIDENTS=20000 for a quick look; BENCH_ARGS=--reuse"
	@echo "make bench-digests  time the daily digest run: 20,000 members, 5,000 items, local SMTP"
	@echo "Variables: PYTHON=$(PYTHON) VENV=$(VENV) HOST=$(HOST) PORT=$(PORT) PYTEST_ARGS=..."

check-python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	  echo "error: '$(PYTHON)' not found. Renkei needs Python 3.11 or newer:" \
	       "install it, or run e.g. 'make PYTHON=python3.12 ...'." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
	  echo "error: Renkei needs Python 3.11 or newer; '$(PYTHON)' is" \
	       "$$($(PYTHON) -c 'import platform; print(platform.python_version())')." \
	       "Run e.g. 'make PYTHON=python3.11 ...'." >&2; exit 1; }

$(VENV_PY): | check-python
	$(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(VENV_PY)
	$(VENV_PY) -m pip install --quiet -e .
	@touch $@

$(STAMP_DEV): pyproject.toml | $(VENV_PY)
	$(VENV_PY) -m pip install --quiet -e '.[dev]'
	@touch $@ $(STAMP_RUN)

# The virtualenv with the dev extra, without running anything (.ci/run times it apart).
install: check-python $(STAMP_DEV)

translations: $(STAMP_RUN)
	$(MANAGE) compile_translations

# Links in e-mails use the address the site is served at: SITE_URL from HOST and PORT unless
# the environment sets it. DEBUG is off unless DJANGO_DEBUG says otherwise, so that visitors
# get the portal's own 404 and 403 pages; whitenoise serves the static files (settings/dev.py).
SITE_URL ?= http://$(HOST):$(PORT)
DJANGO_DEBUG ?= 0
RUN_ENV := SITE_URL="$(SITE_URL)" DJANGO_DEBUG="$(DJANGO_DEBUG)"

run: check-python $(STAMP_RUN) translations
	@mkdir -p var
	$(MANAGE) migrate --noinput
	@if $(MANAGE) help load_demo >/dev/null 2>&1; then \
	  $(MANAGE) load_demo; \
	else \
	  echo "(load_demo is not available yet: starting without demo data)"; \
	fi
	@echo "Renkei: $(SITE_URL)/  (Ctrl-C stops)"
	env $(RUN_ENV) $(MANAGE) runserver $(HOST):$(PORT)

# The suite on SQLite with eager Celery, whatever the caller's environment says;
# .ci/run repeats it on PostgreSQL + Redis. pytest's "no tests collected" (5) is a failure.
# On every core (pytest-xdist, the heavy tests first: tests/conftest.py); PYTEST_XDIST= runs
# it in one process. Hypothesis: the dev profile unless HYPOTHESIS_PROFILE says otherwise.
PYTEST_XDIST ?= -n auto --dist loadscope
test: check-python $(STAMP_DEV) translations
	@mkdir -p var
	@env -u DATABASE_URL -u REDIS_URL -u EMAIL_URL -u RENKEI_REQUIRE_ALL \
	  DJANGO_SETTINGS_MODULE=portal.settings.test \
	  $(VENV_PY) -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

# A throwaway database (a file under var/ on SQLite, or test_<name> next to DATABASE_URL's
# PostgreSQL), filled by build_scale_world (COPY), timed through the whole stack, dropped
# again (BENCH_ARGS=--keep keeps it, --reuse also skips the build). Figures: README
# "Performance". 1,000,000 incidents take minutes to build: BENCH_INCIDENTS=20000 for a look.
BENCH_INCIDENTS ?= 1000000
bench: check-python $(STAMP_DEV)
	$(VENV_PY) bench/scale.py --incidents $(BENCH_INCIDENTS) $(BENCH_ARGS)

# The daily digest run at 20,000 members (bench/digests.py; README "Performance").
bench-digests: check-python $(STAMP_DEV)
	$(VENV_PY) bench/digests.py $(BENCH_ARGS)

lint: $(STAMP_DEV)
	$(VENV)/bin/ruff check .

# Needs GNU gettext (xgettext, msgmerge); compiling them (make run/test) does not.
# --no-location: the committed catalogues carry no "#: file:line" comments.
messages: $(STAMP_RUN)
	@command -v xgettext >/dev/null 2>&1 || { \
	  echo "error: make messages needs GNU gettext (apt-get install gettext)" >&2; exit 1; }
	@mkdir -p locale
	$(MANAGE) makemessages -l ja -l en --domain django --no-location \
	  --ignore '.venv/*' --ignore 'var/*' --ignore 'staticfiles/*' --ignore 'build/*'
