"""The database beneath the ORM, where recording events needs it: SQLite's write gate, and multi-row inserts
that skip the ORM's per-statement compiling (decision 0010).

Recording one incident writes about forty rows to ten tables. ``bulk_create`` compiles its statement and
prepares every value through each field's full conversion on every call, which cost more than the database
itself. ``insert_rows`` builds each table's INSERT once per process, converts values with one small function
per column chosen for the database in use, and sends them with ``executemany``.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

from openmash.lib.writegate import WriteGate

_gates: dict[str, WriteGate] = {}


@contextmanager
def sqlite_write_gate() -> Iterator[None]:
    """Queue this process's write transaction behind the others on this machine (SQLite only; see
    openmash.lib.writegate). Hold it around a whole write transaction, never around anything slow."""
    if connection.vendor != "sqlite":
        yield
        return
    path = f"{connection.settings_dict['NAME']}-writer.lock"
    gate = _gates.get(path) or _gates.setdefault(path, WriteGate(path))
    with gate.held():
        yield


Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _uuid_hex(value: uuid.UUID | None) -> str | None:
    return None if value is None else value.hex


def _utc_text(value: dt.datetime | None) -> str | None:
    # What Django's SQLite backend stores for an aware datetime: naive UTC text.
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: OpenMASH records instants with a time zone")
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _date_text(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _converter(field: models.Field) -> Convert:
    """The cheapest function that turns a Python value into what this field's column takes."""
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    kind = target.get_internal_type()
    if kind in ("CharField", "TextField", "BooleanField", "SlugField", "EmailField", "URLField"):
        return _same
    if kind in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "PositiveIntegerField"):
        return _same
    if connection.vendor == "postgresql" and kind in ("UUIDField", "DateTimeField", "DateField"):
        return _same  # psycopg adapts these itself
    if connection.vendor == "sqlite" and kind == "UUIDField":
        return _uuid_hex
    if connection.vendor == "sqlite" and kind == "DateTimeField":
        return _utc_text
    if connection.vendor == "sqlite" and kind == "DateField":
        return _date_text

    def prepared(value: Any) -> Any:  # anything else (JSON, ...) the field's own way
        return field.get_db_prep_save(value, connection)

    return prepared


_statements: dict[tuple[str, type[models.Model], tuple[str, ...]], tuple[str, list[Convert]]] = {}


def _statement(model: type[models.Model], names: tuple[str, ...]) -> tuple[str, list[Convert]]:
    key = (connection.vendor, model, names)
    found = _statements.get(key)
    if found is None:
        fields = [model._meta.get_field(name) for name in names]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)  # type: ignore[union-attr]
        marks = ", ".join(["%s"] * len(fields))
        # Names come from the models, never from input.
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        found = _statements[key] = (sql, [_converter(field) for field in fields])  # type: ignore[arg-type]
    return found


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT ``rows`` (tuples of values for the fields ``names``, by attribute name: ``person_id``, not
    ``person``) into ``model``'s table in one ``executemany``. No defaults are filled in and no signals are
    sent: give every column that has no database default."""
    sql, converters = _statement(model, tuple(names))
    prepared = [tuple(convert(value) for convert, value in zip(converters, row, strict=True)) for row in rows]
    if prepared:
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)


def insert_objects(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """INSERT unsaved model instances (with their primary keys already set, or an auto key left to the
    database) with ``insert_rows``. An auto key is not read back: use this where nothing needs it."""
    if not objects:
        return
    names = tuple(
        field.attname  # type: ignore[union-attr]
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField))
    )
    insert_rows(model, names, [tuple(getattr(obj, name) for name in names) for obj in objects])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
