"""Reads for the reports, as pandas DataFrames (docs/design.md §4 and §5).

- `raw`: the one raw-cursor reader (a values_list query's rows without Django's
  per-value converters) and the column helpers it needs.
- `filters`: the dashboard's filters as a QuerySet, and counts by state.
- `frames`: forecasts, option probabilities and quantiles as frames for scoring.
- `scored`: a user's scored predictions of every kind (what the dashboard shows).
- `one_score`: one prediction's scores for its page.
- `history`: one prediction's forecasts for its chart.
- `version`: a fingerprint of everything the reports show about a user.

Import the module you need; this package imports nothing itself.
"""
