# The two commands of the README: `make run` and `make test`. Everything else is a helper of those two.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test install install-test browser redis libmagic pdf pdf-if-possible messages lint migrate bench bench-ingest bench-documents \
	bench-alerts bench-reviews worker beat clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Installed requirements are recorded by a stamp, so a changed requirements file reinstalls.
$(VENV)/.installed-base: requirements/base.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.installed-local: requirements/base.txt requirements/local.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements/local.txt
	touch $@ $(VENV)/.installed-base

install: libmagic pdf-if-possible $(VENV)/.installed-base
install-test: libmagic pdf $(VENV)/.installed-local

## libmagic: Debian's libmagic1, which sniffs the type of an uploaded document from its bytes (python-magic's
## library; most Debian machines have it through the `file` command); needs root or sudo when it is missing.
libmagic:
	@if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1'; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libmagic1 >/dev/null; \
	fi

## pdf: what WeasyPrint needs for the client report's PDF: Debian's Pango, HarfBuzz's subsetter (fonts are embedded
## as subsets), fontconfig and the Noto CJK fonts for Chinese; needs root or sudo when one is missing. `make test` needs
## them; `make run` tries (pdf-if-possible) and goes on without: the HTML report works, its PDF says what to install.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk
pdf:
	@missing=$$(for package in $(PDF_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q 'ok installed' || echo $$package; done); \
	if [ -n "$$missing" ]; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

pdf-if-possible:
	@$(MAKE) --no-print-directory pdf 2>/dev/null || \
	  echo "The client report's PDF needs $(PDF_PACKAGES) (apt-get install as root); the HTML report works without."

## run: SQLite, tasks in-process, demo data loaded once; prints the URL and the logins.
run: install
	@unset DATABASE_URL REDIS_URL CELERY_BROKER_URL; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py loaddemo && \
	echo && echo "Open http://$(HOST):$(PORT)/admin/ (API docs: http://$(HOST):$(PORT)/api/docs/)" && echo && \
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py runserver $(HOST):$(PORT)

## browser: Debian's Chromium for the browser tests (no browser download); needs root or sudo.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

## redis: Debian's redis-server for the outage tests, which start their own on a free port; needs root or sudo.
redis:
	@if ! command -v redis-server >/dev/null; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server >/dev/null; \
	fi

## test: the whole suite. PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, SQLite otherwise.
## Without REDIS_URL the integration tests (a real Celery worker on Redis) cannot run and are deselected,
## loudly; CI sets both (see .ci/run) and runs everything.
## The import contracts of pyproject.toml (app layers, no cycles) are checked first: an import that runs the
## wrong way fails the run before any test does.
test: install-test browser redis
	@if [ -n "$$REDIS_URL" ]; then \
	  $(VENV)/bin/lint-imports && $(PY) -m pytest $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
	  echo "CI needs REDIS_URL for the integration tests" >&2; exit 2; \
	else \
	  echo "REDIS_URL is not set: deselecting the integration tests (set it to run them)."; \
	  $(VENV)/bin/lint-imports && $(PY) -m pytest -m "not integration" $(PYTEST_ARGS); \
	fi

## worker: a Celery worker on the broker of REDIS_URL (or CELERY_BROKER_URL) and the database of DATABASE_URL, with the
## settings' acknowledgements, time limits and prefetch (CELERY_* in config/settings/base.py). Start as many as you
## like, on any machine that reaches both; WORKER_ARGS adds options, e.g. WORKER_ARGS="--concurrency=4".
## worker and beat use DJANGO_SETTINGS_MODULE when it is set (production sets it), else config.settings.local.
worker: install
	@if [ -z "$$REDIS_URL$$CELERY_BROKER_URL" ]; then \
	  echo "make worker needs the broker: set REDIS_URL (e.g. redis://127.0.0.1:6379/0)" >&2; exit 2; fi
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} \
	  $(VENV)/bin/celery -A config worker --loglevel=INFO $(WORKER_ARGS)

## beat: celery beat, which sends the periodic tasks of CELERY_BEAT_SCHEDULE (the daily health sweep, the digests,
## the escalations, ...) to the broker of REDIS_URL. Run exactly one. It keeps its last run times in var/.
beat: install
	@if [ -z "$$REDIS_URL$$CELERY_BROKER_URL" ]; then \
	  echo "make beat needs the broker: set REDIS_URL (e.g. redis://127.0.0.1:6379/0)" >&2; exit 2; fi
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} \
	  $(VENV)/bin/celery -A config beat --loglevel=INFO --schedule=var/celerybeat-schedule

messages:
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: install-test
	$(PY) bench/run.py

## bench-ingest: the metrics ingestion against a raw COPY, on the PostgreSQL of DATABASE_URL (a few minutes).
bench-ingest: install-test
	$(PY) bench/ingest.py

## bench-documents: upload and download of a 2 MiB and a 20 MiB document through the API on the local storage:
## throughput, and peak memory that must not grow with the file size (SQLite unless DATABASE_URL is set).
bench-documents: install-test
	$(PY) bench/documents.py

## bench-alerts: 10,000 stores evaluated in chunks of 500 through the evaluation task (health evaluation and alert
## sync) against one set-based SQL query of the same red flags, on the PostgreSQL of DATABASE_URL (about a minute):
## the ratio (goal: within 2x), the queries per chunk (constant) and the broker messages (ceil(stores/500) + c).
bench-alerts: install-test
	$(PY) bench/alerts.py

## bench-reviews: a review cycle opened for 10,000 stores with a month of snapshots, against one SQL aggregate of the
## same month, and the peak memory of its XLSX export, on the PostgreSQL of DATABASE_URL (a few minutes).
bench-reviews: install-test
	$(PY) bench/reviews.py

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles
