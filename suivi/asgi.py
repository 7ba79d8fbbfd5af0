"""ASGI entry point served by uvicorn (`suivi run`): pages over HTTP; over WebSocket the
live inbox (docs/live.md) and the web chat (docs/channels/chat.md)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")

# Django must be set up before the consumers import the models.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import URLPattern  # noqa: E402

from suivi.channels.chat.routing import websocket_urlpatterns as chat_websockets  # noqa: E402
from suivi.web.live.routing import websocket_urlpatterns as live_websockets  # noqa: E402


def _advisors_only(routes: list[URLPattern]) -> list[URLPattern]:
    """Each route behind the origin check (a socket opened by another site with the
    advisor's cookie is refused: cross-site WebSocket hijacking) and the session."""
    return [
        URLPattern(route.pattern, AllowedHostsOriginValidator(AuthMiddlewareStack(route.callback)))
        for route in routes
    ]


from suivi.core.runtime import tune_garbage_collector  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": URLRouter(
            [
                # ws/chat/ comes from customers' own sites and is checked per widget;
                # ws/advisor-chat/ carries its own origin check and session.
                *chat_websockets,
                # The live inbox (ws/desk/).
                *_advisors_only(live_websockets),
            ]
        ),
    }
)

# Everything above lives as long as the process: out of the collector's way.
tune_garbage_collector()
