"""ASGI entry point: `openmash serve` runs this under uvicorn."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmash.settings")
application = get_asgi_application()
