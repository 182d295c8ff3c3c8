"""Export of a user's scored prediction history as CSV and JSON (docs/design.md §5).

- `format`: the format version, CSV columns and JSON conventions (what importers read).
- `queryset`: which predictions an export holds.
- `records`, `loading`: the predictions a chunk at a time, with everything shown.
- `scores`: their flags and scores, through `reports.scoring` as on the dashboard.
- `values`: how scores, probabilities, times and URLs are written.
- `csv`, `json`: the two streamed files.

Import the module you need; this package imports nothing itself, so an importer that
reads `format` loads no models, pandas or charts.
"""
