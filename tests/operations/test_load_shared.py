"""The shared-question mode of tests/perf/load.py, small: a few clients of one group
forecast at once on the same shared questions through a real gunicorn server, and every
acknowledged forecast must be in the database. Runs on the database the suite runs on."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_clients_forecasting_together_lose_nothing():
    db = "postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    command = [sys.executable, "tests/perf/load.py", "--db", db, "--clients", "4"]
    command += ["--shared", "2", "--updates", "2", "--deadline", "120"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=400)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # 4 clients x 2 questions x 2 forecasts, each acknowledged and each found again.
    figures = re.search(
        rf"{db}: shared questions: acknowledged forecasts (\d+), found in the database (\d+), "
        r"lost (\d+), errors (\d+)",
        output,
    )
    assert figures, output
    assert figures.groups() == ("16", "16", "0", "0"), output
