"""The database beneath the ORM, where recording events needs it: SQLite's write gate, multi-row inserts that
skip the ORM's per-statement compiling, and group commit (decision 0010).

Recording one incident writes about forty rows to ten tables. ``bulk_create`` compiles its statement and
prepares every value through each field's full conversion on every call, which cost more than the database
itself. ``rows_insert`` builds each table's INSERT once per process, converts values with one small function
per column chosen for the database in use, and sends all the rows in one statement (on PostgreSQL one
prepared statement of column arrays, on SQLite one multi-row INSERT).
"""

import collections
import dataclasses
import datetime as dt
import json
import operator
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import InterfaceError, OperationalError, connection, connections, models, transaction
from psycopg.types.json import Jsonb

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


@contextmanager
def write_transaction(*, durable: bool = True, many_rows: bool = False) -> Iterator[None]:
    """A transaction that writes, for every caller outside the recording path: on SQLite it first takes this
    machine's write gate (decision 8), so callers never have to remember it.

    ``durable=False`` is for work that nobody relies on until a later durable commit says so (an import's
    staged and held chunks, decision 15): its commit does not wait for the disk. The database stays
    consistent (both write a log in order), and the later durable commit flushes everything before it; a
    power cut can lose only such commits since the last durable one, which the import then writes again.

    ``many_rows=True`` is for a transaction of an import that writes thousands of rows into tables the session
    may have first seen nearly empty: on PostgreSQL it keeps the foreign-key checks on their indexes. The
    server plans each foreign-key check once a session and keeps the plan; planned while a table was small it
    was a sequential scan, which every later check then ran against the whole, growing table (a 10,000-row
    import made 130,000 such scans: 17 of its 24 seconds)."""
    with sqlite_write_gate():
        if durable or connection.in_atomic_block:
            with transaction.atomic():
                if many_rows:
                    _by_index()
                yield
            return
        with _without_waiting_for_the_disk(), transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            if many_rows:
                _by_index()
            yield


def _by_index() -> None:
    # Only for this transaction (SET LOCAL): the foreign-key checks it plans, and its own statements, use an
    # index wherever there is one; without one the server still scans. The session's plans are planned again
    # (DISCARD PLANS): one kept from before, by this session's earlier work, would otherwise be used as it is.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan TO off")
            cursor.execute("DISCARD PLANS")


def checks_now() -> None:
    """On PostgreSQL, run the foreign-key checks of the transaction's rows so far now, not at the commit (and
    those of later rows as they are written). Called before a transaction takes a lock every writer needs
    until its commit (the audit chain's head): the checks, thousands in an import's chunk, otherwise ran at
    the commit with the lock held and every other writer waiting (two forces' imports at once waited on each
    other a fifth of the time). Django's keys are deferrable; nothing after this may rely on writing a row
    before the row it refers to."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@contextmanager
def _without_waiting_for_the_disk() -> Iterator[None]:
    # SQLite's setting is the connection's (settings.py sets FULL, decision 4) and cannot change inside a
    # transaction: set around it, and put back whatever happens.
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=NORMAL")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=FULL")


Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _uuid_hex(value: uuid.UUID | None) -> str | None:
    return None if value is None else value.hex


_last_utc: tuple[dt.datetime | None, str | None] = (None, None)


def _utc_text(value: dt.datetime | None) -> str | None:
    # What Django's SQLite backend stores for an aware datetime: naive UTC text.
    global _last_utc
    if value is None:
        return None
    last = _last_utc  # most of a batch's instants are the one "now": convert it once
    if value is last[0]:
        return last[1]
    if value.tzinfo is dt.UTC:  # timezone.now() and most instants are UTC already
        text = value.isoformat(" ")[:-6]  # as str() of it made naive, without making it: less "+00:00"
        _last_utc = (value, text)
        return text
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: OpenMASH records instants with a time zone")
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _date_text(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _json_text(value: Any) -> str | None:
    # What a JSONField without an encoder of its own stores on SQLite (None is SQL NULL, as Django's).
    return None if value is None else json.dumps(value)


def _jsonb(value: Any) -> Jsonb | None:
    # And on PostgreSQL: psycopg's jsonb, dumped by json.dumps.
    return None if value is None else Jsonb(value)


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
    if kind == "JSONField" and getattr(field, "encoder", None) is None:
        # Straight to the text or psycopg's jsonb, not through the field's five steps for every value.
        return _json_text if connection.vendor == "sqlite" else _jsonb

    def prepared(value: Any) -> Any:  # anything else (JSON, ...) the field's own way
        return field.get_db_prep_save(value, connection)

    return prepared


def _unbounded(db_type: str) -> str:
    """``varchar(60)`` as ``varchar``: what a value is cast to on its way in, leaving the length to the column."""
    return re.sub(r"^(varchar|character varying|char|character)\(\d+\)$", r"\1", db_type)


@dataclass(frozen=True)
class _Statement:
    sql: str  # SQLite: INSERT INTO table (columns) VALUES, to which Insert.run adds a row's marks per row
    width: int
    converting: tuple[tuple[int, Convert], ...]  # the columns whose values need converting, and how


_statements: dict[tuple[str, type[models.Model], tuple[str, ...]], _Statement] = {}


def _statement(model: type[models.Model], names: tuple[str, ...]) -> _Statement:
    key = (connection.vendor, model, names)
    found = _statements.get(key)
    if found is None:
        fields = [model._meta.get_field(name) for name in names]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)  # type: ignore[union-attr,arg-type]
        # Names and types come from the models, never from input.
        head = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
        if connection.vendor == "postgresql":
            # One array a column, whatever the number of rows: the statement's text never changes, so the
            # server parses and plans it once a connection (prepared), and psycopg parses it once a process.
            # Each array is cast to its column's type without a length: a cast to varchar(60) cuts a longer
            # value to 60 characters without a word, where assigning it to the column refuses it.
            arrays = ", ".join(f"%b::{_unbounded(field.db_type(connection))}[]" for field in fields)  # type: ignore[union-attr,arg-type]
            sql = f"{head}SELECT * FROM unnest({arrays})"  # noqa: S608
        else:
            sql = head + "VALUES "
        converters = [_converter(field) for field in fields]  # type: ignore[arg-type]
        found = _statements[key] = _Statement(
            sql=sql,
            width=len(fields),
            converting=tuple(
                (index, convert) for index, convert in enumerate(converters) if convert is not _same
            ),
        )
    return found


# Values in one SQLite statement, under its limit of 32,766.
MOST_VALUES = 30_000


@dataclass(frozen=True)
class Insert:
    """One table's rows, converted and ready: ``run`` sends them in one statement. Prepared before a write
    lock is taken, so that holding it costs only the database's own work.

    On PostgreSQL the statement is ``INSERT ... SELECT * FROM unnest(column arrays)``, bound on the server
    and prepared: a many-row ``VALUES`` list bound by the client (Django's default) had psycopg parse and
    quote every value in Python, and the server parse a new statement of every length, which together cost
    more than the inserting. On SQLite it is one multi-row ``VALUES`` given straight to sqlite3."""

    sql: str
    rows: list[tuple[Any, ...]]

    def run(self) -> None:
        if not self.rows:
            return
        connection.ensure_connection()
        with connection.wrap_database_errors:
            if connection.vendor == "postgresql":
                with psycopg.Cursor(connection.connection) as cursor:
                    cursor.execute(
                        self.sql, [list(column) for column in zip(*self.rows, strict=True)], prepare=True
                    )
                return
            # Straight to sqlite3, inside SQLite's write gate: Django's cursor would rewrite every "%s" of a
            # many-row statement with a regular expression first. Errors still become Django's own.
            marks = "(" + ", ".join("?" * len(self.rows[0])) + ")"
            step = max(1, MOST_VALUES // len(self.rows[0]))
            cursor = connection.connection.cursor()
            try:
                for start in range(0, len(self.rows), step):
                    chunk = self.rows[start : start + step]
                    cursor.execute(
                        self.sql + ", ".join([marks] * len(chunk)), [v for row in chunk for v in row]
                    )
            finally:
                cursor.close()


def rows_insert(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> Insert:
    """An INSERT of ``rows`` (tuples of values for the fields ``names``, by attribute name: ``person_id``,
    not ``person``) into ``model``'s table. No defaults are filled in and no signals are sent: give every
    column that has no database default."""
    statement = _statement(model, tuple(names))
    converted = []
    for row in rows:
        if len(row) != statement.width:
            raise ValueError(f"{len(row)} values for {statement.width} columns of {model._meta.db_table}")
        values = list(row)
        for index, convert in statement.converting:
            values[index] = convert(values[index])
        converted.append(tuple(values))
    return Insert(statement.sql, converted)


_object_columns: dict[
    type[models.Model], tuple[tuple[str, ...], list[models.Field], Callable[[Any], Any]]
] = {}


def objects_insert(model: type[models.Model], objects: Sequence[models.Model]) -> Insert:
    """An INSERT of unsaved model instances: their primary keys already set (UUIDs), or an auto key left to
    the database and not read back, so use this only where nothing needs it. Fields with ``auto_now_add``
    are stamped now, as ``save`` would stamp them."""
    found = _object_columns.get(model)
    if found is None:
        fields = [
            field
            for field in model._meta.concrete_fields
            if not (field.primary_key and isinstance(field, models.AutoField))
        ]
        names = tuple(field.attname for field in fields)  # type: ignore[union-attr]
        stamped = [
            field
            for field in fields
            if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False)
        ]
        # attrgetter of several names gives a tuple; of one name, the bare value.
        getter = operator.attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
        found = _object_columns[model] = (names, stamped, getter)  # type: ignore[assignment]
    names, stamped, values_of = found
    for field in stamped:
        for obj in objects:
            field.pre_save(obj, add=True)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return rows_insert(model, names, [values_of(obj) for obj in objects])


def inserts_run(inserts: Sequence[Insert]) -> None:
    """Run several inserts in the caller's transaction. On PostgreSQL they are sent together without waiting
    for each answer (psycopg's pipeline mode): one round trip instead of one an insert, and the writer
    thread waits once. An error in any is raised here, as Django's, and the transaction rolls back whole."""
    if connection.vendor != "postgresql" or len(inserts) < 2:
        for insert in inserts:
            insert.run()
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        for insert in inserts:
            insert.run()


def inserts_joined(inserts: Iterable[Insert]) -> list[Insert]:
    """The same inserts with the rows of each statement together: one statement a table, however many
    plans the rows came from."""
    joined: dict[str, list[tuple[Any, ...]]] = {}
    for insert in inserts:
        joined.setdefault(insert.sql, []).extend(insert.rows)
    return [Insert(sql, rows) for sql, rows in joined.items() if rows]


@dataclass
class _Waiting[Item, Result]:
    item: Item
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    result: Result | None = None
    error: BaseException | None = None


class GroupCommit[Item, Result]:
    """Group commit within one process: requests that write at the same moment share one transaction.

    Callers queue their items and wait. One writer thread per process takes everything queued so far and
    writes it with ``write``, in one transaction, then answers each caller. Under load a transaction carries
    many items for one commit and one wait for the disk; alone, an item is written at once.

    The writer is one thread with one database connection, rather than whichever request thread got there
    first: on SQLite a connection's page cache is emptied whenever another connection has committed, so a
    writer that rotated among a process's eight request threads reread the indexes it writes to, from the
    write-ahead log, at every transaction.

    If the transaction fails for one item's sake (bad input found under the lock, a duplicate key), every
    item is written again alone, so each caller gets its own result or its own error. A database that is
    locked or unavailable fails them all: nothing was written, and each caller reports it.
    """

    # An idle writer closes its connection after this long (so a test database can be dropped, and a
    # PostgreSQL server does not keep a backend for a process that has stopped recording).
    IDLE_SECONDS = 2.0

    def __init__(
        self,
        write: Callable[[list[Item]], list[Result]],
        most: int = 64,
        again: Callable[[list[Item]], list[Result]] | None = None,
        hold: Callable[[], AbstractContextManager[object]] = sqlite_write_gate,
    ) -> None:
        self._write = write
        # Held around each group's write (by default this machine's write gate, on SQLite); the group is taken
        # from the queue only once it is held, so that what arrives while the writer waits joins the same
        # transaction.
        self._hold = hold
        # How an item is written alone after its group failed (by default, as any group is written).
        self._again = again or write
        self._most = most
        self._queue: list[_Waiting[Item, Result]] = []
        self._queue_lock = threading.Lock()
        self._arrived = threading.Condition(self._queue_lock)
        self._write_lock = threading.Lock()  # held while a group is written
        self._writer_pid = 0
        self._release_wanted = False
        self._released = threading.Event()
        self.sizes: collections.Counter[int] = collections.Counter()  # transactions by items carried

    def submit(self, item: Item) -> Result:
        waiting: _Waiting[Item, Result] = _Waiting(item)
        with self._arrived:
            if self._writer_pid != os.getpid():  # first use in this process (also after a fork)
                self._writer_pid = os.getpid()
                threading.Thread(target=self._writer, name="openmash-group-commit", daemon=True).start()
            self._queue.append(waiting)
            self._arrived.notify()
        waiting.done.wait()
        if waiting.error is not None:
            raise waiting.error
        return waiting.result  # type: ignore[return-value]

    def release_connection(self) -> None:
        """Have the writer close its database connection now (it opens another when next needed)."""
        with self._arrived:
            if self._writer_pid != os.getpid():
                return
            self._released.clear()
            self._release_wanted = True
            self._arrived.notify()
        self._released.wait(5)

    def _writer(self) -> None:
        while True:
            with self._arrived:
                self._arrived.wait_for(lambda: self._queue or self._release_wanted, timeout=self.IDLE_SECONDS)
            with self._write_lock:
                with self._arrived:
                    idle = not self._queue
                    if idle:
                        self._release_wanted = False
                if idle:  # idle, or asked to let go of the connection
                    connections.close_all()
                    self._released.set()
                    continue
                # What Django does around each request: drop a connection that failed or grew too old.
                for each in connections.all(initialized_only=True):
                    each.close_if_unusable_or_obsolete()
                group: list[_Waiting[Item, Result]] = []
                try:
                    with self._hold():
                        group = self._take()
                        self._write_group(group)
                except Exception as error:  # the hold itself failed: nothing was written
                    for waiting in group or self._take():
                        if not waiting.done.is_set():
                            waiting.error = error
                            waiting.done.set()

    def _take(self) -> list[_Waiting[Item, Result]]:
        with self._arrived:
            group, self._queue = self._queue[: self._most], self._queue[self._most :]
        return group

    def _write_group(self, group: list[_Waiting[Item, Result]], *, again: bool = False) -> None:
        self.sizes[len(group)] += 1
        try:
            try:
                results = (self._again if again else self._write)([waiting.item for waiting in group])
            except (OperationalError, InterfaceError):
                raise
            except Exception:
                if len(group) == 1:
                    raise
                for waiting in group:
                    self._write_group([waiting], again=True)
                return
            for waiting, result in zip(group, results, strict=True):
                waiting.result = result
        except BaseException as error:
            for waiting in group:
                waiting.error = error
        finally:
            for waiting in group:
                waiting.done.set()
