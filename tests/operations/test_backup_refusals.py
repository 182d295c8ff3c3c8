"""What `manage.py backup` and `restore` refuse, with a message and nothing changed."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from operations.backups import postgres, sqlite
from predictions.models import Prediction
from tests.predictions.factories import PredictionFactory

pytestmark = pytest.mark.django_db


def test_backup_never_overwrites(tmp_path):
    existing = tmp_path / "kept.backup"
    existing.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(existing))
    assert existing.read_bytes() == b"an older backup"


def test_backup_into_a_missing_directory_is_refused(tmp_path):
    with pytest.raises(CommandError, match="is not a directory"):
        call_command("backup", str(tmp_path / "no" / "such.backup"))


def test_restore_refuses_what_is_not_a_backup_of_this_engine(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("id,question\n1,<script>alert(1)</script>\n")
    with pytest.raises(CommandError, match=r"is not a .*made on this engine"):
        call_command("restore", str(bogus))
    with pytest.raises(CommandError, match="is not a file"):
        call_command("restore", str(tmp_path / "missing.backup"))


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    """The test database has tables and a prediction: refused before anything is read
    beyond the file's header (a real backup restored into a new database is
    test_backup_restore.py's)."""
    PredictionFactory()
    made = tmp_path / "looks-right.backup"
    header = sqlite.HEADER if connection.vendor == "sqlite" else postgres.HEADER
    made.write_bytes(header + b"\0" * 64)
    with pytest.raises(CommandError, match="the database is not empty"):
        call_command("restore", str(made))
    assert Prediction.objects.count() == 1
