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

.PHONY: run test setup lint typecheck browser-deps pytest totp worker bench bench-intake clean messages \
	backup restore drill-restore bench-load

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

# Backup and point-in-time restore (docs/deployment.md, "Backup and restore"). backup reads
# PGHOST/PGPORT/PGUSER, BACKUP_DIR and MEDIA_ROOT from the environment.
backup:
	deploy/backup/backup.sh $(if $(MEDIA_ONLY),--media-only)

# make restore BACKUP=/var/backups/jixiao/20261130T… PGDATA=/var/lib/postgresql/16/restored
#   TARGET_TIME='2026-11-30 09:15:00+08' [WAL_ARCHIVE=…] [MEDIA_BACKUP=…] [MEDIA_ROOT=…]
restore:
	@test -n "$(BACKUP)" -a -n "$(PGDATA)" || { echo "需要 BACKUP=… PGDATA=…（可选 TARGET_TIME=…）"; exit 2; }
	deploy/backup/restore.sh "$(BACKUP)" "$(PGDATA)" "$(TARGET_TIME)"

# The whole drill on throwaway clusters under /tmp (never the machine's server).
drill-restore: setup
	$(PY) deploy/backup/drill.py

# The deadline-rush load test (bench/load/README.md). LOAD_USERS, LOAD_SECONDS as you like.
LOAD_USERS ?= 200
LOAD_SECONDS ?= 60
bench-load: setup
	DATABASE_URL=$${DATABASE_URL:?set DATABASE_URL to a PostgreSQL server} \
	  $(PY) bench/load/run.py --users $(LOAD_USERS) --seconds $(LOAD_SECONDS)

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
