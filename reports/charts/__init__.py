"""Charts as SVG bytes, drawn with matplotlib Figure objects (never pyplot), and the
texts that describe them; no Django.

- `frame`: house style, rendering, placeholders and axes every chart shares.
- `reliability`: the dashboard's reliability diagram.
- `bars`: the dashboard's Brier-by-month and Brier-by-tag bar charts.
- `history`: one yes/no or multiple-choice prediction's forecasts over time.
- `dates`: one release-date prediction's quantile fan.
- `alt_text`: the alternative texts of the dashboard's charts (pure Python).

Import the module you need; this package imports nothing itself, so importing it (or
`alt_text`) never loads matplotlib.
"""
