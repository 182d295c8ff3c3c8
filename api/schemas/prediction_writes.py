from datetime import date, datetime

from ninja import Field, Schema

# A probability is a number from 0 to 1 (as the API answers it) or text as the forms read
# it: "70%", "1 in 20", "likely".
Probability = float | str


class PredictionIn(Schema):
    """A yes/no prediction, read by the new-prediction page's form."""

    question: str = Field(max_length=10_000)
    probability: Probability
    resolve_by: str = Field("", max_length=200, description="ISO date or words.")
    resolution_criteria: str = Field("", max_length=10_000)
    notes: str = Field("", max_length=20_000)
    visibility: str = Field("private", max_length=20)
    tags: str = Field("", max_length=1000, description="New or existing tag names.")
    confirm_past: bool = Field(False, description="Save a resolve-by date in the past.")


class PredictionSavedOut(Schema):
    id: int
    kind: str
    question: str
    status: str
    resolve_by: date


class ResolveIn(Schema):
    outcome: str = Field(max_length=100, description="yes, no or annulled.")
    known_at: datetime | None = None
    note: str = Field("", max_length=10_000)
    evidence: int | None = Field(None, description="The resolving evidence link's id.")


class ExtendIn(Schema):
    resolve_by: date
    note: str = Field("", max_length=1000)
