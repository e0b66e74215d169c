"""Log lines as JSON, one object a line (python-json-logger), each with the id of the request it belongs to.

The formatter is python-json-logger's; this module adds only the request id (lib/requestid.py), taken from
the request being answered unless the line carries its own (the worker's delivery lines carry the id of the
request that recorded the share: sharing.outbox._log_outcomes). Settings' LOGGING names both.

Never a child's name, date of birth or identifier in a log line: log ids (a share's, a delivery's, a
person's record id) and never values a person typed (tests/operations/test_logs.py).
"""

import logging
import re
from typing import Any

from pythonjsonlogger import json
from pythonjsonlogger.core import RESERVED_ATTRS

from openmash.lib.requestid import request_id_current


class RequestIdFilter(logging.Filter):
    """Give every record a ``request_id`` ("" outside a request), unless it has one already."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_current()
        return True


# PostgreSQL puts the values of the row in some of its errors ("DETAIL:  Key (scheme, value)=(nhs,
# 9434765919) already exists.", "Failing row contains (...)"), and an unexpected error is logged with its
# traceback: the values are cut out, the columns kept.
_ROW_VALUES = re.compile(
    r"(Key \([^)]*\)=\().*?(\) already exists|\) is not present|\)(?=[ .]))|(Failing row contains \().*?\)(?=\.|\\n|$)"
)


def _values_cut(match: re.Match[str]) -> str:
    if match.group(1):
        return f"{match.group(1)}...{match.group(2)}"
    return f"{match.group(3)}...)"


class JsonFormatter(json.JsonFormatter):
    """python-json-logger's formatter, leaving out the ``request`` Django attaches to its request log lines
    (its text is the full path with the query string, and a search's query string holds a child's name), and
    the row values in PostgreSQL's errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request"])
        super().__init__(*args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        if "Key (" in line or "Failing row contains" in line:
            line = _ROW_VALUES.sub(_values_cut, line)
        return line
