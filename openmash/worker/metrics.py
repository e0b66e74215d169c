"""The worker's own Prometheus metrics (prometheus_client), on a port of its own: what it did, which only it
knows (deliveries tried by channel and outcome: sharing.outbox.DELIVERIES), and the process's figures. The
service's state (backlog, dead letters, overdue clocks, the heartbeat) is the app's /metrics, read from the
database. The same rule as /metrics decides who may read it (lib/metricsaccess.py)."""

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIServer, make_server

from django.conf import settings
from prometheus_client import make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer, _SilentHandler

from openmash.lib.metricsaccess import metrics_access

logger = logging.getLogger(__name__)


def _guarded(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        allowed = metrics_access(
            address=environ.get("REMOTE_ADDR", ""),
            authorization=environ.get("HTTP_AUTHORIZATION", ""),
            networks=settings.METRICS_ALLOW,
            token=settings.METRICS_TOKEN,
        )
        if allowed != 200:
            start_response(
                "403 Forbidden" if allowed == 403 else "404 Not Found", [("Content-Type", "text/plain")]
            )
            return [b"Not allowed" if allowed == 403 else b"Not found"]
        return app(environ, start_response)

    return guarded


def worker_metrics_serve(address: str, port: int) -> WSGIServer:
    """Serve the worker's metrics on ``address``:``port`` from a thread of its own; the server (its
    ``server_port`` is the port given, or the one chosen for port 0)."""
    server = make_server(
        address, port, _guarded(make_wsgi_app()), ThreadingWSGIServer, handler_class=_SilentHandler
    )
    threading.Thread(target=server.serve_forever, name="openmash-worker-metrics", daemon=True).start()
    logger.info("Worker metrics on http://%s:%s/metrics", address, server.server_port)
    return server
