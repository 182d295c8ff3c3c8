"""Benchmark: the import preview GET of a large upload against a tiny one.

Run from the repository root:

    .venv/bin/python tests/perf/bench_import_preview.py [--rows 200000]

On a throwaway database (a SQLite file in a temporary directory, or, when DATABASE_URL is
set, Django's test database on that server, created and dropped here), one user uploads
a generic CSV of `--rows` rows (checked once, inline, and timed) and a 20-row one (a
full preview table) as the baseline; then the preview page of each is requested (2
warm-ups, the median of 20).
The page is rendered from the stored summary, so its time and size should not grow
with the file: the ratio large/baseline should stay near 1 (docs/decisions/0014).
Also measured: a CSV whose header has 100,000 columns (0.7 MB), the attack of issue #11.
Exits non-zero if a request fails or a page is over 50 KB.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PAGE_LIMIT = 50_000


def setup_django(tmp: str):
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
    os.environ.setdefault("FALSIFIABLE_IMPORT_DIR", str(Path(tmp) / "imports"))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.FALSIFIABLE_IMPORT_INLINE_BYTES = 10**10  # checked in the request, timed
    settings.FALSIFIABLE_MAX_UPLOAD_BYTES = 10**10
    if connection.vendor == "sqlite":
        settings.DATABASES["default"]["TEST"]["NAME"] = str(Path(tmp) / "test_bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return lambda: connection.creation.destroy_test_db(old_name, verbosity=0)


def generic_csv(rows: int) -> bytes:
    lines = ["question,probability,created,resolve_by"]
    lines += [f"Benchmark claim {i} holds,0.{i % 9 + 1},2024-01-02,2026-12-31" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def measure(client, name: str, content: bytes) -> tuple[float, float, int]:
    """(seconds to upload and check, median ms of the preview GET, page bytes)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    started = time.perf_counter()
    response = client.post(
        reverse("reports:import_upload"),
        {"file": SimpleUploadedFile(name, content), "format": "auto"},
    )
    upload_seconds = time.perf_counter() - started
    if response.status_code != 302:
        raise SystemExit(f"{name}: upload answered {response.status_code}")
    url = response["Location"]
    times = []
    for i in range(22):
        started = time.perf_counter()
        page = client.get(url)
        if i >= 2:
            times.append((time.perf_counter() - started) * 1000)
        if page.status_code != 200:
            raise SystemExit(f"{name}: preview answered {page.status_code}")
    client.post(url + "cancel/")
    return upload_seconds, statistics.median(times), len(page.content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        drop = setup_django(tmp)
        try:
            from django.contrib.auth import get_user_model
            from django.test import Client

            client = Client()
            client.force_login(get_user_model().objects.create_user("bench", password="b"))
            bomb = ",".join(f"c{i}" for i in range(100_000)).encode() + b"\nx,0.5\n"
            measure(client, "warm-up.csv", generic_csv(3))  # imports, template loading
            cases = [
                ("baseline (20 rows)", generic_csv(20)),
                (f"{args.rows:,} rows", generic_csv(args.rows)),
                ("100,000-column header", bomb),
            ]
            results = [
                (label, len(content), *measure(client, "f.csv", content))
                for label, content in cases
            ]
        finally:
            drop()
    base_ms = results[0][3]
    print(f"{'file':<24}{'size':>12}{'check s':>10}{'GET ms':>9}{'ratio':>7}{'page B':>9}")
    status = 0
    for label, size, check_s, get_ms, page_bytes in results:
        ratio = get_ms / base_ms
        print(f"{label:<24}{size:>12,}{check_s:>10.2f}{get_ms:>9.1f}{ratio:>7.2f}{page_bytes:>9,}")
        status |= page_bytes > PAGE_LIMIT
    return status


if __name__ == "__main__":
    sys.exit(main())
