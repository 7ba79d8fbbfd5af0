"""Promises on the customer and case pages: `{% load promises %}` then
`{% customer_promises customer %}`, `{% case_promises case %}`, `{% promise_form case %}` and
`{% promise_alerts_link advisor %}`.

Each tag runs one query whatever the number of promises; the countdowns refresh
themselves through htmx every minute, so the page does not need reloading."""

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from suivi.conversations.models import Case
from suivi.core import clock
from suivi.customers.models import Customer
from suivi.people.models import Advisor
from suivi.promises import selectors
from suivi.promises.models import Promise

from ..views.promises import PromiseForm

register = template.Library()


def duration(delta: timedelta) -> str:
    """'20 min', '3 h', '3 h 20 min', '2 days': what a person reads at a glance."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        if rest and hours < 10:
            return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
        return _("%(hours)d h") % {"hours": hours}
    days = hours // 24
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


def countdown(promise: Promise, now: datetime) -> tuple[str, str]:
    """(text, state) of a promise at `now`; state is paused, overdue, at_risk or on_time."""
    if promise.paused_at is not None:
        remaining = timedelta(seconds=promise.paused_remaining_seconds or 0)
        return (
            _("paused while we wait for the customer (%(left)s of business time left)")
            % {"left": duration(remaining)},
            "paused",
        )
    if promise.due_at <= now:
        return _("overdue by %(duration)s") % {"duration": duration(now - promise.due_at)}, (
            "overdue"
        )
    text = _("due in %(duration)s") % {"duration": duration(promise.due_at - now)}
    at_risk = promise.at_risk_at is not None or promise.at_risk_from <= now
    return text, "at_risk" if at_risk else "on_time"


def _rows(promises: list[Promise], now: datetime) -> list[dict[str, Any]]:
    rows = []
    for promise in promises:
        text, state = countdown(promise, now)
        rows.append({"promise": promise, "countdown": text, "state": state})
    return rows


@register.inclusion_tag("web/promises/customer_promises.html")
def customer_promises(customer: Customer) -> dict[str, Any]:
    now = clock.now()
    promises = selectors.customer_open_promises(customer=customer)
    return {"customer": customer, "rows": _rows(promises, now), "now": now}


@register.inclusion_tag("web/promises/case_promises.html", takes_context=True)
def case_promises(context: template.Context, case: Case) -> dict[str, Any]:
    now = clock.now()
    promises = selectors.case_promises(case=case)
    return {
        "case": case,
        "rows": _rows(promises, now),
        "now": now,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("web/promises/_alerts_link.html")
def promise_alerts_link(advisor: Advisor) -> dict[str, Any]:
    """ "Promise alerts (3)" for the navigation or the desk: one count query."""
    return {"unread": selectors.unread_alert_count(advisor=advisor)}


@register.inclusion_tag("web/promises/_promise_form.html", takes_context=True)
def promise_form(context: template.Context, case: Case) -> dict[str, Any]:
    """The personal promise form of the case page (a refused one when re-rendered)."""
    return {
        "case": case,
        "form": context.get("promise_form") or PromiseForm(),
        "csrf_token": context.get("csrf_token"),
    }
