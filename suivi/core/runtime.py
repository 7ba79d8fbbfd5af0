"""Tuning of the long-running web process (served by uvicorn through suivi/asgi.py).

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
"""

import gc

from django.conf import settings


def tune_garbage_collector() -> None:
    """Freeze what is alive now and raise the young threshold (setting 0: Python's)."""
    young = settings.SUIVI_GC_YOUNG_THRESHOLD
    if young <= 0:
        return
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, old)
