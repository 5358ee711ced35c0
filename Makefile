# Jixiao: `make run` sets everything up and serves the embedded default;
# `make test` runs the whole check suite (CI calls it too).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed
STAMP_JS := node_modules/.installed
# The embedded default is plain HTTP on 127.0.0.1 with DEBUG off. `make run PORT=8080
# JIXIAO_DATA_DIR=/srv/jixiao` serves another port and keeps the database, secret key and
# files elsewhere; `make totp` (and every target below) reads the same settings.
PORT ?= 8000
JIXIAO_DATA_DIR ?= data
RUN_ENV := JIXIAO_HTTPS=0 JIXIAO_DATA_DIR=$(abspath $(JIXIAO_DATA_DIR))

.PHONY: run test setup lint typecheck browser-deps pytest totp worker bench bench-intake clean messages

setup: $(STAMP_PY) $(STAMP_JS)

$(STAMP_PY): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(STAMP_JS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: setup
	$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	$(RUN_ENV) $(PY) manage.py createcachetable
	$(RUN_ENV) $(PY) manage.py load_demo --if-empty
	@echo "Jixiao 已启动：http://127.0.0.1:$(PORT)  （Ctrl+C 停止）"
	$(RUN_ENV) $(VENV)/bin/gunicorn jixiao.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 8 \
	  --access-logfile - --log-level warning

totp: setup
	@$(RUN_ENV) $(PY) manage.py demo_totp

worker: setup
	$(PY) -m celery -A jixiao worker --loglevel=info

lint: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

typecheck: setup
	$(VENV)/bin/mypy jixiao

pytest: setup
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(PY) -m pytest -q $(PYTEST_ARGS)

# Browser tests drive Debian's chromium (never a browser a test tool downloads).
# Installed here when missing and we are root; otherwise they are skipped (not on CI).
browser-deps:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium 未安装：浏览器测试将跳过（apt-get install chromium）"; fi; }

# On PostgreSQL when DATABASE_URL is set, on SQLite otherwise.
test: lint typecheck browser-deps pytest

bench: setup
	$(PY) bench/bench_engine.py

# Public rating intake through gunicorn on PostgreSQL (bench/README.md); needs a database
# it may fill and a Redis db: BENCH_DATABASE_URL, BENCH_REDIS_URL, SECONDS to override.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/jixiao_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/5
SECONDS ?= 60
bench-intake: setup
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) \
	  $(PY) bench/bench_rating_intake.py --seconds $(SECONDS)

# Msgids are Chinese; refresh the English catalog from the source, then compile it.
# The .mo is committed (a user machine may have no gettext). Needs gettext here.
messages: $(STAMP_PY)
	$(PY) manage.py makemessages -l en --ignore=node_modules --ignore=.venv --ignore=bench \
	  --ignore=data --ignore='test-artifacts' --no-obsolete
	$(PY) manage.py compilemessages -l en --ignore=node_modules --ignore=.venv

clean:
	rm -rf $(VENV) node_modules $(JIXIAO_DATA_DIR)/static
