"""The customer file and the search that leads to it."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from suivi.conversations import selectors as files
from suivi.core import clock
from suivi.customers import selectors
from suivi.customers.models import Customer, Identity
from suivi.people.models import Advisor

from ..access import advisor_view, cursor_of
from ..forms import IdentityForm

TIMELINE_PAGE = 20
SEARCH_LIMIT = 50
SEARCH_MAX_LENGTH = 200


def identities_in_order() -> Prefetch:
    return Prefetch("identities", queryset=Identity.objects.order_by("kind", "pk"))


def render_customer_page(
    request: HttpRequest,
    me: Advisor,
    customer: Customer,
    *,
    identity_form: IdentityForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The customer file; `identity_form` replaces the blank form by the one refused."""
    file = files.customer_file(customer=customer, cursor=cursor_of(request), limit=TIMELINE_PAGE)
    return render(
        request,
        "web/customer.html",
        {
            "customer": customer,
            "file": file,
            "timeline": file.timeline,
            "page_url": reverse("customer", args=[customer.pk]),
            "more_url": reverse("customer-timeline", args=[customer.pk]),
            "show_case": True,
            "now": clock.now(),
            "identity_form": identity_form or IdentityForm(),
        },
        status=status,
    )


@require_GET
@advisor_view
def customer_page(request: HttpRequest, me: Advisor, customer_id: int) -> HttpResponse:
    return render_customer_page(
        request, me, files.customer_access(advisor=me, customer_id=customer_id)
    )


@require_GET
@advisor_view
def customer_timeline(request: HttpRequest, me: Advisor, customer_id: int) -> HttpResponse:
    """One more page of the timeline, as list items for htmx to put in place of the button."""
    customer = files.customer_access(advisor=me, customer_id=customer_id)
    return render(
        request,
        "web/_timeline_items.html",
        {
            "customer": customer,
            "timeline": files.timeline_page(
                customer_id=customer.pk, cursor=cursor_of(request), limit=TIMELINE_PAGE
            ),
            "page_url": reverse("customer", args=[customer.pk]),
            "more_url": reverse("customer-timeline", args=[customer.pk]),
            "show_case": True,
        },
    )


@require_GET
@advisor_view
def search(request: HttpRequest, me: Advisor) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    found = []
    if q:
        found = list(
            selectors.customers_search(queryset=files.customers_visible_to(me), q=q)
            .select_related("dedicated_advisor")
            .prefetch_related(identities_in_order())
            .order_by("family_key", "given_key", "pk")[: SEARCH_LIMIT + 1]
        )
    return render(
        request,
        "web/search.html",
        {"q": q, "results": found[:SEARCH_LIMIT], "truncated": len(found) > SEARCH_LIMIT},
    )
