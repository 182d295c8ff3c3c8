"""The calibration dashboard's filters, numbers and charts.

- `filters`: the filters in the URL and the form that parses them.
- `sections`: the page's sections as rows of numbers and sentences.
- `numbers`: those sections computed from the selector's frames via `reports.scoring`.
- `words`: “Your words, calibrated”, phrases against outcomes.
- `cache`: the numbers cached by data version.
- `charts`: the chart images' SVGs, query strings and alt texts.

Import the module you need; this package imports nothing itself.
"""
