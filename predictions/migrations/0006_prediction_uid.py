"""Every prediction gets a globally unique, stable `uid` that our exports write, so an
import matches a prediction by it rather than by a primary key
(docs/decisions/0013-import-matching-by-key.md). Existing rows are given one each: the
column is added nullable, filled, then made unique and required."""

import uuid

from django.db import migrations, models

BATCH = 2000


def fill_uids(apps, schema_editor):
    Prediction = apps.get_model("predictions", "Prediction")
    pending = Prediction.objects.filter(uid__isnull=True).order_by("pk").values_list("pk", flat=True)
    while ids := list(pending[:BATCH]):
        Prediction.objects.bulk_update(
            [Prediction(pk=pk, uid=uuid.uuid4()) for pk in ids], ["uid"], batch_size=500
        )


class Migration(migrations.Migration):
    dependencies = [
        ("predictions", "0005_email_verification_login_gate"),
    ]

    operations = [
        migrations.AddField(
            model_name="prediction",
            name="uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_uids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="prediction",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
