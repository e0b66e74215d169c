import uvicorn
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve OpenMASH over HTTP with uvicorn (ASGI). Run `openmash worker` beside it for background work."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000)")
        parser.add_argument("--workers", type=int, default=1, help="Server processes (default 1)")

    def handle(self, *args, host, port, workers, **options):
        self.stdout.write(f"Serving OpenMASH on http://{host}:{port}/ with {workers} process(es)")
        uvicorn.run(
            "openmash.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",
            log_level="info",
            proxy_headers=False,
        )
