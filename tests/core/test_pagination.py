import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suivi.core import clock
from suivi.core.errors import InvalidInput
from suivi.core.pagination import InvalidCursor, keyset_page
from suivi.customers.models import Customer

from .. import builders

pytestmark = pytest.mark.django_db

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def _customers(offsets: list[int], names: list[str]) -> None:
    """Customers created at START + offset minutes: few distinct offsets make ties."""
    for offset, name in zip(offsets, names, strict=True):
        with clock.frozen_at(START + timedelta(minutes=offset)):
            builders.customer(family_name=name)


def _all_pages(*, field: str, descending: bool, limit: int) -> list[Customer]:
    served: list[Customer] = []
    cursor = None
    for _ in range(100):
        page = keyset_page(
            Customer.objects.all(), field=field, descending=descending, cursor=cursor, limit=limit
        )
        served.extend(page.items)
        if page.next_cursor is None:
            return served
        cursor = page.next_cursor
    raise AssertionError("pagination did not end")


def _cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


rows = st.integers(min_value=0, max_value=12).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(min_value=0, max_value=2), min_size=n, max_size=n),
        st.lists(st.sampled_from(["Roy", "Roux", "Abel"]), min_size=n, max_size=n),
    )
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=rows,
    field=st.sampled_from(["created_at", "family_key", "pk"]),
    descending=st.booleans(),
    limit=st.integers(min_value=1, max_value=5),
)
def test_pages_serve_every_row_exactly_once_in_order(db, data, field, descending, limit):
    offsets, names = data
    with transaction.atomic():
        # given
        _customers(offsets, names)
        expected = list(
            Customer.objects.order_by(
                *((f"-{field}", "-pk") if descending else (field, "pk"))
            ).values_list("pk", flat=True)
        )

        # when
        served = _all_pages(field=field, descending=descending, limit=limit)

        # then
        assert [c.pk for c in served] == expected
        transaction.set_rollback(True)


def test_last_page_has_no_cursor():
    # given
    _customers([0, 0], ["Roy", "Roy"])

    # when
    page = keyset_page(
        Customer.objects.all(), field="created_at", descending=True, cursor=None, limit=2
    )

    # then
    assert len(page.items) == 2
    assert page.next_cursor is None


def test_empty_table_gives_an_empty_last_page():
    # when
    page = keyset_page(Customer.objects.all(), field="pk", descending=False, cursor=None, limit=3)

    # then
    assert page.items == []
    assert page.next_cursor is None


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 !!",
        "%%%",
        _cursor("just a string"),
        _cursor([1]),
        _cursor([1, 2, 3]),
        _cursor(["2025-01-01", "12"]),
        _cursor([{"t": "yesterday"}, 12]),
        _cursor([{"t": 5}, 12]),
        _cursor([{"x": "2025-01-01T00:00:00+00:00"}, 12]),
        _cursor(["not a date", 12]),
        _cursor([[1, 2], 12]),
        _cursor([{"t": "2025-01-01T00:00:00"}, 12]),
        _cursor([{"t": "2025-01-01T00:00:00+00:00"}, 10**30]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_invalid_cursor_is_refused(cursor):
    # given
    _customers([0, 1], ["Roy", "Abel"])

    # when / then
    with pytest.raises(InvalidCursor):
        keyset_page(
            Customer.objects.all(), field="created_at", descending=True, cursor=cursor, limit=1
        )


def test_invalid_cursor_for_an_id_only_order_is_refused():
    # when / then
    with pytest.raises(InvalidCursor):
        keyset_page(
            Customer.objects.all(), field="pk", descending=False, cursor=_cursor([0, "x"]), limit=1
        )


@pytest.mark.parametrize("limit", [0, -1])
def test_a_page_needs_room_for_one_row(limit):
    # given
    _customers([0], ["Roy"])

    # when / then
    with pytest.raises(InvalidInput):
        keyset_page(Customer.objects.all(), field="pk", descending=False, cursor=None, limit=limit)


def test_invalid_cursor_is_an_invalid_input_with_its_code():
    # when
    with pytest.raises(InvalidCursor) as raised:
        keyset_page(Customer.objects.all(), field="pk", descending=False, cursor="@@", limit=1)

    # then
    assert raised.value.code == "invalid_cursor"
    assert raised.value.status == 422
