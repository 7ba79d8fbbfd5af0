"""Why this advisor answers: `{% load routing %}` then
`{{ interaction.metadata.routing|routing_reason }}`, rendered in the reader's language
from the facts the routing decision kept (no query)."""

from typing import Any

from django import template

from suivi.routing import reasons

register = template.Library()


@register.filter
def routing_reason(routing: Any) -> str:
    if not isinstance(routing, dict) or not isinstance(routing.get("details"), dict):
        return ""
    try:
        return reasons.render(routing["details"])
    except (KeyError, TypeError, ValueError):
        return ""  # facts written by an older version: say nothing rather than fail
