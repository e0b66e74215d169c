"""The application `openmash serve` runs: Django's WSGI handler for ordinary requests, its ASGI handler for the
live streams.

Django over ASGI costs several times what it costs over WSGI for an ordinary (synchronous) view: every sync
middleware and the view itself hop to a thread, and all sync code of a process shares one thread. Live inbox
streams, though, must wait asynchronously so that one process holds thousands of them (and wakes them on
PostgreSQL NOTIFY). So the server speaks ASGI, and this dispatcher sends the stream paths to Django's ASGI
handler and everything else to its WSGI handler on a bounded thread pool.

An ordinary request crosses to a thread once and back once: its body is read on the event loop first, the WSGI
call runs whole on a pool thread, and its response is sent back in one piece. a2wsgi's middleware, used before,
streams both ways instead, crossing between the loop and the thread for every read and every write; under load
that cost about a fifth of a server process's time (decision 0007). Every ordinary OpenMASH response is built
in memory anyway; the only streamed ones are the live streams, which stay on ASGI.
"""

import asyncio
import gc
import io
import logging
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmash.settings")

from a2wsgi.wsgi import build_environ
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

logger = logging.getLogger(__name__)

# Paths answered by an asynchronous view (server-sent events). Everything else is synchronous Django.
STREAM_PATHS = frozenset({"/inbox/stream/", "/api/v1/inbox/stream"})

# Threads per process for ordinary requests: each may hold a database connection, so keep it bounded.
THREADS = int(os.environ.get("OPENMASH_SERVE_THREADS", "8"))

# The largest request body read into memory (an import file is the largest anything sends); more is refused.
MAX_BODY_BYTES = int(os.environ.get("OPENMASH_MAX_BODY_BYTES", str(64 * 1024 * 1024)))

_asgi = get_asgi_application()
_wsgi = get_wsgi_application()
_threads = ThreadPoolExecutor(THREADS, thread_name_prefix="openmash-request")

# What is loaded by now (Django, the apps, the URL maps) lives as long as the process: leave it out of the
# garbage collector's full collections, which would otherwise walk all of it again and again under load.
gc.freeze()

Response = tuple[int, list[tuple[bytes, bytes]], bytes]


def _plain(status: int, text: str) -> Response:
    body = text.encode()
    return (
        status,
        [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"%d" % len(body))],
        body,
    )


def _call(scope: dict[str, Any], body: bytes) -> Response:
    """One whole WSGI request, on a pool thread: the status, headers and body Django answered with."""
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [status, headers]
        return chunks.append  # the legacy write() callable

    chunks: list[bytes] = []
    result: Iterable[bytes] = _wsgi(build_environ(scope, io.BytesIO(body)), start_response)  # type: ignore[arg-type]
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = started
    encoded = [(name.lower().encode("latin1"), value.encode("latin1")) for name, value in headers]
    return int(status[:3]), encoded, b"".join(chunks)


async def _body(receive: Any) -> bytes | None:
    """The whole request body, or None when it is larger than MAX_BODY_BYTES."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        part = message.get("body", b"")
        size += len(part)
        if size > MAX_BODY_BYTES:
            return None
        parts.append(part)
        if not message.get("more_body", False):
            break
    return b"".join(parts)


async def _ordinary(scope: dict[str, Any], receive: Any, send: Any) -> None:
    body = await _body(receive)
    if body is None:
        status, headers, content = _plain(413, "Request body too large")
    else:
        try:
            status, headers, content = await asyncio.get_running_loop().run_in_executor(
                _threads, _call, scope, body
            )
        except Exception:  # Django answers its own errors; this is a fault in the server itself
            logger.exception("Request to %s failed outside Django", scope["path"])
            status, headers, content = _plain(500, "Server error")
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else content})


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"] not in STREAM_PATHS:
        await _ordinary(scope, receive, send)
        return
    await _asgi(scope, receive, send)
