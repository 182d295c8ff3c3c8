"""The dashboard's numbers cached by the data they come from.

Keys carry the user's data version (`reports.selectors.version`), so a cached entry is
never stale: new data means a new key, and CACHE_SECONDS only bounds memory.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pandas as pd
from django.core.cache import cache

from predictions.services import profile_for
from reports.dashboard.activity import Activity, activity, calendar_start
from reports.dashboard.filters import RECENT_MONTHS, Filters, months_before
from reports.dashboard.numbers import compute_numbers
from reports.dashboard.sections import DashboardNumbers
from reports.selectors.activity import forecasts_per_day
from reports.selectors.scored import scored_predictions

CACHE_SECONDS = 60 * 60 * 24


def cache_key(*parts) -> str:
    """A cache key from the given parts (hashed: user text must not reach the key)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"reports:{digest}"


def numbers_key(*, user, filters: Filters, version: str) -> str:
    """The cache key of a user's dashboard numbers under these filters and data
    version; the time zone is part of it because it decides days and months, and the
    owner's today because it decides where the last months begin."""
    profile = profile_for(user)
    return cache_key(
        "numbers", user.pk, profile.timezone, profile.today(), filters.query(), version
    )


def dashboard_numbers(*, user, filters: Filters, version: str) -> DashboardNumbers:
    """The user's dashboard numbers, computed once per data version, filters and day;
    with the headline of the last RECENT_MONTHS beside those of the filters."""
    key = numbers_key(user=user, filters=filters, version=version)
    numbers = cache.get(key)
    if numbers is None:
        profile = profile_for(user)
        data = scored_predictions(user=user, every_kind=True, **filters.selector_kwargs())
        start = months_before(profile.today(), RECENT_MONTHS)
        recent_from = pd.Timestamp(profile.end_of_day(start - timedelta(days=1)))
        numbers = compute_numbers(data, profile.tzinfo, recent_from)
        cache.set(key, numbers, CACHE_SECONDS)
    return numbers


def dashboard_activity(*, user, version: str) -> Activity:
    """The user's activity calendar up to their today, once per data version and day."""
    today = profile_for(user).today()
    key = cache_key("activity", user.pk, profile_for(user).timezone, today, version)
    found = cache.get(key)
    if found is None:
        counts = forecasts_per_day(user=user, start=calendar_start(today))
        found = activity(counts, today)
        cache.set(key, found, CACHE_SECONDS)
    return found
