"""The calibration dashboard's filters, numbers and charts.

- `filters`: the filters in the URL and the form that parses them.
- `numbers`: the page's figures, arranged from `reports.scoring`.
- `words`: “Your words, calibrated”, phrases against outcomes.
- `cache`: the numbers cached by data version.
- `charts`: the chart images' SVGs, query strings and alt texts.

Import the module you need; this package imports nothing itself.
"""
