from datetime import date, datetime

from ninja import Schema


class LatestForecastOut(Schema):
    created_at: datetime
    probability: float | None  # yes/no only, 0–1
    summary: str  # the list's few words: "70%", "Leaked early 60%", "median 3 Mar 2027"


class PredictionBase(Schema):
    id: int
    question: str
    kind: str
    status: str
    resolve_by: date
    created_at: datetime
    owner: str  # display name (predictions.names.member_name)


class PredictionItemOut(PredictionBase):
    latest_forecast: LatestForecastOut | None  # the reader's own


class PredictionPageOut(Schema):
    items: list[PredictionItemOut]
    next_cursor: str | None  # pass as ?cursor= for the next page; null on the last


class OptionOut(Schema):
    id: int
    label: str


class OptionProbabilityOut(Schema):
    option_id: int
    probability: float


class QuantileOut(Schema):
    level: float
    value: date


class ForecastOut(Schema):
    id: int
    author: str
    mine: bool
    created_at: datetime
    probability: float | None
    phrase: str
    rationale: str
    evidence_id: int | None
    options: list[OptionProbabilityOut]
    quantiles: list[QuantileOut]


class EvidenceOut(Schema):
    id: int
    url: str
    title: str
    stance: str
    quote: str
    note: str
    created_at: datetime


class ResolutionEventOut(Schema):
    action: str
    outcome: bool | None
    outcome_option_id: int | None
    outcome_date: date | None
    known_at: datetime | None
    evidence_id: int | None
    created_at: datetime


class CommunityOut(Schema):
    forecasters: int
    probability: float | None = None  # yes/no: from the geometric mean of the odds
    median: float | None = None  # yes/no
    options: list[OptionProbabilityOut] = []  # multiple choice, totalling 1
    quantiles: list[QuantileOut] = []  # release date


class ScoreOut(Schema):
    scored: bool
    reason: str  # why not scored: "open", "annulled", "no_outcome", "no_forecast", "all_late"
    brier: float | None
    brier_time_avg: float | None
    log_loss: float | None
    final_probability: float | None
    pinball_mean: float | None
    wis: float | None


class PredictionOut(PredictionBase):
    resolution_criteria: str
    outcome: bool | None
    outcome_option_id: int | None
    outcome_date: date | None
    known_at: datetime | None
    options: list[OptionOut]
    # Those the reader may see (predictions.sharing): only their own while others' are hidden.
    forecasts: list[ForecastOut]
    others_hidden: bool
    community: CommunityOut | None  # shared questions whose others the reader may see
    evidence: list[EvidenceOut]
    resolution_history: list[ResolutionEventOut]
    score: ScoreOut | None  # the reader's, once resolved
