"""Per-token rate limit in a fixed window, counted in the shared cache (Redis in production)."""

import time

from django.conf import settings
from django.core.cache import cache

from api.errors import Throttled


def check(token_id: int) -> None:
    limit = settings.API_RATE_LIMIT
    window = settings.API_RATE_WINDOW_SECONDS
    now = int(time.time())
    start = now - now % window
    key = f"api-throttle:{token_id}:{start}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        raise Throttled(retry_after=max(1, start + window - now))
