"""Nested atomic blocks without savepoints, for a unit of work rolled back as a whole."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from suivi.core import db
from suivi.people.models import Team


def _savepoint_statements(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" in q["sql"].upper()]


@pytest.mark.postgresql
def test_nested_blocks_make_no_savepoint_inside(transactional_db):
    with (
        transaction.atomic(),
        db.no_nested_savepoints(),
        CaptureQueriesContext(connection) as queries,
        transaction.atomic(),
    ):
        Team.objects.create(name="A")
    assert _savepoint_statements(queries) == []
    assert Team.objects.filter(name="A").exists()


@pytest.mark.postgresql
def test_an_error_in_a_nested_block_rolls_the_whole_unit_back(transactional_db):
    with pytest.raises(ValueError), transaction.atomic(), db.no_nested_savepoints():
        Team.objects.create(name="Before")
        try:
            with transaction.atomic():
                raise ValueError("caught, but too late to go on")
        except ValueError:
            assert connection.needs_rollback
        raise ValueError("the unit of work fails")
    assert not Team.objects.exists()


def test_savepoints_come_back_for_a_handled_error(transactional_db):
    with transaction.atomic(), db.no_nested_savepoints():
        with CaptureQueriesContext(connection) as queries, db.savepoints():
            try:
                with transaction.atomic():
                    Team.objects.create(name="Rolled back")
                    raise ValueError("handled")
            except ValueError:
                pass
        Team.objects.create(name="Kept")
    # SAVEPOINT, ROLLBACK TO SAVEPOINT, RELEASE SAVEPOINT
    assert len(_savepoint_statements(queries)) == 3
    assert list(Team.objects.values_list("name", flat=True)) == ["Kept"]


def test_outside_a_transaction_it_refuses(transactional_db):
    with pytest.raises(RuntimeError), db.no_nested_savepoints():
        pass


def test_the_connection_makes_savepoints_again_afterwards(transactional_db):
    with transaction.atomic(), db.no_nested_savepoints():
        pass
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, transaction.atomic():
        Team.objects.create(name="B")
    assert len(_savepoint_statements(queries)) == 2  # SAVEPOINT, RELEASE
