#!/usr/bin/env bash
# Creates .venv with a Python >= 3.12 and installs the pinned dependencies.
# Usage: scripts/bootstrap.sh [base|dev]   (dev adds the test tools)
# Looks for Python on PATH first, then among pyenv's installed versions.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-dev}"
venv="${VENV:-.venv}"

is_suitable() {
    "$1" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null
}

find_python() {
    local candidate
    for candidate in python3.14 python3.13 python3.12 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 && is_suitable "$(command -v "$candidate")"; then
            command -v "$candidate"
            return 0
        fi
    done
    local root="${PYENV_ROOT:-}"
    if [ -z "$root" ] && command -v pyenv >/dev/null 2>&1; then root="$(pyenv root)"; fi
    [ -n "$root" ] || root="$HOME/.pyenv"
    for candidate in $(ls -d "$root"/versions/3.* 2>/dev/null | sort -rV); do
        if [ -x "$candidate/bin/python3" ] && is_suitable "$candidate/bin/python3"; then
            echo "$candidate/bin/python3"
            return 0
        fi
    done
    return 1
}

if [ ! -x "$venv/bin/python" ] || ! is_suitable "$venv/bin/python"; then
    if ! python="$(find_python)"; then
        echo "error: Falsifiable needs Python 3.12 or newer (with the venv module)." >&2
        echo "       None was found on PATH (python3.14 … python3, python) or under pyenv's versions." >&2
        echo "       Install one, e.g. 'pyenv install 3.13' or your system's python3.12 package, and retry." >&2
        exit 1
    fi
    echo "Creating $venv with $python"
    rm -rf "$venv"
    "$python" -m venv "$venv"
fi

lock="requirements/$profile.txt"
stamp="$venv/.installed-$profile"
if [ ! -f "$stamp" ] || ! cmp -s "$lock" "$stamp"; then
    echo "Installing $lock into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock"
    cp "$lock" "$stamp"
fi
