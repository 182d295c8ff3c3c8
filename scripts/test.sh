#!/usr/bin/env bash
# Runs the whole test suite: lint, migration check, then pytest (browser journeys included).
# DATABASE_URL chooses the database (SQLite when unset). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python

"$py" -m ruff check .
"$py" -m ruff format --check .
# Checked against SQLite: the named PostgreSQL database may not exist (pytest makes test_*).
env -u DATABASE_URL DJANGO_DEBUG=1 "$py" manage.py makemigrations --check --dry-run >/dev/null \
    || { echo "error: models changed without a migration (run manage.py makemigrations)" >&2; exit 1; }
# The browser journeys need Debian's Chromium; this installs it when we can (root + apt).
scripts/ensure_chromium.sh || true
"$py" -m pytest "$@"
