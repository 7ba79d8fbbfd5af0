"""The advisor's presence (available, busy, away), switched from the top bar.

The top bar loads the switch with htmx after the page, so no page pays a query for it;
without JavaScript the link opens this small page instead."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from suivi.people.models import Advisor
from suivi.routing import selectors, services
from suivi.routing.models import AdvisorPresence

from ..access import advisor_view


@require_http_methods(["GET", "POST"])
@advisor_view
def presence(request: HttpRequest, me: Advisor) -> HttpResponse:
    if request.method == "POST":
        # An unknown status is a domain error: advisor_view renders it as a 400.
        services.presence_set(advisor=me, status=request.POST.get("status", ""))
        if not request.htmx:  # type: ignore[attr-defined]
            target = request.POST.get("next", "")
            safe = url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            return redirect(target if safe and target else "presence")
    template = "web/_presence.html" if request.htmx else "web/presence.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"presence": selectors.presence_of(advisor=me), "statuses": AdvisorPresence.Status},
    )
