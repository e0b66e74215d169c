"""The id of the request being answered, for log lines: taken from the caller's X-Request-ID when it is a
plain token, else made here (operations.middleware), returned in the response's header, and written on the
deliveries a request's shares are carried by, so the worker's log lines for them carry it too
(docs/deployment.md, "Logs").

Held in a context variable: each request thread (and each asynchronous task) has its own.
"""

import re
import uuid
from contextvars import ContextVar

# Letters, digits and - _ . : only, 1 to 64 of them: whatever a load balancer or a client sends is written
# into every log line, so nothing that could be a child's details, a newline or markup gets in.
_VALID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

request_id: ContextVar[str] = ContextVar("openmash_request_id", default="")


def request_id_valid(given: str | None) -> str | None:
    """The caller's request id if it is one this service keeps, else None."""
    if given and _VALID.fullmatch(given):
        return given
    return None


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_current() -> str:
    """The id of the request this thread is answering ("" outside a request)."""
    return request_id.get()
