"""A unit of work: what one transaction already knows, so that it is not read twice.

Inbound processing records an interaction, then the acknowledgement records another on
the same case, in the same transaction: the case is locked already, the case was opened
a moment ago (so it has no asset links and no first-answer promise but the one just
made). Each package notes what it knows in its own memo and reads it back, instead of
asking the database again.

A memo lives exactly as long as the `unit_of_work()` block, which must be entered
inside the transaction it speeds up and left before that transaction ends (the block
is the transaction's body): what the memo says is true because the transaction holds
the locks and made the rows. Outside a unit of work, `memo()` is None and every caller
reads the database as usual. An error inside rolls the transaction back and the memo is
dropped with it.

A savepoint rolled back while the transaction goes on would undo rows and locks a memo
noted: so memos only exist while nested blocks make no savepoints
(`suivi.core.db.no_nested_savepoints`, where any error dooms the whole transaction);
inside `db.savepoints()` (a call whose error is caught), `memo()` is None again. A
nested `unit_of_work()` shares the memos of the one around it. On the embedded SQLite,
where Django makes savepoints whatever the flag says, there are no memos at all: every
caller reads and writes the database as usual.

A unit of work may also put writes off to its end (`at_end`): the rows several calls
would each INSERT or UPDATE on their own go to the database together, once; and the
writes of several packages put off to the end go in one round trip
(`statements.together`).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from . import statements

_AT_END = "core.work.at_end"
_memos: ContextVar[dict[str, dict[Any, Any]] | None] = ContextVar("unit_of_work", default=None)


@contextmanager
def unit_of_work(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Memos for the length of this block, which is the body of one transaction."""
    if not connections[using].in_atomic_block:
        raise RuntimeError("unit_of_work() belongs inside a transaction.")
    if _memos.get() is not None:
        yield
        return
    memos: dict[str, dict[Any, Any]] = {}
    token = _memos.set(memos)
    try:
        yield
        # Still inside the transaction: the writes put off until now.
        flush(memos)
    finally:
        _memos.reset(token)


def at_end(name: str, write: Callable[[], None]) -> bool:
    """Have `write` run once when the unit of work ends (inside its transaction, unless
    it failed), or earlier through `flush(name=name)`; False outside a unit of work, when
    the caller writes at once. A package puts off a write this way when nothing in the
    unit reads the row back before the end (or it flushes first): rows of the same
    table then go in one INSERT or UPDATE."""
    memos = _memos.get()
    if memos is None or connections[DEFAULT_DB_ALIAS].features.uses_savepoints:
        return False
    memos.setdefault(_AT_END, {}).setdefault(name, write)
    return True


def flush(memos: dict[str, dict[Any, Any]] | None = None, *, name: str | None = None) -> None:
    """Run the writes put off (all of them, or `name`'s) now."""
    memos = memos if memos is not None else _memos.get()
    if memos is None:
        return
    pending = memos.get(_AT_END, {})
    if not pending:
        return
    # Their INSERTs and UPDATEs go to the database in one round trip.
    with statements.together():
        _run(pending, name)


def _run(pending: dict[Any, Callable[[], None]], name: str | None) -> None:
    while pending:
        key = name if name is not None else next(iter(pending))
        write = pending.pop(key, None)
        if write is None:
            return
        write()
        if name is not None:
            return


def memo(name: str) -> dict[Any, Any] | None:
    """The unit of work's memo called `name` (created empty), or None outside one."""
    memos = _memos.get()
    if memos is None or connections[DEFAULT_DB_ALIAS].features.uses_savepoints:
        return None
    return memos.setdefault(name, {})
