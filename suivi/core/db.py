"""Transactions: nested atomic blocks without savepoints, for one unit of work that is
rolled back as a whole on any error.

Every service is `@transaction.atomic`; called inside another transaction, each one
costs a SAVEPOINT and a RELEASE (two round trips) so that its caller could catch its
error and go on. A caller that never does (inbound processing: any error rolls the whole
message back and retries it) can skip them; inside, an error in a nested block marks the
whole transaction for rollback, exactly as `atomic(savepoint=False)` does. A call whose
error *is* caught and handled goes inside `savepoints()` again.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def _uses_savepoints(enabled: bool, using: str) -> Iterator[None]:
    # Django asks `features.uses_savepoints` each time a nested block starts (and makes
    # none when it is false); the features object belongs to this thread's connection.
    features = connections[using].features
    previous = features.uses_savepoints
    features.uses_savepoints = enabled
    try:
        yield
    finally:
        features.uses_savepoints = previous


@contextmanager
def no_nested_savepoints(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Nested atomic blocks inside this one make no savepoint. Must be entered inside
    the transaction it speeds up."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("no_nested_savepoints() belongs inside a transaction.")
    if connection.vendor == "sqlite":
        # Django's SQLite backend makes savepoints in atomic blocks whatever the feature
        # flag says: leave the flag alone, so that the unit of work's memos (which
        # assume no savepoint can be rolled back under them) stay off there.
        yield
        return
    with _uses_savepoints(False, using):
        yield


@contextmanager
def savepoints(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Savepoints again, for a call whose error the caller catches and handles."""
    with _uses_savepoints(True, using):
        yield
