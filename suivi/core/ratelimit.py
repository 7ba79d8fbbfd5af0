"""Fixed-window rate limits for public endpoints, counted in the shared cache (Redis in
production, so every process counts together)."""

import time

from django.core.cache import cache


def over_limit(*, scope: str, client: str, limit: int, window_seconds: int) -> bool:
    """Count one request of `client` (usually the address) in `scope`; True once more than
    `limit` requests came within the current window of `window_seconds`."""
    window = int(time.time() // window_seconds)
    key = f"suivi:{scope}:{client}:{window}"
    cache.add(key, 0, window_seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds + 5)
        count = 1
    return count > limit
