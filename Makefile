# The two commands a newcomer needs (see README):
#   make run    install everything, set up the SQLite database and a demo account, serve on :8000
#               with a job worker beside it (both stop on Ctrl-C)
#   make test   install everything and run the whole test suite (scripts/test.sh)
PY := .venv/bin/python

.PHONY: run test lint bench ci

run:
	@scripts/bootstrap.sh dev
	@DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput -v0
	@DJANGO_DEBUG=1 $(PY) manage.py load_demo
	@# The job worker (large imports) runs beside the server; Ctrl-C stops both.
	@DJANGO_DEBUG=1 $(PY) manage.py db_worker -v0 & worker=$$!; \
	 trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	 DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test:
	@scripts/bootstrap.sh dev
	@scripts/test.sh

lint:
	@scripts/bootstrap.sh dev
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@.venv/bin/lint-imports
	@$(PY) -m mypy
	@DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

bench:
	@scripts/bootstrap.sh dev
	@scripts/bench.sh

ci:
	@bash .ci/run
