"""Every write to predictions goes through here; views, importers, the admin and the demo
call these.

Services are keyword-only, atomic, and validate with the rules of `predictions.rules` and
full_clean() before saving, so a bad value raises ValidationError (keyed by field) and
writes nothing. `bulk` writes many validated rows at once for imports.
"""

from predictions.rules import (
    ALLOWED_LEVELS,
    MAX_OPTIONS,
    MSG_ALREADY_OPEN,
    MSG_KNOWN_AT_BEFORE_CREATION,
    MSG_KNOWN_AT_FUTURE,
    MSG_OPTION_COUNT,
    MSG_OPTION_DUPLICATE,
    MSG_OPTION_EMPTY,
    MSG_OPTIONS_MISMATCH,
    MSG_OPTIONS_TOTAL,
    MSG_OUTCOME_REQUIRED,
    MSG_QUANTILE_LEVELS,
    MSG_QUANTILES_ORDER,
    MSG_QUANTILES_REQUIRED,
    MSG_TAG_TOO_LONG,
    MSG_WRONG_OUTCOME,
    REQUIRED_LEVELS,
)
from predictions.services.create import prediction_create
from predictions.services.edit import (
    MSG_EXTEND_LATER,
    MSG_EXTEND_ONLY_OPEN,
    TRACKED_FIELDS,
    prediction_extend,
    prediction_share,
    prediction_update,
)
from predictions.services.forecast import (
    MSG_EVIDENCE_ELSEWHERE,
    MSG_RESOLVED_NO_FORECAST,
    forecast_create,
)
from predictions.services.profiles import profile_for, tags_for_names
from predictions.services.resolve import (
    RESOLVES,
    evidence_mark_resolving,
    known_at_problem,
    prediction_reopen,
    prediction_resolve,
)
from predictions.services.sharing import MSG_NOT_YOUR_GROUP, prediction_share_with_groups

__all__ = [
    "ALLOWED_LEVELS",
    "MAX_OPTIONS",
    "MSG_ALREADY_OPEN",
    "MSG_EVIDENCE_ELSEWHERE",
    "MSG_EXTEND_LATER",
    "MSG_EXTEND_ONLY_OPEN",
    "MSG_KNOWN_AT_BEFORE_CREATION",
    "MSG_KNOWN_AT_FUTURE",
    "MSG_NOT_YOUR_GROUP",
    "MSG_OPTIONS_MISMATCH",
    "MSG_OPTIONS_TOTAL",
    "MSG_OPTION_COUNT",
    "MSG_OPTION_DUPLICATE",
    "MSG_OPTION_EMPTY",
    "MSG_OUTCOME_REQUIRED",
    "MSG_QUANTILES_ORDER",
    "MSG_QUANTILES_REQUIRED",
    "MSG_QUANTILE_LEVELS",
    "MSG_RESOLVED_NO_FORECAST",
    "MSG_TAG_TOO_LONG",
    "MSG_WRONG_OUTCOME",
    "REQUIRED_LEVELS",
    "RESOLVES",
    "TRACKED_FIELDS",
    "evidence_mark_resolving",
    "forecast_create",
    "known_at_problem",
    "prediction_create",
    "prediction_extend",
    "prediction_reopen",
    "prediction_resolve",
    "prediction_share",
    "prediction_share_with_groups",
    "prediction_update",
    "profile_for",
    "tags_for_names",
]
