"""Log lines as JSON, one object a line (python-json-logger), each with the id of the request it belongs to.

The formatter is python-json-logger's; this module adds only the request id (lib/requestid.py), taken from
the request being answered unless the line carries its own (the worker's delivery lines carry the id of the
request that recorded the share: sharing.outbox._log_outcomes). Settings' LOGGING names both.

Never a child's name, date of birth or identifier in a log line: log ids (a share's, a delivery's, a
person's record id) and never values a person typed (tests/operations/test_logs.py).
"""

import logging
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


class JsonFormatter(json.JsonFormatter):
    """python-json-logger's formatter, leaving out the ``request`` Django attaches to its request log lines:
    its text is the full path with the query string, and a search's query string holds a child's name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request"])
        super().__init__(*args, **kwargs)
