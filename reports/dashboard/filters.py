"""The dashboard's filters: those of the prediction list (predictions/list_filters.py),
so that every number links to a list of exactly the predictions it counts.

Kept apart from the numbers and charts so that the exports, which accept the same
filters, import no chart code.
"""

from predictions.list_filters import (
    PERIODS,
    RECENT_MONTHS,
    Filters,
    months_before,
)
from predictions.list_filters import FilterForm as DashboardFilterForm

__all__ = ["PERIODS", "RECENT_MONTHS", "DashboardFilterForm", "Filters", "months_before"]
