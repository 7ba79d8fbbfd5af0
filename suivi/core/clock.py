"""The one clock. Every domain time comes from `now()` so tests can move it."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.utils import timezone

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return _frozen if _frozen is not None else timezone.now()


@contextmanager
def frozen_at(moment: datetime) -> Iterator["_Hand"]:
    """Stop the clock at `moment` for the duration of the block; `advance()` moves it."""
    global _frozen
    if timezone.is_naive(moment):
        raise ValueError("The clock only takes timezone-aware datetimes.")
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield _Hand()
    finally:
        _frozen = previous


class _Hand:
    def advance(self, delta: timedelta) -> datetime:
        global _frozen
        assert _frozen is not None
        _frozen = _frozen + delta
        return _frozen
