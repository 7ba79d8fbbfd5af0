"""The public "call me back" page: no account, French by default.

The caller leaves a name, a phone number and what it is about, and picks one of the
offered windows or "as soon as possible". A number we do not know becomes a customer to
complete later. The confirmation (a signed link) says who will call and when, and lets
the caller cancel. Rate-limited and error-handled like the booking pages.
"""

from datetime import date, datetime
from itertools import groupby

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from suivi.core.errors import DomainError
from suivi.customers.identities import InvalidIdentity, normalise
from suivi.customers.models import Customer, Identity
from suivi.scheduling import callback_slots, callbacks, links
from suivi.scheduling.callback_slots import CallbackSlot
from suivi.scheduling.errors import CallbackSlotNotOffered
from suivi.scheduling.models import Callback
from suivi.scheduling.services import ContactDetails

from .booking import public_view

ASAP = "asap"
DAYS_SHOWN = 3


def _language() -> str:
    return (translation.get_language() or "fr")[:2]


def _caller() -> Customer:
    """Someone we do not know yet: the windows offered to a new caller (any advisor of a
    team who speaks the page's language). Never saved."""
    return Customer(language=_language())


def _offered() -> list[CallbackSlot]:
    return callback_slots.callback_slots(customer=_caller(), days=DAYS_SHOWN, limit=200)


class CallbackForm(forms.Form):
    given_name = forms.CharField(label=gettext_lazy("Given name"), max_length=120)
    family_name = forms.CharField(label=gettext_lazy("Family name"), max_length=120, required=False)
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("What is it about?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # "asap" or the start of an offered window; whether it is still offered is the
    # service's business (409 with the next ones), not a form error.
    when = forms.CharField(label=gettext_lazy("When may we call you?"), max_length=40)

    def clean_phone(self) -> str:
        try:
            return normalise(Identity.Kind.PHONE, self.cleaned_data["phone"]).value
        except InvalidIdentity as error:
            raise forms.ValidationError(str(error.message)) from error

    def clean_when(self) -> datetime | None:
        value = self.cleaned_data["when"]
        if value == ASAP:
            return None
        try:
            starts_at = datetime.fromisoformat(value.replace(" ", "+"))
        except ValueError:
            starts_at = None
        if starts_at is None or starts_at.tzinfo is None:
            raise forms.ValidationError(_("Choose one of the times offered."))
        return starts_at


def _days(slots: list[CallbackSlot]) -> list[tuple[date, list[CallbackSlot]]]:
    """Slots by local day, their times in the team's zone (the values posted back too)."""
    zone = callback_slots.time_zone(_caller())
    local = [
        CallbackSlot(s.starts_at.astimezone(zone), s.ends_at.astimezone(zone), ()) for s in slots
    ]
    return [(day, list(group)) for day, group in groupby(local, key=lambda s: s.starts_at.date())]


def _page(request: HttpRequest, form: CallbackForm, slots: list[CallbackSlot], status: int = 200):
    return render(
        request,
        "web/scheduling/callback_request.html",
        {
            "form": form,
            "days": _days(slots),
            "zone": callback_slots.time_zone(_caller()),
            "chosen": form["when"].value() or ASAP,
            "asap": ASAP,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@public_view
def callback_request(request: HttpRequest) -> HttpResponse:
    slots = _offered()
    form = CallbackForm(request.POST or None, initial={"when": ASAP})
    if request.method != "POST":
        return _page(request, form, slots)
    if not form.is_valid():
        return _page(request, form, slots, status=422)
    data = form.cleaned_data
    try:
        callback = callbacks.callback_request_online(
            contact=ContactDetails(
                given_name=data["given_name"],
                family_name=data["family_name"],
                phone=data["phone"],
                language=_language(),
            ),
            reason=data["reason"],
            starts_at=data["when"],
        )
    except CallbackSlotNotOffered as error:
        # Taken meanwhile (or not for this caller's advisors): the next windows offered.
        form.add_error("when", str(error.message))
        alternatives = getattr(error, "alternatives", []) or _offered()
        return _page(request, form, alternatives, status=409)
    except DomainError as error:
        field = error.details.get("field")
        form.add_error(field if field in form.fields else None, str(error.message))
        return _page(request, form, slots, status=error.status)
    return redirect(links.callback_path(callback))


def _caller_name(callback: Callback) -> str:
    """Who calls, as the customer may know them: a first name only."""
    if callback.assigned_to is None:
        return ""
    return callback.assigned_to.display_name.split(" ", 1)[0]


@require_GET
@public_view
def callback_confirmation(request: HttpRequest, token: str) -> HttpResponse:
    callback = links.callback_from_token(token)
    return render(
        request,
        "web/scheduling/callback_confirmation.html",
        {
            "callback": callback,
            "token": token,
            "who": _caller_name(callback),
            "dedicated": callback.assigned_to_id is not None
            and callback.assigned_to_id == callback.customer.dedicated_advisor_id,
            "zone": callback_slots.time_zone(callback.customer),
        },
    )


@require_POST
@public_view
def callback_public_cancel(request: HttpRequest, token: str) -> HttpResponse:
    callback = links.callback_from_token(token)
    if callback.is_open:
        callbacks.callback_cancel(callback=callback, reason=_("Cancelled online"))
    return redirect(links.callback_path(callback))


urlpatterns = [
    path("callback/", callback_request, name="callback-request"),
    path("callback/<str:token>/", callback_confirmation, name="callback-confirmation"),
    path("callback/<str:token>/cancel/", callback_public_cancel, name="callback-public-cancel"),
]
