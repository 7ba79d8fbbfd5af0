"""The live chat panel of the case page: `{% load chat %}{% chat_panel case %}`.

One query (the case's latest chat); nothing is rendered for a case without a chat."""

from typing import Any

from django import template

from suivi.channels.chat.models import ChatConversation
from suivi.conversations.models import Case

register = template.Library()


@register.inclusion_tag("web/chat/_panel.html")
def chat_panel(case: Case) -> dict[str, Any]:
    conversation = ChatConversation.objects.filter(case=case).order_by("-pk").first()
    return {"case": case, "conversation": conversation}
