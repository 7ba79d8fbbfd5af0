"""Reads for advisors: what they may see follows the customer's visibility."""

from django.db.models import QuerySet

from suivi.conversations.selectors import customers_visible_to
from suivi.core import clock
from suivi.core.errors import NotFound
from suivi.people.models import Advisor

from .models import Appointment, AppointmentType, Asset, Location, Visit


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
