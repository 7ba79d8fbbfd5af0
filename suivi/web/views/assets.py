"""Assets and their service record, searchable by serial number."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from suivi.conversations import selectors as files
from suivi.core.errors import DomainError
from suivi.people.models import Advisor
from suivi.scheduling import assets, selectors
from suivi.scheduling.models import Asset

from ..access import advisor_view, cursor_of, form_error

RECORD_PAGE = 20
SEARCH_LIMIT = 50


@require_GET
@advisor_view
def assets_search(request: HttpRequest, me: Advisor) -> HttpResponse:
    serial = request.GET.get("serial", "").strip()[:80]
    found: list[Asset] = []
    if serial:
        found = list(
            assets.assets_search(queryset=selectors.assets_visible_to(me), serial=serial).order_by(
                "serial_number", "pk"
            )[:SEARCH_LIMIT]
        )
    return render(request, "web/scheduling/assets.html", {"serial": serial, "found": found})


@require_GET
@advisor_view
def asset_page(request: HttpRequest, me: Advisor, asset_id: int) -> HttpResponse:
    asset = selectors.asset_access(advisor=me, asset_id=asset_id)
    record = assets.service_record_page(asset=asset, cursor=cursor_of(request), limit=RECORD_PAGE)
    template = "web/scheduling/_record_items.html" if request.htmx else "web/scheduling/asset.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"asset": asset, "record": record, "more_url": reverse("asset", args=[asset.pk])},
    )


class AssetForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Asset.Kind.choices)
    model = forms.CharField(label=gettext_lazy("Model"), max_length=160)
    serial_number = forms.CharField(
        label=gettext_lazy("Serial number"), max_length=80, required=False
    )
    purchase_date = forms.DateField(
        label=gettext_lazy("Purchase date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    warranty_ends_on = forms.DateField(
        label=gettext_lazy("Warranty end"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@require_http_methods(["GET", "POST"])
@advisor_view
def asset_new(request: HttpRequest, me: Advisor, customer_id: int) -> HttpResponse:
    customer = files.customer_access(advisor=me, customer_id=customer_id)
    form = AssetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data: dict[str, Any] = form.cleaned_data
            try:
                asset = assets.asset_create(customer=customer, **data)
            except DomainError as error:
                status = form_error(form, error)
            else:
                messages.success(request, _("Asset added."))
                return redirect("asset", asset_id=asset.pk)
    return render(
        request,
        "web/scheduling/asset_new.html",
        {"customer": customer, "form": form},
        status=status,
    )
