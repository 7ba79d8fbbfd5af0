"""Keyset pagination: pages stay as fast on page 10,000 as on page 1.

A cursor is the (sort value, id) of the last row served, opaque to clients.
Lists are always ordered by one column then id, both descending or both ascending,
with an index on exactly that pair.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from suivi.core.errors import InvalidInput

M = TypeVar("M", bound=Model)
# Ids and integer sort values must fit the database's bigint, or PostgreSQL fails the query.
_BIGINT = range(-(2**63), 2**63)


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"
    default_message = _("The pagination cursor is not valid.")


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _encode(value: Any, pk: int) -> str:
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["t"])
            if value.tzinfo is None:
                raise ValueError("naive datetime")
        elif isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TypeError
        elif isinstance(value, int) and value not in _BIGINT:
            raise ValueError("out of range")
        if isinstance(pk, bool) or not isinstance(pk, int) or pk not in _BIGINT:
            raise TypeError
    except (ValueError, TypeError, KeyError, binascii.Error) as error:
        raise InvalidCursor() from error
    return value, pk


def keyset_page(
    queryset: QuerySet[M], *, field: str, descending: bool, cursor: str | None, limit: int
) -> Page[M]:
    """One page of `queryset` ordered by (`field`, id), after `cursor` when given.

    `field` may be "pk" to order by id alone."""
    if limit < 1:
        raise InvalidInput(limit=limit)
    op = "lt" if descending else "gt"
    if cursor:
        value, pk = _decode(cursor)
        if field == "pk":
            queryset = queryset.filter(**{f"pk__{op}": pk})
        else:
            try:
                # Lookups convert the value now: a value the column cannot hold fails here.
                queryset = queryset.filter(
                    Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": pk})
                )
            except (ValidationError, ValueError, TypeError) as error:
                raise InvalidCursor() from error
    if field == "pk":
        order: tuple[str, ...] = ("-pk",) if descending else ("pk",)
    else:
        order = (f"-{field}", "-pk") if descending else (field, "pk")
    rows = list(queryset.order_by(*order)[: limit + 1])
    items, more = rows[:limit], len(rows) > limit
    next_cursor = _encode(getattr(items[-1], field), items[-1].pk) if more else None
    return Page(items=items, next_cursor=next_cursor)
