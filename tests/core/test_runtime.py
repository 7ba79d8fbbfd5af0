"""The processes' tuning (suivi/core/runtime.py): the web process's garbage collector,
psycopg's statement cache."""

import gc
import os
import subprocess
import sys

import pytest

from suivi.core.runtime import tune_garbage_collector


@pytest.fixture
def restored_gc():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_the_young_threshold_is_raised_and_what_lives_is_frozen(settings, restored_gc):
    settings.SUIVI_GC_YOUNG_THRESHOLD = 12345
    gc.unfreeze()
    _young, middle, old = gc.get_threshold()

    tune_garbage_collector()

    assert gc.get_threshold() == (12345, middle, old)
    assert gc.get_freeze_count() > 1000


def test_zero_keeps_pythons_collector(settings, restored_gc):
    settings.SUIVI_GC_YOUNG_THRESHOLD = 0
    gc.unfreeze()
    before = gc.get_threshold()

    tune_garbage_collector()

    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_asgi_application_tunes_its_process():
    # what uvicorn imports (`suivi run`), in a process of its own
    code = "import gc, suivi.asgi; print(gc.get_threshold()[0], gc.get_freeze_count() > 0)"
    env = {**os.environ, "SUIVI_GC_YOUNG_THRESHOLD": "30000", "SUIVI_DATABASE_POOL": "0"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["30000", "True"]


@pytest.mark.postgresql
def test_a_statement_with_many_parameters_is_converted_once(db):
    from django.db import connection
    from psycopg import _queries

    # given a statement with more parameters than psycopg caches by default (50)
    values = list(range(120))
    sql = "SELECT " + ", ".join(["%s::int"] * len(values)) + " -- many parameters"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        before = _queries._query2pg_client.cache_info()

        # when it runs again
        cursor.execute(sql, values)
        assert cursor.fetchone() == tuple(values)

    # then its conversion came from the cache (CoreConfig.ready() tuned it)
    after = _queries._query2pg_client.cache_info()
    assert after.hits == before.hits + 1
    assert after.misses == before.misses
    assert after.maxsize == 1024
