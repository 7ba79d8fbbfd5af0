"""Reviewing possible duplicates: merge them, or say they are two people."""

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from suivi.conversations import selectors as files
from suivi.core.errors import DomainError
from suivi.customers import selectors, services
from suivi.customers.models import Identity, PossibleDuplicate
from suivi.people.models import Advisor

from ..access import advisor_view
from ..forms import MergeForm

REVIEW_LIMIT = 50


def _pairs(me: Advisor) -> QuerySet[PossibleDuplicate]:
    identities = Identity.objects.order_by("kind", "pk")
    return (
        selectors.possible_duplicates(visible=files.customers_visible_to(me))
        .select_related("customer__dedicated_advisor", "other__dedicated_advisor")
        .prefetch_related(
            Prefetch("customer__identities", queryset=identities),
            Prefetch("other__identities", queryset=identities),
        )
    )


def _render(
    request: HttpRequest, me: Advisor, *, error: Any = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "web/duplicates.html",
        {"pairs": _pairs(me)[:REVIEW_LIMIT], "error": error},
        status=status,
    )


@require_GET
@advisor_view
def duplicates(request: HttpRequest, me: Advisor) -> HttpResponse:
    return _render(request, me)


@require_POST
@advisor_view
def customer_merge(request: HttpRequest, me: Advisor, customer_id: int) -> HttpResponse:
    """Fold the posted duplicate into this customer; the advisor must see both."""
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _render(request, me, error=_("Choose the customer to merge."), status=422)
    keep = files.customer_access(advisor=me, customer_id=customer_id)
    duplicate = files.customer_access(advisor=me, customer_id=form.cleaned_data["duplicate_id"])
    duplicate_name = str(duplicate)
    try:
        kept = services.customers_merge(keep=keep, duplicate=duplicate, by=me)
    except DomainError as error:
        return _render(request, me, error=error.message, status=error.status)
    messages.success(
        request,
        _("%(duplicate)s was merged into %(kept)s; nothing of their history was lost.")
        % {"duplicate": duplicate_name, "kept": kept},
    )
    return redirect("customer", customer_id=kept.pk)


@require_POST
@advisor_view
def duplicate_dismiss(request: HttpRequest, me: Advisor, pair_id: int) -> HttpResponse:
    pair = _pairs(me).filter(pk=pair_id).first()
    if pair is None:
        raise Http404
    services.duplicate_dismiss(pair=pair)
    messages.success(
        request,
        _("%(a)s and %(b)s are marked as two different people.")
        % {"a": pair.customer, "b": pair.other},
    )
    return redirect("duplicates")
