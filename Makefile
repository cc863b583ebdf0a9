# The two commands a new machine needs: `make run` and `make test`.
PYTHON_BOOTSTRAP ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements

.PHONY: run test install lint format messages check-deploy bench clean

$(PY):
	$(PYTHON_BOOTSTRAP) -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	cp requirements.txt $(STAMP)

install: $(STAMP)

## run: the whole product (web, worker, scheduler) with demo data; Ctrl-C stops it all
run: install
	$(PY) scripts/run.py

## test: the whole suite; PostgreSQL/Redis on 127.0.0.1 when they answer, else SQLite
test: install
	$(PY) scripts/run_tests.py $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## messages: refresh the Japanese catalogue after changing strings, then compile it
messages: install
	$(PY) manage.py makemessages -l ja --no-obsolete --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages -l ja --ignore=.venv

check-deploy: install
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=market.example.jp $(PY) manage.py check --deploy --fail-level WARNING

## bench: the benchmarks against PostgreSQL and Redis on 127.0.0.1, behind nginx (installed if missing)
bench: install
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
	  echo "Installing nginx-light: the bench runs the production web tier (docs/deployment.md)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-upgrade nginx-light >/dev/null \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-upgrade nginx-light >/dev/null; }; \
	  service nginx stop >/dev/null 2>&1 || true; }
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var
