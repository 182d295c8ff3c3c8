"""Scoring on plain arrays (docs/design.md §4), with no Django: numpy, pandas and SciPy.

- `rules`: Brier, log loss, pinball loss, interval score, weighted interval score.
- `histories`: which forecasts count (final, late, time weights), for many predictions
  at once; the only implementation of docs/decisions/0001-one-scoring-rule.md.
- `kinds`: per-kind scores of yes/no, multiple-choice and release-date histories.
- `calibration`: buckets, Wilson intervals, findings, CORP, Spiegelhalter, coverage.
- `summaries`: means per user, per group (month, tag, phrase) and for release dates.

Import the module you need; this package imports nothing itself.
"""
