"""The application `openmash serve` runs: Django's WSGI handler for ordinary requests, its ASGI handler for the
live streams.

Django over ASGI costs several times what it costs over WSGI for an ordinary (synchronous) view: every sync
middleware and the view itself hop to a thread, and all sync code of a process shares one thread. Live inbox
streams, though, must wait asynchronously so that one process holds thousands of them (and wakes them on
PostgreSQL NOTIFY). So the server speaks ASGI, and this dispatcher sends the stream paths to Django's ASGI
handler and everything else to its WSGI handler on a bounded thread pool (a2wsgi), one thread hop a request.
See docs/decisions/0007-serving.md for the measurements.
"""

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmash.settings")

from a2wsgi import WSGIMiddleware
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

# Paths answered by an asynchronous view (server-sent events). Everything else is synchronous Django.
STREAM_PATHS = frozenset({"/inbox/stream/", "/api/v1/inbox/stream"})

# Threads per process for ordinary requests: each may hold a database connection, so keep it bounded.
THREADS = int(os.environ.get("OPENMASH_SERVE_THREADS", "8"))

_asgi = get_asgi_application()
_wsgi = WSGIMiddleware(get_wsgi_application(), workers=THREADS)  # type: ignore[arg-type]


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"] not in STREAM_PATHS:

        async def receive_coroutine() -> Any:
            # a2wsgi reads the body from its thread with run_coroutine_threadsafe, which needs a coroutine;
            # granian's receive returns another kind of awaitable.
            return await receive()

        await _wsgi(scope, receive_coroutine, send)  # type: ignore[arg-type]
        return
    await _asgi(scope, receive, send)
