"""The public booking pages: no account, French by default, nothing about advisors.

A customer chooses a location and a kind of appointment, then a free time, then leaves
a name and a way to reach them. Signed links let them move or cancel it, check in at
the location and follow their place on the waiting list. Every request counts against
a per-IP budget (a fixed-window counter in the cache), so nobody can script the agenda.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from suivi.core import clock
from suivi.core.errors import DomainError, NotFound
from suivi.core.ratelimit import over_limit
from suivi.scheduling import links, reception, selectors, services
from suivi.scheduling.errors import SlotTaken
from suivi.scheduling.models import Appointment, AppointmentType, Location
from suivi.scheduling.slots import Slot, check_offered, free_slots

# Requests per IP address and window; tune with SUIVI_BOOKING_RATE_LIMIT.
RATE_WINDOW_SECONDS = 600
WAITING_REFRESH_SECONDS = 5
DAYS_SHOWN = 7


def rate_limit() -> int:
    return int(settings.SUIVI_BOOKING_RATE_LIMIT)


def _over_budget(request: HttpRequest) -> bool:
    return over_limit(
        scope="booking",
        client=request.META.get("REMOTE_ADDR", "unknown"),
        limit=rate_limit(),
        window_seconds=RATE_WINDOW_SECONDS,
    )


def public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Rate-limited; a domain error becomes a page with its status; a bad link, a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _over_budget(request):
            response = render(
                request,
                "web/scheduling/public_error.html",
                {"message": _("Too many requests. Please try again in a few minutes.")},
                status=429,
            )
            response["Retry-After"] = str(RATE_WINDOW_SECONDS)
            return response
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(str(error.message)) from error
        except DomainError as error:
            return render(
                request,
                "web/scheduling/public_error.html",
                {"message": error.message},
                status=error.status,
            )

    return wrapper


def _language() -> str:
    return (translation.get_language() or "fr")[:2]


def _choice(request: HttpRequest) -> tuple[Location, AppointmentType]:
    try:
        location = selectors.location_get(location_id=int(request.GET.get("location", "")))
        kind = selectors.appointment_type_get(type_id=int(request.GET.get("type", "")))
    except ValueError as error:
        raise NotFound() from error
    if not (location.is_active and kind.is_public):
        raise NotFound()
    return location, kind


def _days(slots: list[Slot], location: Location) -> list[tuple[date, list[Slot]]]:
    zone = ZoneInfo(location.time_zone)
    return [
        (day, list(group))
        for day, group in groupby(slots, key=lambda s: s.starts_at.astimezone(zone).date())
    ]


def _from_day(request: HttpRequest, location: Location) -> datetime | None:
    raw = request.GET.get("from", "")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(location.time_zone))


def _slots_context(
    request: HttpRequest, location: Location, kind: AppointmentType, *, exclude: int | None = None
) -> dict[str, Any]:
    start = _from_day(request, location) or clock.now()
    slots = free_slots(
        location=location,
        appointment_type=kind,
        start=start,
        days=DAYS_SHOWN,
        exclude_appointment_id=exclude,
    )
    zone = ZoneInfo(location.time_zone)
    next_day = (max(start, clock.now()).astimezone(zone) + timedelta(days=DAYS_SHOWN)).date()
    return {
        "location": location,
        "kind": kind,
        "label": kind.label(_language()),
        "days": _days(slots, location),
        "zone": location.time_zone,
        "later": next_day.isoformat(),
    }


@require_GET
@public_view
def book_start(request: HttpRequest) -> HttpResponse:
    choices = [
        (location, selectors.appointment_types_for(location=location, public_only=True))
        for location in selectors.locations_list()
    ]
    return render(
        request,
        "web/scheduling/book_start.html",
        {"choices": [(loc, types) for loc, types in choices if types], "language": _language()},
    )


@require_GET
@public_view
def book_slots(request: HttpRequest) -> HttpResponse:
    location, kind = _choice(request)
    check_offered(location=location, appointment_type=kind)
    return render(
        request, "web/scheduling/book_slots.html", _slots_context(request, location, kind)
    )


class ContactForm(forms.Form):
    given_name = forms.CharField(label=gettext_lazy("Given name"), max_length=120)
    family_name = forms.CharField(label=gettext_lazy("Family name"), max_length=120)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False, max_length=254)
    phone = forms.CharField(label=gettext_lazy("Phone"), required=False, max_length=32)
    reason = forms.CharField(
        label=gettext_lazy("What is it about? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("email") or data.get("phone")):
            raise forms.ValidationError(
                _("Give an e-mail address or a phone number so that we can reach you.")
            )
        return data


def _start_of(request: HttpRequest) -> datetime:
    try:
        # A "+" of the offset may arrive decoded as a space when the link was hand-built.
        starts_at = datetime.fromisoformat(request.GET.get("start", "").replace(" ", "+"))
    except ValueError as error:
        raise NotFound() from error
    if starts_at.tzinfo is None:
        raise NotFound()
    return starts_at


@require_http_methods(["GET", "POST"])
@public_view
def book_details(request: HttpRequest) -> HttpResponse:
    location, kind = _choice(request)
    starts_at = _start_of(request)
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services.appointment_book_online(
                    location=location,
                    appointment_type=kind,
                    starts_at=starts_at,
                    reason=data["reason"],
                    contact=services.ContactDetails(
                        data["given_name"],
                        data["family_name"],
                        data["email"],
                        data["phone"],
                        _language(),
                    ),
                )
            except SlotTaken as error:
                context = _slots_context(request, location, kind)
                context["taken"] = error.message
                context["days"] = _days(getattr(error, "alternatives", []), location)
                return render(request, "web/scheduling/book_slots.html", context, status=409)
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status
            else:
                return redirect(links.manage_path(appointment) + "?booked=1")
    return render(
        request,
        "web/scheduling/book_details.html",
        {
            "form": form,
            "location": location,
            "kind": kind,
            "label": kind.label(_language()),
            "starts_at": starts_at,
            "zone": location.time_zone,
        },
        status=status,
    )


def _manage_context(appointment: Appointment) -> dict[str, Any]:
    check_in_url = links.public_base_url() + links.check_in_path(appointment)
    return {
        "appointment": appointment,
        "label": appointment.appointment_type.label(_language()),
        "what_to_bring": appointment.appointment_type.what_to_bring(_language()),
        "zone": appointment.location.time_zone,
        "token": links.sign(appointment.pk, links.MANAGE),
        "check_in_path": links.check_in_path(appointment),
        "qr": links.qr_svg(check_in_url) if not appointment.location.is_remote else "",
    }


@require_GET
@public_view
def booking_manage(request: HttpRequest, token: str) -> HttpResponse:
    appointment = links.appointment_from_token(token, links.MANAGE)
    context = _manage_context(appointment)
    context["booked"] = request.GET.get("booked") == "1"
    return render(request, "web/scheduling/booking_manage.html", context)


@require_POST
@public_view
def booking_cancel(request: HttpRequest, token: str) -> HttpResponse:
    appointment = links.appointment_from_token(token, links.MANAGE)
    services.appointment_cancel(appointment=appointment, reason=_("Cancelled online"))
    return redirect(links.manage_path(appointment))


@require_http_methods(["GET", "POST"])
@public_view
def booking_move(request: HttpRequest, token: str) -> HttpResponse:
    appointment = links.appointment_from_token(token, links.MANAGE)
    location, kind = appointment.location, appointment.appointment_type
    context = _slots_context(request, location, kind, exclude=appointment.pk)
    context.update({"appointment": appointment, "token": token, "moving": True})
    if request.method == "POST":
        try:
            starts_at = datetime.fromisoformat(request.POST.get("start", ""))
        except ValueError as error:
            raise NotFound() from error
        try:
            services.appointment_move(appointment=appointment, starts_at=starts_at)
        except SlotTaken as error:
            context["taken"] = error.message
            context["days"] = _days(getattr(error, "alternatives", []), location)
            return render(request, "web/scheduling/book_slots.html", context, status=409)
        return redirect(links.manage_path(appointment) + "?moved=1")
    return render(request, "web/scheduling/book_slots.html", context)


@require_http_methods(["GET", "POST"])
@public_view
def booking_check_in(request: HttpRequest, token: str) -> HttpResponse:
    """Scanned from the QR code: a button, so that a link preview never checks anyone in."""
    appointment = links.appointment_from_token(token, links.CHECK_IN)
    if request.method == "POST":
        visit = reception.appointment_check_in(appointment=appointment)
        return redirect(links.waiting_path(visit))
    existing = getattr(appointment, "visit", None) if appointment.status == "checked_in" else None
    if existing is not None:
        return redirect(links.waiting_path(existing))
    return render(
        request,
        "web/scheduling/booking_check_in.html",
        {
            "appointment": appointment,
            "label": appointment.appointment_type.label(_language()),
            "zone": appointment.location.time_zone,
        },
    )


@require_GET
@public_view
def booking_waiting(request: HttpRequest, token: str) -> HttpResponse:
    visit = links.visit_from_token(token)
    context = {
        "visit": visit,
        "entry": reception.waiting_entry(visit=visit),
        "refresh": WAITING_REFRESH_SECONDS,
        "url": reverse("booking-waiting", args=[token]),
    }
    template = (
        "web/scheduling/_waiting_place.html"
        if request.headers.get("HX-Request")
        else "web/scheduling/booking_waiting.html"
    )
    return render(request, template, context)
