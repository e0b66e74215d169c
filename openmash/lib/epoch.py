"""Times as whole microseconds since 1970 (UTC), worked out by the database, for reads of millions of rows that
only reduce times (a delay, a comparison, a run of shares): an integer crosses from the database and is handled
in Python far faster than a time-zone-aware ``datetime`` (docs/performance.md, issue 16). Exact both ways: a
``datetime`` holds whole microseconds, and so does the integer."""

import datetime as dt

from django.db.models import BigIntegerField, Func

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
SECOND = 1_000_000


def micros(when: dt.datetime) -> int:
    """``when`` (time-zone aware) as microseconds since the epoch, exactly."""
    return (when - EPOCH) // dt.timedelta(microseconds=1)


def from_micros(value: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=value)


def hours(value: int) -> float:
    """A duration in microseconds as decimal hours: the same float as ``timedelta.total_seconds() / 3600``
    (which divides the whole microseconds by a million)."""
    return value / SECOND / 3600


class Micros(Func):
    """A datetime expression as whole microseconds since the epoch (``micros`` in the database)."""

    output_field = BigIntegerField()

    @property
    def convert_value(self):  # type: ignore[no-untyped-def,override]
        # Both databases give a Python int already (a bigint; SQLite's CAST AS INTEGER): no converter called
        # a million times (Django's default for an integer expression is int(value) on each row).
        return self._convert_value_noop  # type: ignore[attr-defined]

    def as_postgresql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        # EXTRACT(EPOCH ...) is numeric (exact) since PostgreSQL 14.
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        # Django keeps a time in SQLite as UTC text, "YYYY-MM-DD HH:MM:SS" with ".ffffff" unless the
        # microseconds are 0: whole seconds from strftime of the first 19 characters (given the fraction,
        # SQLite rounds it to milliseconds, and .9995 or more to the next second), the six digits after the
        # point from the text.
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"(CAST(strftime('%%s', substr({sql}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr(({sql}) || '.000000', 21, 6) AS INTEGER))",
            (*params, *params),
        )


class MicrosBetween(Func):
    """``later - earlier`` (two datetime expressions) as whole microseconds: ``micros(later) - micros(earlier)``,
    worked out by the database (a delay, for a read that only needs the delay)."""

    arity = 2
    output_field = BigIntegerField()

    @property
    def convert_value(self):  # type: ignore[no-untyped-def,override]
        return self._convert_value_noop  # type: ignore[attr-defined]  # a Python int already, as Micros

    def as_postgresql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        # One EXTRACT of the interval, not two of the times: the interval keeps whole microseconds (days and
        # a time part, no months), and its epoch is numeric, exact.
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) * 1000000)::bigint",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        later, earlier = self.source_expressions
        later_sql, later_params = Micros(later).as_sqlite(compiler, connection)
        earlier_sql, earlier_params = Micros(earlier).as_sqlite(compiler, connection)
        return f"({later_sql} - {earlier_sql})", (*later_params, *earlier_params)
