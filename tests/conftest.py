import pytest


@pytest.fixture(autouse=True)
def _fast_static(settings):
    """Tests render templates with plain static URLs (no manifest needed)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
