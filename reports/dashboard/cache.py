"""The dashboard's numbers cached by the data they come from.

Keys carry the user's data version (`reports.selectors.version`), so a cached entry is
never stale: new data means a new key, and CACHE_SECONDS only bounds memory.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from predictions.services import profile_for
from reports.dashboard.filters import Filters
from reports.dashboard.numbers import compute_numbers
from reports.dashboard.sections import DashboardNumbers
from reports.selectors.scored import scored_predictions

CACHE_SECONDS = 60 * 60 * 24


def cache_key(*parts) -> str:
    """A cache key from the given parts (hashed: user text must not reach the key)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"reports:{digest}"


def numbers_key(*, user, filters: Filters, version: str) -> str:
    """The cache key of a user's dashboard numbers under these filters and data
    version; the time zone is part of it because it decides days and months."""
    return cache_key("numbers", user.pk, profile_for(user).timezone, filters.query(), version)


def dashboard_numbers(*, user, filters: Filters, version: str) -> DashboardNumbers:
    """The user's dashboard numbers, computed once per data version and filters."""
    key = numbers_key(user=user, filters=filters, version=version)
    numbers = cache.get(key)
    if numbers is None:
        data = scored_predictions(user=user, every_kind=True, **filters.selector_kwargs())
        numbers = compute_numbers(data, profile_for(user).tzinfo)
        cache.set(key, numbers, CACHE_SECONDS)
    return numbers
