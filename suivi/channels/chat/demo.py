"""The demo chat widget, for the demo host page `/chat/demo/`. Idempotent."""

from django.conf import settings

from suivi.people.models import Team

from .models import ChatWidget

DEMO_KEY = "w_demo"


def load_chat_demo(*, team: Team | None) -> ChatWidget:
    public = settings.SUIVI_PUBLIC_URL.rstrip("/")
    origins = dict.fromkeys([public, "http://localhost:8000", "http://127.0.0.1:8000"])
    widget, _created = ChatWidget.objects.get_or_create(
        public_key=DEMO_KEY,
        defaults={
            "name": "Site de démonstration",
            "allowed_origins": "\n".join(origins),
            "team": team,
            "languages": "fr,en",
        },
    )
    return widget
