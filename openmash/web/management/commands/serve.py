from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve OpenMASH over HTTP with granian: ordinary requests through Django's WSGI handler, live inbox "
        "streams through its ASGI handler (docs/decisions/0007-serving.md). Run `openmash worker` beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000)")
        parser.add_argument("--workers", type=int, default=1, help="Server processes (default 1)")
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="Threads per process for ordinary requests (default 8; events that several threads record "
            "at the same moment are committed together, docs/decisions/0010)",
        )

    def handle(self, *args, host, port, workers, threads, **options):
        import os

        from granian.constants import Interfaces
        from granian.log import LogLevels
        from granian.server import Server

        if threads is None:
            threads = 8
        # Read by openmash.web.serving in each server process.
        os.environ["OPENMASH_SERVE_THREADS"] = str(threads)
        self.stdout.write(
            f"Serving OpenMASH on http://{host}:{port}/ with {workers} process(es) of {threads} thread(s)"
        )
        self.stdout.flush()
        Server(
            "openmash.web.serving:application",
            address=host,
            port=port,
            interface=Interfaces.ASGINL,
            workers=workers,
            log_level=LogLevels.info,
            respawn_failed_workers=True,
            # Live streams stay open for up to an hour: on shutdown give them a few seconds, then stop.
            workers_kill_timeout=5,
            # The server's own lines (starting, a process respawned) in the service's format. Its access log
            # stays off: it writes each path with its query string, where a search holds a child's name.
            log_dictconfig=_server_logging(),
            log_access=False,
        ).serve()


def _server_logging() -> dict:
    """granian's logger, written as the service's own lines are (settings.LOGGING: JSON by default)."""
    from django.conf import settings

    logging: dict[str, Any] = settings.LOGGING
    return {
        "filters": logging["filters"],
        "formatters": logging["formatters"],
        "handlers": {"console": logging["handlers"]["console"]},
        "loggers": {"_granian": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    }
