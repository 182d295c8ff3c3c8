from datetime import datetime

from ninja import Field, Schema

from api.schemas.prediction_writes import Probability


class ForecastIn(Schema):
    probability: Probability
    rationale: str = Field("", max_length=10_000)
    evidence: int | None = Field(None, description="The evidence link's id it cites.")


class ForecastSavedOut(Schema):
    id: int
    prediction_id: int
    probability: float | None  # 0–1
    phrase: str
    rationale: str
    created_at: datetime
