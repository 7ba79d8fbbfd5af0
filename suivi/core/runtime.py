"""Tuning of the long-running processes: the garbage collector of the web process
(served by uvicorn through suivi/asgi.py), and psycopg's statement cache in every
process (called by CoreConfig.ready()).

## The web process's garbage collector

CPython's cyclic garbage collector stops every thread while it runs. A web process
holding thousands of chat sockets keeps hundreds of thousands of long-lived objects
(each socket's tasks, coroutines, queues), and with Python's default young threshold
(700 allocations) the many short-lived objects of each request keep promoting survivors
into the old generation, whose full collections then walk all of them: 70 ms with the
2,000 sockets just opened, 240 ms once they were all busy (bench/chat_load.py, measured
2026-11-23), every few seconds under load. Two measures:

- `gc.freeze()` once the application is loaded: Django, the models and the URL
  configuration are never garbage, so no collection walks them again;
- a young threshold of SUIVI_GC_YOUNG_THRESHOLD allocations (20,000 by default): young
  collections are rarer and find most request objects already freed by reference
  counting, so far fewer survivors age into the old generation and full collections
  become rare. A young collection of that size takes a few milliseconds.

Reference counting frees almost everything anyway; only cycles wait for a collection.

## psycopg's statement cache

With client-side binding (Django's default), psycopg turns each statement's `%s`
placeholders into its parts once and keeps the result in a cache keyed by the text, but
only for statements of at most 50 parameters. Ours often have more: a batch of inbound
messages' outcomes (6 per message), the writes a unit of work puts off to its end sent
in one round trip (`suivi.core.statements.together`), multi-row INSERTs. Each of those
was split again on every execution, a regular expression over the whole text: 11 % of
the e-mail workers' Python time (bench/email_profile.py, 2026-11-24). The limit is
raised, and the cache, 128 statements, holds 1,024: the multi-row statements come in one
shape per row count, and they must not push the small hot ones out. Statements longer
than 4 KB stay uncached (psycopg's own limit); the cache holds texts, never values.
"""

import gc
import logging
from functools import lru_cache
from typing import Any

from django.conf import settings

logger = logging.getLogger("suivi.core")

# Statements with up to this many parameters have their conversion cached...
STATEMENT_CACHE_PARAMETERS = 2000
# ... in a cache of this many statements.
STATEMENT_CACHE_SIZE = 1024


def tune_garbage_collector() -> None:
    """Freeze what is alive now and raise the young threshold (setting 0: Python's)."""
    young = settings.SUIVI_GC_YOUNG_THRESHOLD
    if young <= 0:
        return
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, old)


def tune_statement_cache() -> None:
    """Have psycopg cache the conversion of statements with many parameters too."""
    try:
        from psycopg import _queries
    except ImportError:  # no PostgreSQL driver: nothing to tune
        return
    cached: Any = getattr(_queries, "_query2pg_client", None)
    if not hasattr(_queries, "MAX_CACHED_STATEMENT_PARAMS") or not hasattr(cached, "cache_info"):
        # A psycopg that renamed them: statements still work, only slower to convert.
        logger.warning("psycopg's statement cache has changed: left untuned")
        return
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(
        _queries.MAX_CACHED_STATEMENT_PARAMS, STATEMENT_CACHE_PARAMETERS
    )
    if (cached.cache_info().maxsize or 0) < STATEMENT_CACHE_SIZE:
        # The module looks the cached function up at each call: a larger one replaces it.
        _queries._query2pg_client = lru_cache(maxsize=STATEMENT_CACHE_SIZE)(
            _queries._query2pg_client_nocache
        )
