"""The chat pages: the demo host page that embeds the widget (public), and the
published answers the advisor's live panel suggests."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from suivi.channels.chat import assistant
from suivi.channels.chat.models import ChatWidget
from suivi.knowledge.selectors import LANGUAGES, QUERY_MAX_CHARS
from suivi.people.models import Advisor

from ..access import advisor_view

SUGGESTIONS = 3


@require_GET
def chat_demo(request: HttpRequest) -> HttpResponse:
    """A pretend company site with the widget, as a customer's site would embed it."""
    widgets = ChatWidget.objects.filter(is_active=True)
    key = request.GET.get("key", "")[:40]
    widget = widgets.filter(public_key=key).first() if key else widgets.order_by("pk").first()
    if widget is None:
        raise Http404("No chat widget")
    return render(request, "web/chat/demo.html", {"widget": widget})


@require_GET
@advisor_view
def chat_suggestions(request: HttpRequest, me: Advisor) -> HttpResponse:
    """Up to 3 live answers for the customer's last message (a fragment of the live chat
    panel; any advisor: it reads published knowledge only). One query."""
    q = request.GET.get("q", "")[: QUERY_MAX_CHARS * 4]
    language = request.GET.get("language", "")
    language = language if language in LANGUAGES else "fr"
    hits = assistant.suggestions(question=q, language=language, limit=SUGGESTIONS)
    return render(
        request,
        "web/knowledge/_suggestions.html",
        {"hits": hits, "q": q.strip(), "target": "chat"},
    )
