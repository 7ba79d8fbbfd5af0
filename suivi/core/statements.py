"""Statements built once: for the hot paths whose queries always have the same shape.

Compiling a queryset into SQL costs far more Python than PostgreSQL spends running the
small indexed queries of inbound processing (0.2 to 0.5 ms of compilation, model
instances and checks for 0.1 to 0.2 ms in the database), and a model's `save()` goes
through the same machinery for an INSERT whose text never changes. Here:

- `Compiled(build)`: `build(**values)` returns the queryset; the first run compiles it
  with stand-ins of the values (the very objects, of the same types), later runs fill
  their own values into the stand-ins' places of the same SQL. Rows come back as model
  instances (with their `select_related()` instances and annotations), or as tuples
  for a `values_list()` queryset, with the fields' converters applied, as the ORM would
  give them. The shape must not depend on the values (no
  `if value:` in `build`, no value as a LIMIT): one `Compiled` per shape. Each value
  must reach the SQL as it is: a value computed from one in `build` (`moment -
  timedelta(...)`) would be compiled in for good; compute it outside and pass it.
- `insert(objects)`: one INSERT of model instances of one model, built from the model's
  metadata (the values prepared by their fields, as `save()` does), primary keys set.
  No `pre_save`/`post_save` signals are sent: Suivi's domain logic uses none, and a
  model that needs one must keep `save()`.

Both are plain SQL with every value a parameter; names come from models' metadata.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.query import (  # type: ignore[attr-defined]
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

M = TypeVar("M", bound=models.Model)

# Stand-in values: shaped like real ones (an int stays within a 32-bit column's range, so
# that the ORM does not optimise the lookup away) and unlike anything `build` writes.
_INT_BASE = 2_147_000_000


def _stand_in(value: Any, n: int) -> Any:
    if isinstance(value, bool) or value is None:
        raise TypeError("A compiled statement's value cannot be a bool or None (two shapes).")
    if isinstance(value, int):
        return _INT_BASE + n
    if isinstance(value, str):
        return f"\x00suivi:value:{n}\x00"
    if isinstance(value, datetime):
        return datetime(2000, 1, 1, 0, 0, 0, 100_000 + n, tzinfo=UTC)
    raise TypeError(f"No stand-in for a {type(value).__name__} value.")


class Compiled(Generic[M]):
    """A queryset of one fixed shape, compiled once (per process) and run with values."""

    def __init__(self, build: Callable[..., "models.QuerySet[M, Any]"]) -> None:
        self.build = build
        self._ready: tuple[str, list[Any], dict[int, Any], Callable[[Any, str], Any]] | None = None

    def _compile(self, values: dict[str, Any]) -> None:
        stand_ins = {name: _stand_in(v, n) for n, (name, v) in enumerate(sorted(values.items()))}
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        slots: list[Any] = []
        for param in params:
            name = next(
                (k for k, s in stand_ins.items() if type(param) is type(s) and param == s), None
            )
            slots.append(_Slot(name) if name is not None else param)
        found = {slot.name for slot in slots if isinstance(slot, _Slot)}
        if found != set(stand_ins):  # pragma: no cover - a Django change, or a bad build
            raise RuntimeError(f"Compiled statement lost its values {set(stand_ins) - found}.")
        select = [column for column, _sql, _alias in compiler.select]
        converters = {
            position: (functions, expression)
            for position, (functions, expression) in compiler.get_converters(select).items()
        }
        if queryset._iterable_class is ModelIterable:
            info = compiler.klass_info
            assert info is not None
            model = info["model"]
            start, end = info["select_fields"][0], info["select_fields"][-1] + 1
            names = [column.target.attname for column in select[start:end]]
            annotations = list((compiler.annotation_col_map or {}).items())
            # select_related(): the related instances, as ModelIterable makes them.
            related = get_related_populators(info, compiler.select, queryset.db)

            def make(row: Any, alias: str) -> Any:
                instance = model.from_db(alias, names, row[start:end])
                for populator in related:
                    populator.populate(row, instance)
                for name, position in annotations:
                    setattr(instance, name, row[position])
                return instance

        elif queryset._iterable_class is ValuesListIterable:
            make = lambda row, alias: row  # noqa: E731
        else:
            raise TypeError("Compiled: a plain queryset or a values_list() one.")
        self._ready = (sql, slots, converters, make)

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[Any]:
        """Every row, as model instances or (for `values_list()`) tuples."""
        connection = connections[using]
        if connection.vendor != "postgresql":
            # Elsewhere (SQLite: values such as times are converted before they reach
            # the SQL, so stand-ins cannot be found again) the ORM runs it as usual.
            return list(self.build(**values).using(using))
        if self._ready is None:
            self._compile(values)
        assert self._ready is not None
        sql, slots, converters, make = self._ready
        params = [values[s.name] if isinstance(s, _Slot) else s for s in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        result = []
        for fetched_row in fetched:
            row = fetched_row
            if converters:
                row = list(row)
                for position, (functions, expression) in converters.items():
                    value = row[position]
                    for convert in functions:
                        value = convert(value, expression, connection)
                    row[position] = value
                row = tuple(row)
            result.append(make(row, using))
        return result

    def first(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> Any:
        """The first row or None (`build` limits the queryset itself: `[:1]`)."""
        found = self.rows(using, **values)
        return found[0] if found else None


class _Slot:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


def insert(objects: Sequence[M] | Iterable[M], using: str = DEFAULT_DB_ALIAS) -> list[M]:
    """INSERT the instances (of one model) in one statement and set their primary keys;
    what `bulk_create` does on PostgreSQL, without its compiler. Any other database:
    `bulk_create`."""
    rows = list(objects)
    if not rows:
        return rows
    model = type(rows[0])
    connection = connections[using]
    if connection.vendor != "postgresql":
        return model._default_manager.using(using).bulk_create(rows)
    sql, params = insert_statement(rows, connection)
    if (collected := _together.get()) is not None and collected[0] == using:
        collected[1].append((sql, params, rows))
        return rows
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        _stored(rows, cursor.fetchall(), using)
    return rows


def _stored(rows: list[Any], returned: list[tuple[Any, ...]], using: str) -> None:
    for row, (key,) in zip(rows, returned, strict=True):
        row.pk = key
        row._state.adding, row._state.db = False, using


_together: ContextVar[tuple[str, list[tuple[str, list[Any], list[Any] | None]]] | None] = (
    ContextVar("statements_together", default=None)
)


@contextmanager
def together(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """`insert` and `update` calls inside go to PostgreSQL in one round trip when the
    block ends (each still its own statement, in order; the primary keys are set then),
    and not at all if it fails. For writes nothing reads back before the end (a unit of
    work's writes put off to its end). Elsewhere, and when nested, they run at once."""
    if connections[using].vendor != "postgresql" or _together.get() is not None:
        yield
        return
    collected: list[tuple[str, list[Any], list[Any] | None]] = []
    token = _together.set((using, collected))
    try:
        yield
    finally:
        _together.reset(token)
    if not collected:
        return
    if len(collected) == 1:
        sql, params, rows = collected[0]
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            if rows is not None:
                _stored(rows, cursor.fetchall(), using)
        return
    # Several statements in one execute: the client-side binding cursor sends them in
    # one message; each one's result comes with nextset(). No statement holds a "%".
    with connections[using].cursor() as cursor:
        cursor.execute(
            ";\n".join(sql for sql, _p, _r in collected), [p for c in collected for p in c[1]]
        )
        for n, (_sql, _params, rows) in enumerate(collected):
            if n:
                cursor.nextset()
            if rows is not None:
                _stored(rows, cursor.fetchall(), using)


def insert_statement(rows: Sequence[models.Model], connection: Any) -> tuple[str, list[Any]]:
    """`INSERT INTO <table> (<columns>) VALUES (...), ... RETURNING <pk>` for instances
    of one model, and its parameters: for `insert`, or for a caller that puts it in a
    larger statement (a WITH clause). The primary key is left to the database unless
    an instance has one."""
    model = type(rows[0])
    fields = _insert_fields(model, any(r.pk is not None for r in rows))
    params: list[Any] = []
    for row in rows:
        row._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
        params += [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields]
    return _insert_sql(model, tuple(f.column for f in fields), len(rows), connection), params


def _insert_fields(model: type[models.Model], with_pk: bool) -> list[Any]:
    key = (model, with_pk)
    fields = _FIELDS.get(key)
    if fields is None:
        pk = model._meta.pk
        fields = [f for f in model._meta.concrete_fields if f is not pk or with_pk]
        if any(f.db_default is not models.NOT_PROVIDED for f in fields):
            # Its value would be an expression to compile: save() or bulk_create().
            raise TypeError(f"{model.__name__} has a database default: not for insert().")
        _FIELDS[key] = fields
    return fields


_FIELDS: dict[tuple[type[models.Model], bool], list[Any]] = {}
_INSERTS: dict[tuple[Any, ...], str] = {}


def _insert_sql(
    model: type[models.Model], columns: tuple[str, ...], count: int, connection: Any
) -> str:
    def build() -> str:
        quote = connection.ops.quote_name
        row = f"({', '.join(['%s'] * len(columns))})"
        return (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(c) for c in columns)}) VALUES {', '.join([row] * count)} "
            f"RETURNING {quote(model._meta.pk.column)}"
        )

    return _statement((model, columns, count), build)


def _statement(key: tuple[Any, ...], build: Callable[[], str]) -> str:
    """The SQL of one shape, built once (at most 512 shapes are kept)."""
    sql = _INSERTS.get(key)
    if sql is None:
        sql = build()
        if len(_INSERTS) < 512:
            _INSERTS[key] = sql
    return sql


def _write(sql: str, params: list[Any], using: str) -> None:
    """Run a statement that returns nothing now, or at the end of `together()`."""
    if (collected := _together.get()) is not None and collected[0] == using:
        collected[1].append((sql, params, None))
        return
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)


def update(row: models.Model, fields: Iterable[str], using: str = DEFAULT_DB_ALIAS) -> None:
    """UPDATE the named fields of one stored instance, by primary key: what
    `save(update_fields=...)` does, without its compiler (PostgreSQL; elsewhere `save`)."""
    names = sorted(fields)
    connection = connections[using]
    if connection.vendor != "postgresql":
        row.save(using=using, update_fields=names)
        return
    meta = row._meta
    chosen: list[Any] = [meta.get_field(name) for name in names]
    params = [f.get_db_prep_save(f.pre_save(row, False), connection) for f in chosen]

    def build() -> str:
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in chosen)
        pk_column = quote(meta.pk.column)
        return f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {pk_column} = %s"  # noqa: S608

    _write(_statement((type(row), "update", tuple(names)), build), [*params, row.pk], using)


def update_many(
    rows: Sequence[models.Model], fields: Iterable[str], using: str = DEFAULT_DB_ALIAS
) -> None:
    """UPDATE the named fields of several stored instances of one model in one statement
    (PostgreSQL: `UPDATE … FROM (VALUES …)`, each value cast to its column's type);
    one `update` each elsewhere, or for a single row."""
    names = sorted(fields)
    connection = connections[using]
    if len(rows) <= 1 or connection.vendor != "postgresql":
        for row in rows:
            update(row, names, using)
        return
    model = type(rows[0])
    meta = model._meta
    chosen: list[Any] = [meta.get_field(name) for name in names]
    params: list[Any] = []
    for row in rows:
        params.append(row.pk)
        params += [f.get_db_prep_save(f.pre_save(row, False), connection) for f in chosen]

    def build() -> str:
        quote = connection.ops.quote_name
        pk: Any = meta.pk
        casts = [pk.cast_db_type(connection), *(f.cast_db_type(connection) for f in chosen)]
        row_sql = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
        columns = [quote(pk.column), *(quote(f.column) for f in chosen)]
        assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in chosen)
        return (
            f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608
            f"FROM (VALUES {', '.join([row_sql] * len(rows))}) AS v({', '.join(columns)}) "
            f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
        )

    key = (model, "update_many", tuple(names), len(rows))
    _write(_statement(key, build), params, using)
