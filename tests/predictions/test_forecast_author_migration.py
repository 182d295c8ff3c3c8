"""Migration 0007: forecasts made before groups get their prediction's owner as author."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("predictions", "0006_prediction_uid"), ("groups", "0001_initial")]
AFTER = [("predictions", "0007_forecast_author_groups")]


@pytest.mark.django_db(transaction=True)
def test_every_old_forecast_is_its_owners():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("auth", "User")
    Prediction, Forecast = (old.get_model("predictions", n) for n in ("Prediction", "Forecast"))
    owners = [User.objects.create(username=f"owner{i}") for i in range(2)]
    for owner in owners:
        prediction = Prediction.objects.create(owner=owner, question="Q?", resolve_by="2027-01-01")
        Forecast.objects.create(prediction=prediction, probability="0.5")
        Forecast.objects.create(prediction=prediction, probability="0.6")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    rows = new.get_model("predictions", "Forecast").objects.values_list(
        "author_id", "prediction__owner_id"
    )
    assert len(rows) == 4
    assert all(author == owner for author, owner in rows)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
