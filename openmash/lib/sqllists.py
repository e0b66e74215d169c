"""Many values bound as one, in a statement whose text stays the same whatever their number."""

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection


def texts_table(values: Sequence[str]) -> tuple[str, list[Any]]:
    """Many strings as a one-column table (``SELECT ...``, for a ``WITH`` or an ``IN``), bound as one value.

    A statement with a mark a value (``IN (%s, %s, ...)``) has a new text at every length: psycopg rewrites
    each such text's marks in Python, uncached past 4 kB (6% of a national generation's time, for one query
    of the matcher's), the server parses and plans it afresh, and Django's SQLite cursor rewrites it with a
    regular expression. One array (PostgreSQL) or one JSON list (SQLite) keeps the text the same."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::text[])", [list(values)]
    return "SELECT value FROM json_each(%s)", [json.dumps(list(values))]


def texts_in(column: str, values: Sequence[str]) -> tuple[str, list[Any]]:
    """``column IN (values)`` bound as one value (``texts_table``): on PostgreSQL ``= ANY(array)``, which the
    server looks up in the column's index a value at a time."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::text[])", [list(values)]
    table, params = texts_table(values)
    return f"{column} IN ({table})", params
