"""Advisor pages for appointments: reception, the waiting list, the visit, and booking
for a customer from their file."""

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from suivi.conversations import selectors as files
from suivi.core import clock
from suivi.core.errors import DomainError
from suivi.people.models import Advisor
from suivi.scheduling import callbacks, reception, selectors, services, visits
from suivi.scheduling.assets import customer_assets
from suivi.scheduling.errors import NobodyWaiting, SlotTaken
from suivi.scheduling.models import AppointmentType, Asset, Callback, Location, Visit
from suivi.scheduling.slots import check_offered, free_slots

from ..access import advisor_view, form_error

QUEUE_REFRESH_SECONDS = 5


@require_GET
@advisor_view
def locations(request: HttpRequest, me: Advisor) -> HttpResponse:
    return render(
        request, "web/scheduling/locations.html", {"locations": selectors.locations_list()}
    )


class WalkInForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    reason = forms.CharField(
        label=gettext_lazy("Reason for the visit"), max_length=300, required=False
    )
    email = forms.EmailField(label=gettext_lazy("E-mail (optional)"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone (optional)"), max_length=32, required=False)


def _reception(
    request: HttpRequest, location: Location, *, form: WalkInForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "web/scheduling/reception.html",
        {
            "location": location,
            "appointments": reception.appointments_of_day(location=location),
            "waiting": reception.waiting_list(location=location),
            "form": form or WalkInForm(),
            "zone": location.time_zone,
        },
        status=status,
    )


@require_GET
@advisor_view
def reception_page(request: HttpRequest, me: Advisor, location_id: int) -> HttpResponse:
    return _reception(request, selectors.location_get(location_id=location_id))


@require_POST
@advisor_view
def reception_check_in(
    request: HttpRequest, me: Advisor, location_id: int, appointment_id: int
) -> HttpResponse:
    location = selectors.location_get(location_id=location_id)
    appointment = selectors.appointment_access(advisor=me, appointment_id=appointment_id)
    reception.appointment_check_in(appointment=appointment)
    messages.success(
        request, _("%(name)s is on the waiting list.") % {"name": appointment.customer}
    )
    return redirect("location-reception", location_id=location.pk)


@require_POST
@advisor_view
def reception_walk_in(request: HttpRequest, me: Advisor, location_id: int) -> HttpResponse:
    location = selectors.location_get(location_id=location_id)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        return _reception(request, location, form=form, status=422)
    data = form.cleaned_data
    try:
        reception.walk_in_add(
            location=location,
            name=data["name"],
            reason=data["reason"],
            email=data["email"],
            phone=data["phone"],
        )
    except DomainError as error:
        return _reception(request, location, form=form, status=form_error(form, error))
    messages.success(request, _("%(name)s is on the waiting list.") % {"name": data["name"]})
    return redirect("location-reception", location_id=location.pk)


def _queue_context(location: Location, me: Advisor) -> dict[str, Any]:
    return {
        "location": location,
        "waiting": reception.waiting_list(location=location),
        "mine": Visit.objects.filter(location=location, status=Visit.Status.CALLED, called_by=me)
        .select_related("appointment__appointment_type")
        .order_by("called_at"),
        "refresh": QUEUE_REFRESH_SECONDS,
        "zone": location.time_zone,
    }


@require_GET
@advisor_view
def queue_page(request: HttpRequest, me: Advisor, location_id: int) -> HttpResponse:
    location = selectors.location_get(location_id=location_id)
    template = "web/scheduling/_queue.html" if request.htmx else "web/scheduling/queue.html"  # type: ignore[attr-defined]
    return render(request, template, _queue_context(location, me))


@require_POST
@advisor_view
def queue_next(request: HttpRequest, me: Advisor, location_id: int) -> HttpResponse:
    location = selectors.location_get(location_id=location_id)
    try:
        visit = reception.visit_call_next(location=location, advisor=me)
    except NobodyWaiting as error:
        messages.info(request, str(error.message))
        return redirect("location-queue", location_id=location.pk)
    return redirect("visit", visit_id=visit.pk)


@require_POST
@advisor_view
def visit_call(request: HttpRequest, me: Advisor, visit_id: int) -> HttpResponse:
    visit = reception.visit_call(visit=selectors.visit_get(visit_id=visit_id), advisor=me)
    return redirect("visit", visit_id=visit.pk)


class VisitForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("Diagnosis and what was done"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    asset = forms.ModelChoiceField(
        label=gettext_lazy("About this asset"), queryset=Asset.objects.none(), required=False
    )
    observation_what = forms.CharField(
        label=gettext_lazy("Item kept in observation"), max_length=500, required=False
    )
    observation_until = forms.DateTimeField(
        label=gettext_lazy("Expected back"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    callback_from = forms.DateTimeField(
        label=gettext_lazy("Call back from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    callback_until = forms.DateTimeField(
        label=gettext_lazy("Call back until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    callback_reason = forms.CharField(
        label=gettext_lazy("Why we will call"), max_length=300, required=False
    )

    def __init__(self, *args: Any, customer_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if customer_id is not None:
            self.fields["asset"].queryset = Asset.objects.filter(customer_id=customer_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("observation_what")) != bool(data.get("observation_until")):
            raise forms.ValidationError(
                _("An item in observation needs what it is and when it comes back.")
            )
        window = [
            data.get("callback_from"),
            data.get("callback_until"),
            data.get("callback_reason"),
        ]
        if any(window) and not all(window):
            raise forms.ValidationError(_("A callback needs its window and its reason."))
        return data


@require_http_methods(["GET", "POST"])
@advisor_view
def visit_page(request: HttpRequest, me: Advisor, visit_id: int) -> HttpResponse:
    visit = selectors.visit_get(visit_id=visit_id)
    form = VisitForm(request.POST or None, customer_id=visit.customer_id)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                outcome = visits.visit_record(
                    visit=visit,
                    advisor=me,
                    notes=data["notes"],
                    asset=data["asset"],
                    observation=visits.Observation(
                        data["observation_what"], data["observation_until"]
                    )
                    if data["observation_what"]
                    else None,
                    callback=visits.CallbackRequest(
                        data["callback_from"], data["callback_until"], data["callback_reason"]
                    )
                    if data["callback_reason"]
                    else None,
                )
            except DomainError as error:
                status = form_error(form, error)
            else:
                messages.success(request, _("The visit is on the customer's file."))
                return redirect("case", case_id=outcome.case.pk)
    appointment = visit.appointment
    return render(
        request,
        "web/scheduling/visit.html",
        {
            "visit": visit,
            "form": form,
            "appointment": appointment,
            "preparation": appointment.appointment_type.preparation_notes if appointment else "",
            "assets": customer_assets(customer_id=visit.customer_id) if visit.customer_id else [],
        },
        status=status,
    )


class BookForm(forms.Form):
    location = forms.ModelChoiceField(
        label=gettext_lazy("Location"), queryset=Location.objects.none()
    )
    appointment_type = forms.ModelChoiceField(
        label=gettext_lazy("Appointment type"), queryset=AppointmentType.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = selectors.locations_list()  # type: ignore[attr-defined]
        self.fields["appointment_type"].queryset = AppointmentType.objects.order_by("label_fr")  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
@advisor_view
def customer_book(request: HttpRequest, me: Advisor, customer_id: int) -> HttpResponse:
    """Book for a customer: choose a place and a kind, then one of the free times."""
    customer = files.customer_access(advisor=me, customer_id=customer_id)
    form = BookForm(request.GET if "location" in request.GET else None)
    context: dict[str, Any] = {"customer": customer, "form": form, "slots": [], "status": 200}
    if form.is_valid():
        location, kind = form.cleaned_data["location"], form.cleaned_data["appointment_type"]
        context.update({"location": location, "kind": kind, "zone": location.time_zone})
        try:
            check_offered(location=location, appointment_type=kind)
            context["slots"] = free_slots(
                location=location, appointment_type=kind, days=14, limit=60
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        if request.method == "POST":
            try:
                starts_at = datetime.fromisoformat(request.POST.get("start", ""))
                services.appointment_book(
                    customer=customer,
                    location=location,
                    appointment_type=kind,
                    starts_at=starts_at,
                    source="advisor",
                    booked_by=me,
                    reason=request.POST.get("reason", "")[:1000],
                )
            except ValueError:
                form.add_error(None, _("Choose a time."))
                context["status"] = 422
            except SlotTaken as error:
                form.add_error(None, str(error.message))
                context["slots"] = getattr(error, "alternatives", [])
                context["status"] = 409
            except DomainError as error:
                context["status"] = form_error(form, error)
            else:
                messages.success(
                    request, _("Appointment booked; the customer receives a confirmation.")
                )
                return redirect(reverse("customer", args=[customer.pk]))
    context["now"] = clock.now()
    return render(
        request, "web/scheduling/customer_book.html", context, status=context.pop("status")
    )


@require_POST
@advisor_view
def callback_complete(request: HttpRequest, me: Advisor, callback_id: int) -> HttpResponse:
    """The advisor called the customer back; the note becomes the call on the timeline."""
    callback = selectors.callback_access(advisor=me, callback_id=callback_id)
    callbacks.callback_complete(callback=callback, by=me, note=request.POST.get("note", ""))
    messages.success(request, _("The call is on the timeline and the promise is kept."))
    return redirect("customer", callback.customer_id)


_ATTEMPT_DONE = {
    "reached": gettext_lazy("The call is on the timeline and the promise is kept."),
    "no_answer": gettext_lazy("No answer: the call is on the timeline; try again later."),
    "wrong_number": gettext_lazy("Wrong number: the customer is told how to reach us."),
}


@require_POST
@advisor_view
def callback_attempt(request: HttpRequest, me: Advisor, callback_id: int) -> HttpResponse:
    """One call made for a callback, with its outcome and note (see docs/callbacks.md)."""
    callback = selectors.callback_access(advisor=me, callback_id=callback_id)
    outcome = request.POST.get("outcome", "")
    result = callbacks.callback_attempt(
        callback=callback, by=me, outcome=outcome, note=request.POST.get("note", "")[:5000]
    )
    if result.callback.status == Callback.Status.UNREACHABLE:
        messages.success(request, _("Unreachable after three calls: the customer is told."))
    else:
        messages.success(request, _ATTEMPT_DONE[outcome])
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("customer", args=[callback.customer_id])
    return redirect(target)
