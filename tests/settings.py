"""Test settings: the real settings with debug on and fast password hashing.

DATABASE_URL still chooses the database, so the suite runs on SQLite or PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "1")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Uploads of this run in a directory of its own (tests that roll back leave files behind),
# unless a test's subprocesses are told to share one.
if not os.environ.get("FALSIFIABLE_IMPORT_DIR"):
    STORAGES["imports"]["OPTIONS"]["location"] = tempfile.mkdtemp(prefix="falsifiable-imports-")  # noqa: F405
# The test process is one process with many threads (live servers, in-process workers,
# heartbeats), so the pool sized for one gunicorn worker (4) runs dry there and a
# heartbeat waits its 10 s out. Pooling itself keeps being tested, with this larger size.
if "pool" in DATABASES["default"].get("OPTIONS", {}):  # noqa: F405
    DATABASES["default"]["OPTIONS"]["pool"]["max_size"] = 12  # noqa: F405
