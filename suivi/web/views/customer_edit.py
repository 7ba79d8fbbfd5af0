"""Writing the customer file: a new customer, their preferences, one more identity."""

from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from suivi.conversations import selectors as files
from suivi.core.errors import DomainError
from suivi.customers import services
from suivi.customers.identities import InvalidIdentity
from suivi.customers.models import Customer, Identity
from suivi.customers.services import CustomerNameRequired, IdentityInput, IdentityTaken
from suivi.people.models import Advisor
from suivi.people.selectors import advisors_list

from ..access import advisor_view
from ..forms import CustomerEditForm, IdentityForm, NewCustomerForm
from .customers import render_customer_page

PREFERENCES = (
    "given_name",
    "family_name",
    "address_as",
    "language",
    "preferred_channel",
    "contact_hours",
)


def _show_error(form: Form, error: DomainError, identity_field: str | None) -> int:
    """Put a domain error next to the field it is about, so that it is read with it;
    returns its HTTP status."""
    field: str | None = None
    message: Any = error.message
    if isinstance(error, CustomerNameRequired):
        field = "given_name"
    elif isinstance(error, InvalidIdentity | IdentityTaken):
        field = identity_field
        if isinstance(error, IdentityTaken) and "value" in error.details:
            # The other customer is not named: they may belong to a team we do not see.
            message = _("“%(value)s” (%(kind)s) already belongs to another customer.") % {
                "value": error.details["value"],
                "kind": Identity.Kind(error.details["kind"]).label,
            }
    elif error.details.get("field") in form.fields:
        field = error.details["field"]
    form.add_error(field if field in form.fields else None, str(message))
    return error.status


def _to_the_file(request: HttpRequest, me: Advisor, customer: Customer) -> HttpResponse:
    """Back to the customer's file, unless it now belongs to a team the advisor cannot see."""
    if files.customers_visible_to(me).filter(pk=customer.pk).exists():
        return redirect("customer", customer_id=customer.pk)
    messages.info(
        request,
        _("%(name)s is now followed by another team; their file is no longer in your sight.")
        % {"name": customer},
    )
    return redirect("home")


@require_http_methods(["GET", "POST"])
@advisor_view
def customer_new(request: HttpRequest, me: Advisor) -> HttpResponse:
    form = NewCustomerForm(
        request.POST if request.method == "POST" else None,
        advisors=advisors_list(),
        initial={"dedicated_advisor": me.pk},
    )
    status = 200
    if form.is_bound:
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                customer = services.customer_create(
                    **{name: data[name] for name in PREFERENCES},
                    dedicated_advisor=data["dedicated_advisor"],
                    # As the API does: someone in the creator's team can see the customer.
                    team=me.team,
                    identities=[IdentityInput(kind, value) for kind, value in form.identities()],
                )
            except DomainError as error:
                kind = error.details.get("kind")
                status = _show_error(form, error, kind if isinstance(kind, str) else None)
            else:
                messages.success(request, _("%(name)s was added.") % {"name": customer})
                return _to_the_file(request, me, customer)
    return render(
        request, "web/customer_form.html", {"form": form, "customer": None}, status=status
    )


@require_http_methods(["GET", "POST"])
@advisor_view
def customer_edit(request: HttpRequest, me: Advisor, customer_id: int) -> HttpResponse:
    customer = files.customer_access(advisor=me, customer_id=customer_id)
    form = CustomerEditForm(
        request.POST if request.method == "POST" else None,
        advisors=advisors_list(),
        initial={
            **{name: getattr(customer, name) for name in PREFERENCES},
            "dedicated_advisor": customer.dedicated_advisor_id,
        },
    )
    status = 200
    if form.is_bound:
        status = 422
        if form.is_valid():
            # Only what the advisor changed on the page they saw (see CustomerEditForm).
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                services.customer_update(customer=customer, changes=changes)
            except DomainError as error:
                status = _show_error(form, error, None)
            else:
                messages.success(request, _("The file of %(name)s was saved.") % {"name": customer})
                return _to_the_file(request, me, customer)
    return render(
        request, "web/customer_form.html", {"form": form, "customer": customer}, status=status
    )


@require_POST
@advisor_view
def identity_add(request: HttpRequest, me: Advisor, customer_id: int) -> HttpResponse:
    customer = files.customer_access(advisor=me, customer_id=customer_id)
    form = IdentityForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            identity, created = services.identity_add(
                customer=customer, kind=form.cleaned_data["kind"], value=form.cleaned_data["value"]
            )
        except DomainError as error:
            status = _show_error(form, error, "value")
        else:
            values = {"kind": identity.get_kind_display(), "value": identity.value}
            messages.success(
                request,
                _("%(kind)s “%(value)s” was added.") % values
                if created
                else _("%(kind)s “%(value)s” was already on the file.") % values,
            )
            return redirect(reverse("customer", args=[customer.pk]) + "#identities-title")
    return render_customer_page(request, me, customer, identity_form=form, status=status)
