# Bianmin: `make demo` runs the product on this machine; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= bianmin.settings.local
# Python caches compiled modules in __pycache__ (git ignores them): a host that turns the cache off
# (PYTHONDONTWRITEBYTECODE) makes every process compile the project and its packages again, about 5 s of CPU
# each, and the suite starts dozens (its workers, live servers, the CLI runs it checks).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test install lint format messages openapi serve clean bench bench-smoke deploy-local deploy-local-stop deploy-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# The demo runs as production does (gunicorn, DEBUG off) on plain http://127.0.0.1.
demo: export DJANGO_SETTINGS_MODULE = bianmin.settings.demo
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py workdays seed
	$(BIN)/python manage.py demo_load
	$(BIN)/python manage.py statistics rebuild
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py serve --port $(PORT) --reference-receiver

test: install
	$(BIN)/python -m ruff check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=bianmin.settings.test $(BIN)/python -m pytest -p no:cacheprovider -n 2 --dist worksteal $(PYTEST_ARGS)

# A trial of the production deployment on this machine (deploy/local.py): nginx on 127.0.0.1:$(DEPLOY_PORT) in front
# of two web nodes, PostgreSQL, Redis, a shared media directory, the worker and the scheduler; Ctrl-C stops it all.
# nginx comes from Debian's package, installed here when missing (as root, like .ci/run's packages).
DEPLOY_PORT ?= 8080
export DEPLOY_PORT
deploy-local: install
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  [ "$$(id -u)" = 0 ] || { echo "deploy-local: nginx is missing; install it: sudo apt-get install nginx"; exit 1; }; \
	  echo "deploy-local: installing nginx"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
	$(BIN)/python deploy/local.py run

deploy-local-stop:
	$(BIN)/python deploy/local.py stop

# Against the running trial: a login, a session, the shared cache and an uploaded file, through both nodes.
deploy-check:
	$(BIN)/python deploy/check.py --url http://127.0.0.1:$(DEPLOY_PORT)/

# HTTP benchmark (bench/README.md): the production server over the 10^6-case dataset, built once and reused.
BENCH_CASES ?= 1000000
BENCH_OPEN ?= 100000
BENCH_DB := var/bench/cases-$(BENCH_CASES).sqlite3
bench: install
	$(BIN)/python bench/dataset.py --cases $(BENCH_CASES) --open $(BENCH_OPEN) --path $(BENCH_DB)
	$(BIN)/python bench/http_bench.py --database-url sqlite:///$(CURDIR)/$(BENCH_DB) $(BENCH_ARGS)

# The same harness on a tiny dataset, a few requests each: fails on any failed request (CI runs it).
bench-smoke: install
	$(BIN)/python bench/dataset.py --cases 2000 --open 300 --path var/bench/smoke.sqlite3
	$(BIN)/python bench/http_bench.py --database-url sqlite:///$(CURDIR)/var/bench/smoke.sqlite3 --repeat 3 --duration 3

lint: install
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

format: install
	$(BIN)/python -m ruff check --fix .
	$(BIN)/python -m ruff format .

messages: install
	$(BIN)/python manage.py translations

# The committed OpenAPI document (tests/test_api_contract.py fails while it differs from what the code generates).
openapi: install
	$(BIN)/python manage.py export_openapi_schema --api bianmin.api.api --indent 2 --sorted --output docs/openapi.json

clean:
	rm -rf $(VENV) var
