from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running the site: the health endpoint, backups and restores. No models."""

    name = "operations"
