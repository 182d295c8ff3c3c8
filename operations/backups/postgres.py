"""PostgreSQL: pg_dump and pg_restore, given the connection settings of the site.

pg_dump reads the whole database in one repeatable-read transaction, so the dump is the
database as of one moment, and writers are not blocked. The custom format (-Fc) is
compressed and lets pg_restore load it in one transaction. The client tools should be
the server's major version or newer.
"""

import os
import subprocess
from pathlib import Path

DESCRIPTION = "pg_dump custom-format archive (pg_dump -Fc)"
HEADER = b"PGDMP"


class ToolFailed(Exception):
    pass


def client_environment(settings: dict) -> dict[str, str]:
    """The libpq variables for the site's database: the password never goes on a
    command line, where other users of the machine could read it."""
    env = dict(os.environ)
    options = settings.get("OPTIONS", {})
    for variable, value in (
        ("PGHOST", settings.get("HOST")),
        ("PGPORT", settings.get("PORT")),
        ("PGUSER", settings.get("USER")),
        ("PGPASSWORD", settings.get("PASSWORD")),
        ("PGDATABASE", settings.get("NAME")),
        ("PGSSLMODE", options.get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _run(command: list[str], settings: dict) -> None:
    try:
        result = subprocess.run(
            command, env=client_environment(settings), capture_output=True, text=True
        )
    except FileNotFoundError as exc:
        raise ToolFailed(f"{command[0]} is not installed (PostgreSQL's client tools)") from exc
    if result.returncode != 0:
        raise ToolFailed(f"{command[0]} failed: {result.stderr.strip()}")


def backup(connection, path: Path) -> None:
    partial = path.with_name(f".{path.name}.partial")
    try:
        _run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"],
            connection.settings_dict,
        )
    except ToolFailed:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)


def restore(connection, path: Path) -> None:
    # One transaction: a restore that fails part way leaves the database empty again.
    connection.close()
    _run(
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         f"--dbname={connection.settings_dict['NAME']}", str(path)],
        connection.settings_dict,
    )  # fmt: skip
