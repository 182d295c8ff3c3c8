"""A group's scores: every current member's score on the questions shared with the
group, their relative Brier, and the leaderboard (docs/design.md §4, "Scores in a
group"), in at most five queries however many questions and members there are.

Questions are the group's resolved yes/no and multiple-choice predictions (the Brier
kinds, as the dashboard's Brier figures; release dates have no Brier), narrowed by the
dashboard's filters (`predictions.list_filters.narrow`), each forecaster scored on their
own history by `reports.scoring` through `per_forecaster`. Only current members'
forecasts are read: someone who left is neither listed nor anyone's "other forecaster".

The group is reached through its reverse relations (`memberships`, `predictions`), so
the reports never import the groups app.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from django.db.models import F, Q

from predictions.list_filters import narrow
from predictions.models import Forecast, OptionProbability, Prediction, Profile
from reports.scoring.kinds import score_binary_histories, score_choice_histories
from reports.scoring.relative import (
    SCORE_COLUMNS,
    Leaderboard,
    leaderboard,
    per_forecaster,
    with_relative,
)
from reports.selectors.frames import forecast_frame, option_frame
from reports.selectors.raw import as_stored, read_frame, utc

BRIER_KINDS = (Prediction.Kind.BINARY, Prediction.Kind.MULTIPLE_CHOICE)


@dataclass(frozen=True)
class ForecasterScore:
    """One member's scores on one question; relative ones None when nobody else forecast."""

    member_id: int
    name: str
    brier: float
    brier_time_avg: float
    relative: float | None
    relative_time_avg: float | None


@dataclass(frozen=True)
class QuestionScores:
    prediction_id: int
    question: str
    kind: str
    resolved_at: datetime
    forecasters: list[ForecasterScore]  # lowest final Brier first


@dataclass(frozen=True)
class GroupScores:
    leaderboard: Leaderboard
    questions: list[QuestionScores]  # most recently resolved first


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


def group_questions(group, profile: Profile, **filters):
    """The group's resolved Brier-kind predictions matching the filters
    (`Filters.selector_kwargs()`, dates in `profile`'s time zone), leaving out any whose
    forecasts are hidden from everyone until a later date (`predictions.sharing`)."""
    shared = Prediction.objects.filter(shared_with=group).order_by()
    qs = narrow(shared, profile, **filters).filter(
        status=Prediction.Status.RESOLVED, kind__in=BRIER_KINDS
    )
    return qs.filter(Q(hidden_until__isnull=True) | Q(hidden_until__lte=profile.today()))


def group_scores(group, *, profile: Profile, **filters) -> GroupScores:
    """The leaderboard and per-question scores of `group`'s current members over the
    questions of `group_questions`. Four queries (members, questions, forecasts, their
    authors), five when a multiple-choice question is among them."""
    members = [
        (user_id, display or username)
        for user_id, username, display in group.memberships.order_by().values_list(
            "user_id", "user__username", "user__profile__display_name"
        )
    ]
    names = dict(members)
    rows, scores = question_scores(group_questions(group, profile, **filters), list(names))
    board = leaderboard(members, scores, len(rows))
    return GroupScores(board, _question_rows(rows, scores, names))


def question_scores(questions_qs, author_ids: list[int] | None = None):
    """(rows, scores) for the resolved Brier-kind predictions of `questions_qs`: `rows`
    the scorable questions (index prediction_id), `scores` `with_relative`'s frame, each
    forecaster among `author_ids` scored on their own history. When `author_ids` is
    None, the forecasters who may read the question now (its owner and the current
    members of a group it is shared with), as the group page counts only current
    members: someone who left is nobody's "other forecaster". Three queries, four when
    a multiple-choice question is among them. The group page and the notifications
    (their "your score" line) share it."""
    columns = ["prediction_id", "kind", "question", "resolved_at", "known_at"]
    columns += ["outcome", "outcome_option_id"]
    questions_qs = questions_qs.filter(status=Prediction.Status.RESOLVED, kind__in=BRIER_KINDS)
    rows = read_frame(
        questions_qs.values_list(
            "pk",
            "kind",
            "question",
            as_stored("resolved_at"),
            as_stored("known_at"),
            "outcome",
            "outcome_option_id",
        ),
        columns,
    ).set_index("prediction_id")
    rows["resolved_at"], rows["known_at"] = utc(rows["resolved_at"]), utc(rows["known_at"])
    rows["kind"] = rows["kind"].astype(str)
    # A multiple-choice resolution without its winner cannot be scored (scored.py too).
    rows = rows[(rows["kind"] == Prediction.Kind.BINARY) | rows["outcome_option_id"].notna()]

    forecast_qs = Forecast.objects.filter(prediction__in=questions_qs.values("pk"))
    if author_ids is not None:
        forecast_qs = forecast_qs.filter(author__in=author_ids)
    else:
        members = Forecast.objects.filter(prediction__shared_with__memberships__user=F("author"))
        forecast_qs = forecast_qs.filter(
            Q(author=F("prediction__owner")) | Q(pk__in=members.values("pk"))
        )
    forecasts = forecast_frame(forecast_qs)
    authors = read_frame(
        forecast_qs.order_by().values_list("pk", "author_id"), ["forecast_id", "author_id"]
    )
    forecasts = forecasts.merge(authors, on="forecast_id")
    return rows, with_relative(_score(rows, forecasts, forecast_qs))


def relative_scores(prediction: Prediction, author_id: int) -> tuple[float, float] | None:
    """`author_id`'s relative Brier on `prediction` (final, time-averaged), from
    `question_scores` like the leaderboard's; None where it is undefined (nobody else
    scored on the question, or not a resolved question with a Brier score)."""
    _, scores = question_scores(Prediction.objects.filter(pk=prediction.pk))
    mine = scores[scores["author_id"] == author_id]
    if mine.empty or math.isnan(mine["relative_final"].iloc[0]):
        return None
    return float(mine["relative_final"].iloc[0]), float(mine["relative_time_avg"].iloc[0])


def _score(rows: pd.DataFrame, forecasts: pd.DataFrame, forecast_qs) -> pd.DataFrame:
    """SCORE_COLUMNS for every (question, member) with a forecast that counts."""
    Kind = Prediction.Kind
    dtypes = {"question_id": np.int64, "author_id": np.int64}
    parts = [pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, float)) for c in SCORE_COLUMNS})]
    binary = rows[rows["kind"] == Kind.BINARY][["known_at", "outcome"]]
    if len(binary):
        histories, keyed = per_forecaster(binary.astype({"outcome": np.int8}), forecasts)
        parts.append(score_binary_histories(histories, keyed)[0][SCORE_COLUMNS])
    choice = rows[rows["kind"] == Kind.MULTIPLE_CHOICE][["known_at", "outcome_option_id"]]
    if len(choice):
        options = option_frame(
            OptionProbability.objects.filter(
                forecast__in=forecast_qs.filter(prediction__kind=Kind.MULTIPLE_CHOICE).values("pk")
            )
        )
        histories, keyed = per_forecaster(choice.astype({"outcome_option_id": np.int64}), forecasts)
        parts.append(score_choice_histories(histories, keyed, options)[0][SCORE_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def _question_rows(
    rows: pd.DataFrame, scores: pd.DataFrame, names: dict[int, str]
) -> list[QuestionScores]:
    """One entry per question, most recently resolved first, its forecasters by final
    Brier. Built from plain arrays: a DataFrame row per forecaster costs too much."""
    scores = scores.sort_values(["question_id", "brier_final", "author_id"], kind="stable")
    columns = ("author_id", "brier_final", "brier_time_avg", "relative_final", "relative_time_avg")
    authors, brier, time_avg, relative, relative_time_avg = (
        scores[c].to_numpy().tolist() for c in columns
    )
    forecasters = [
        ForecasterScore(int(a), names[int(a)], b, t, _number(r), _number(rt))
        for a, b, t, r, rt in zip(
            authors, brier, time_avg, relative, relative_time_avg, strict=True
        )
    ]
    question_ids = scores["question_id"].to_numpy()
    ordered = rows.sort_values("resolved_at", ascending=False, kind="stable")
    starts = np.searchsorted(question_ids, ordered.index.to_numpy(), side="left")
    ends = np.searchsorted(question_ids, ordered.index.to_numpy(), side="right")
    return [
        QuestionScores(
            prediction_id=int(pk),
            question=str(question),
            kind=str(kind),
            resolved_at=resolved_at.to_pydatetime(),
            forecasters=forecasters[start:end],
        )
        for pk, question, kind, resolved_at, start, end in zip(
            ordered.index,
            ordered["question"],
            ordered["kind"],
            ordered["resolved_at"],
            starts,
            ends,
            strict=True,
        )
    ]
