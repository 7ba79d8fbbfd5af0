"""The chat pages: the demo host page that embeds the widget (public)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from suivi.channels.chat.models import ChatWidget


@require_GET
def chat_demo(request: HttpRequest) -> HttpResponse:
    """A pretend company site with the widget, as a customer's site would embed it."""
    widgets = ChatWidget.objects.filter(is_active=True)
    key = request.GET.get("key", "")[:40]
    widget = widgets.filter(public_key=key).first() if key else widgets.order_by("pk").first()
    if widget is None:
        raise Http404("No chat widget")
    return render(request, "web/chat/demo.html", {"widget": widget})
