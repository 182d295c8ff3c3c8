"""The reader's own score on a resolved question, for its resolution notification
("Your Brier 0.1296 · relative Brier −0.050").

Computed only where notifications are shown (the page, the digest), never for the
unread count. The numbers come from `reports.selectors.group_scores.question_scores`,
the group page's scoring (each forecaster on their own history, relative Brier against
the median of the others), so there is no second formula; it costs a fixed number of
queries however many resolutions are listed. Only the resolution that set the question's
current state gets a score: an annulment, a reopening or a resolution later undone says
none, and neither does a reader who never forecast. The relative Brier is left out
where the reader may not see others' forecasts (`predictions.sharing.seeing_others`),
since it is derived from them.
"""

from dataclasses import replace

from django.template.defaultfilters import floatformat

from notifications.feed import Event
from predictions.models import Prediction
from predictions.services import profile_for
from predictions.sharing import seeing_others
from reports.selectors.group_scores import question_scores


def with_scores(user, shown: list[Event]) -> list[Event]:
    """`shown` with `score` filled in on the resolution events that have one for `user`."""
    ids = {e.prediction_id for e in shown if e.kind == "resolution" and e.resolved}
    if not ids:
        return shown
    rows, scores = question_scores(Prediction.objects.filter(pk__in=ids))
    if rows.empty:
        return shown
    visible = seeing_others(
        Prediction.objects.filter(pk__in=rows.index.tolist()), user, profile_for(user).today()
    )
    mine = scores[scores["author_id"] == user.pk].set_index("question_id")
    lines = {}
    for question_id, score in mine.iterrows():
        resolved_at = rows.loc[question_id, "resolved_at"].to_pydatetime()
        line = f"Your Brier {floatformat(score['brier_final'], 4)}"
        relative = score["relative_final"]
        if question_id in visible and relative == relative:  # NaN: nobody else forecast
            line += f" · relative Brier {floatformat(relative, 3)}"
        lines[int(question_id)] = (resolved_at, line)
    return [_scored(e, lines) for e in shown]


def _scored(event: Event, lines: dict) -> Event:
    found = lines.get(event.prediction_id)
    if event.kind != "resolution" or not event.resolved or found is None:
        return event
    resolved_at, line = found
    # An earlier resolution that was undone is older than the question's resolved_at.
    return replace(event, score=line) if event.at >= resolved_at else event
