"""Reads for advisors: what they may see follows the customer's visibility."""

from django.db.models import Q, QuerySet

from suivi.conversations.selectors import customers_visible_to
from suivi.core import clock
from suivi.core.errors import NotFound
from suivi.core.pagination import Page, keyset_page
from suivi.people.models import Advisor

from .models import Appointment, AppointmentType, Asset, Callback, Location, Visit


def locations_list(*, active_only: bool = True) -> QuerySet[Location]:
    locations = Location.objects.order_by("name", "pk")
    return locations.filter(is_active=True) if active_only else locations


def location_get(*, location_id: int) -> Location:
    location = Location.objects.filter(pk=location_id).first()
    if location is None:
        raise NotFound(location_id=location_id)
    return location


def appointment_types_for(
    *, location: Location, public_only: bool = False
) -> list[AppointmentType]:
    types = AppointmentType.objects.prefetch_related("locations").order_by("label_fr", "pk")
    if public_only:
        types = types.filter(is_public=True)
    return [t for t in types if not t.locations.all() or location in t.locations.all()]


def appointment_type_get(*, type_id: int) -> AppointmentType:
    found = AppointmentType.objects.filter(pk=type_id).first()
    if found is None:
        raise NotFound(appointment_type_id=type_id)
    return found


def appointment_access(*, advisor: Advisor, appointment_id: int) -> Appointment:
    """The appointment if its customer is visible to the advisor (or it is theirs)."""
    appointments = Appointment.objects.select_related(
        "customer", "location", "appointment_type", "advisor", "case"
    ).filter(pk=appointment_id)
    if not advisor.is_admin:
        appointment = appointments.first()
        if appointment is None or (
            appointment.advisor_id != advisor.pk
            and not customers_visible_to(advisor).filter(pk=appointment.customer_id).exists()
        ):
            raise NotFound(appointment_id=appointment_id)
        return appointment
    found = appointments.first()
    if found is None:
        raise NotFound(appointment_id=appointment_id)
    return found


def visit_get(*, visit_id: int) -> Visit:
    """Any advisor at the location may take a visit, as at a counter."""
    visit = (
        Visit.objects.select_related("location", "customer", "appointment", "called_by")
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise NotFound(visit_id=visit_id)
    return visit


def assets_visible_to(advisor: Advisor) -> QuerySet[Asset]:
    assets = Asset.objects.select_related("customer")
    if advisor.is_admin:
        return assets
    return assets.filter(customer__in=customers_visible_to(advisor).values("pk"))


def asset_access(*, advisor: Advisor, asset_id: int) -> Asset:
    asset = assets_visible_to(advisor).filter(pk=asset_id).first()
    if asset is None:
        raise NotFound(asset_id=asset_id)
    return asset


def upcoming_appointments(*, customer_id: int, limit: int = 5) -> list[Appointment]:
    return list(
        Appointment.objects.filter(
            customer_id=customer_id,
            status__in=[Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN],
            ends_at__gte=clock.now(),
        )
        .select_related("location", "appointment_type")
        .order_by("starts_at", "pk")[:limit]
    )


def callbacks_visible_to(advisor: Advisor) -> QuerySet[Callback]:
    """Callbacks of the customers the advisor may see, and those assigned to them."""
    if advisor.is_admin:
        return Callback.objects.all()
    return Callback.objects.filter(
        Q(assigned_to=advisor) | Q(customer__in=customers_visible_to(advisor).values("pk"))
    )


def callback_access(*, advisor: Advisor, callback_id: int) -> Callback:
    """The callback if the advisor may see it; otherwise NotFound, as if absent."""
    callback = (
        callbacks_visible_to(advisor)
        .select_related("customer", "case", "assigned_to", "promise")
        .filter(pk=callback_id)
        .first()
    )
    if callback is None:
        raise NotFound(callback_id=callback_id)
    return callback


def callbacks_page(
    *,
    advisor: Advisor,
    status: str | None = None,
    assigned_to: int | None = None,
    customer_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Callback]:
    """Visible callbacks, the soonest due (end of window) first. One query."""
    rows = callbacks_visible_to(advisor).select_related("assigned_to")
    if status:
        rows = rows.filter(status=status)
    if assigned_to is not None:
        rows = rows.filter(assigned_to_id=assigned_to)
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    return keyset_page(rows, field="window_ends_at", descending=False, cursor=cursor, limit=limit)


def callbacks_due(*, advisor: Advisor, limit: int = 25) -> list[Callback]:
    """The advisor's callbacks to make, oldest promise first (index
    `callback_due_by_advisor`). One query."""
    return list(
        Callback.objects.filter(assigned_to=advisor, status=Callback.Status.REQUESTED)
        .select_related("customer")
        .order_by("window_ends_at", "pk")[:limit]
    )
