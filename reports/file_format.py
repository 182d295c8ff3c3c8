"""Our file format, written by the exports and read by the importers: its version, the CSV
columns and the JSON conventions (docs/design.md §5).

Pure constants and one text rule, with no import beyond the standard library: the
importers read files of this format and import this module, so it must stay cheap to
import (no Django models, no pandas, no charts).
"""

from __future__ import annotations

FORMAT_VERSION = 1

# docs/design.md §5, in this order; then the columns a re-import needs and the date scores;
# then who owns the question and who made the forecast (decision 0028). New columns go
# at the end, so files of the same version stay readable (importers read by name).
CSV_COLUMNS = [
    "prediction_id",
    "question",
    "kind",
    "option",
    "forecast_id",
    "forecast_at",
    "probability",
    "value",
    "is_final",
    "is_late",
    "status",
    "resolution",
    "known_at",
    "outcome",
    "brier",
    "log_loss",
    "prediction_brier",
    "prediction_brier_time_avg",
    "tags",
    "url",
    "resolve_by",
    "created_at",
    "resolved_at",
    "prediction_log_loss",
    "pinball_loss",
    "prediction_wis",
    "rationale",
    "prediction_uid",
    "owner",
    "author",
]
# What an import of our CSV cannot do without: the forecast columns (the first eight) and
# the resolution; scores are recomputed and the rest is optional.
CSV_IMPORT_REQUIRED = [*CSV_COLUMNS[:8], "status", "resolution", "known_at"]
# What each column holds, for the columns reference page.
COLUMN_HELP = {
    "prediction_id": "Id of the prediction (the same on every row of one prediction).",
    "question": "The claim, as worded now.",
    "kind": "binary, multiple_choice or date.",
    "option": "Multiple choice: the option this row is about. Empty otherwise.",
    "forecast_id": "Id of the forecast; empty for a prediction without forecasts.",
    "forecast_at": "When the forecast was made (ISO 8601, UTC).",
    "probability": "0–1. Yes/no: the probability of YES. Multiple choice: of this row's "
    "option. Release date: the quantile level (0.1 = 10% sure it has happened by `value`).",
    "value": "Release date: the date of this quantile. Empty otherwise.",
    "is_final": "1 for the forecast that counts (the last one made before the outcome was "
    "known; for open predictions the latest), else 0.",
    "is_late": "1 if made after the outcome became known (never scored), else 0.",
    "status": "open, resolved or annulled.",
    "resolution": "yes / no, the winning option, the actual date, or annulled; empty while open.",
    "known_at": "When the outcome became known (ISO 8601, UTC); empty while open.",
    "outcome": "1 if this row's event happened (YES; this option won; the date fell on or "
    "before `value`), 0 if not; empty when open or annulled.",
    "brier": "This row's own Brier score (p − outcome)², 0–1 convention; empty for late "
    "forecasts and for open or annulled predictions. Scores have 10 significant digits.",
    "log_loss": "This row's own log loss in nats, p clipped to [0.001, 0.999].",
    "prediction_brier": "The prediction's Brier score from its final forecast (multiple "
    "choice: ½ Σ over options), as on the dashboard.",
    "prediction_brier_time_avg": "The prediction's time-averaged Brier score: each "
    "forecast weighted by how long it stood, from the first forecast to known_at.",
    "tags": "The prediction's tags, separated by “; ”.",
    "url": "The prediction's page.",
    "resolve_by": "The date by which the prediction should be decidable.",
    "created_at": "When the prediction was made (ISO 8601, UTC).",
    "resolved_at": "When it was resolved (ISO 8601, UTC).",
    "prediction_log_loss": "The prediction's log loss from its final forecast, in nats.",
    "pinball_loss": "Release date: this quantile's pinball loss in days.",
    "prediction_wis": "Release date: weighted interval score of the final forecast, in days.",
    "rationale": "Why the forecast was made, as written then.",
    "prediction_uid": "The prediction's permanent identifier, unique on every site: a "
    "re-import recognises the prediction by it.",
    "owner": "Who owns the question, when it is not you: a question shared with you, "
    "holding only your forecasts (not imported back). Empty for your own questions.",
    "author": "Group export: who made the forecast (each member's forecasts are scored "
    "on their own). Empty in your own export, where every forecast is yours.",
}
TAG_SEPARATOR = "; "
# A spreadsheet runs a cell starting with one of these as a formula; the apostrophe
# makes it text. A leading apostrophe is escaped the same way so that the importer can
# strip exactly one and get the original back.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")

JSON_HEAD = {
    "format_version": FORMAT_VERSION,
    "generator": "Falsifiable",
    "conventions": {
        "times": "ISO 8601, UTC",
        "probability": "0-1",
        "brier": "0-1 convention, (p - y)^2; multiple choice 1/2 sum over options",
        "log_loss": "nats, p clipped to [0.001, 0.999]",
        "wis": "weighted interval score of a release-date forecast, in days",
    },
}


def neutralise(text: str) -> str:
    """`text` made safe to open in a spreadsheet: an apostrophe before a formula start."""
    return "'" + text if text and text.startswith(FORMULA_TRIGGERS) else text
