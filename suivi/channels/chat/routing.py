"""WebSocket routes of the chat, wired into `suivi.asgi`.

The customer's socket comes from customers' own sites: it does not go through the
advisors' allowed-hosts check; each widget checks its own allowed sites instead. The
advisor's panel is an advisor page: session authentication and our own hosts only.
"""

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from .consumers import AdvisorChat, CustomerChat

customer_urlpatterns = [
    path("ws/chat/<str:key>/", CustomerChat.as_asgi()),
]

advisor_urlpatterns = [
    path(
        "ws/advisor-chat/<int:conversation_id>/",
        AllowedHostsOriginValidator(AuthMiddlewareStack(AdvisorChat.as_asgi())),
    ),
]

websocket_urlpatterns = customer_urlpatterns + advisor_urlpatterns
