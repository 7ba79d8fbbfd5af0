"""ASGI entry point served by uvicorn (`suivi run`)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")

application = get_asgi_application()
