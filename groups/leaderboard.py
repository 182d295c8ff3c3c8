"""The group page's leaderboard: `group_leaderboard_context` gives what
templates/groups/includes/leaderboard.html renders, for a view to merge into its
context. The numbers come from `reports.selectors.group_scores`; the period switch is
the dashboard's (`predictions.list_filters`), parsed by its form.
"""

from __future__ import annotations

from typing import cast

from django import forms

from predictions.list_filters import FilterForm
from predictions.models import Profile
from predictions.services import profile_for
from reports.selectors.group_scores import group_scores

MSG_UNKNOWN_PERIOD = "That period is not one of the choices; showing all time."


def group_leaderboard_context(group, period_params, *, viewer=None) -> dict:
    """`leaderboard` (reports.scoring.relative.Leaderboard), `leaderboard_questions`,
    the period switch (`leaderboard_periods`: (value, label) pairs, `leaderboard_period`
    the chosen one, `leaderboard_period_label` its label) and `leaderboard_error` for a
    period that is not a choice.

    `period_params` is the request's query string (only `period` is read). Periods end
    today and whole days count in `viewer`'s time zone (UTC without a signed-in viewer).
    """
    signed_in = viewer is not None and viewer.is_authenticated
    profile = profile_for(viewer) if signed_in else Profile(timezone="UTC")
    form = FilterForm(
        {"period": period_params.get("period", "")}, user=viewer, today=profile.today(), tags=()
    )
    filters = form.filters()
    scores = group_scores(group, profile=profile, **filters.selector_kwargs())
    period_field = form.fields["period"]
    assert isinstance(period_field, forms.ChoiceField)
    # The form's own choices, so the switch offers exactly the periods it accepts.
    periods = list(cast("list[tuple[str, str]]", period_field.choices))
    return {
        "leaderboard": scores.leaderboard,
        "leaderboard_questions": scores.questions,
        "leaderboard_periods": periods,
        "leaderboard_period": filters.period,
        "leaderboard_period_label": dict(periods)[filters.period],
        "leaderboard_error": MSG_UNKNOWN_PERIOD if form.errors else "",
    }
