#!/usr/bin/env bash
# Runs the whole test suite: ruff, import contracts (import-linter), types (mypy), the
# migration check, then pytest (browser journeys included).
# DATABASE_URL chooses the database (SQLite when unset). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python

"$py" -m ruff check .
"$py" -m ruff format --check .
# Dependencies point one way (the contracts are in pyproject.toml, docs/design.md §2).
.venv/bin/lint-imports
# Types of the app code, with the Django plugin (configured in pyproject.toml).
"$py" -m mypy
# Checked against SQLite: the named PostgreSQL database may not exist (pytest makes test_*).
env -u DATABASE_URL DJANGO_DEBUG=1 "$py" manage.py makemigrations --check --dry-run >/dev/null \
    || { echo "error: models changed without a migration (run manage.py makemigrations)" >&2; exit 1; }
# The browser journeys need Debian's Chromium; this installs it when we can (root + apt).
scripts/ensure_chromium.sh || true
"$py" -m pytest "$@"
