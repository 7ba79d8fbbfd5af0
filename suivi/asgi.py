"""ASGI entry point served by uvicorn (`suivi run`): HTTP and WebSockets."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")

django_application = get_asgi_application()

# Imported once Django is set up: the consumers use the ORM.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from suivi.channels.chat.routing import websocket_urlpatterns as chat_websockets  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        # ws/chat/ (customers' sites, checked per widget) and ws/advisor-chat/ (advisors).
        "websocket": URLRouter(chat_websockets),
    }
)
