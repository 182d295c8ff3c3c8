"""Settings for the scheduler and worker processes the concurrency test starts: the test
settings with mail written to files in $FALSIFIABLE_TEST_MAIL_DIR, so every process's
mail can be counted afterwards."""

import os

from tests.settings import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["FALSIFIABLE_TEST_MAIL_DIR"]},
    }
}
