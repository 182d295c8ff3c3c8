# New predictions get a time-ordered uid (predictions.uids.new_uid, a UUID version 7);
# existing uids stay as they are. A Python default only: nothing changes in the
# database, so the state changes alone (SQLite would otherwise copy the whole table).

import predictions.uids
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("predictions", "0008_profile_data_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="prediction",
                    name="uid",
                    field=models.UUIDField(
                        default=predictions.uids.new_uid, editable=False, unique=True
                    ),
                ),
            ],
        ),
    ]
