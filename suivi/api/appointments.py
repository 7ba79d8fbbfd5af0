"""/api/v1/appointments: free slots, booking (409 `slot_taken` with the next free
slots), moving, cancelling, check-in and the waiting list of a location."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from suivi.conversations import selectors as files
from suivi.scheduling import reception, selectors, services
from suivi.scheduling.errors import SlotTaken
from suivi.scheduling.models import Appointment
from suivi.scheduling.slots import Slot, check_offered, free_slots

from .auth import current_advisor

router = Router(tags=["appointments"])


class SlotOut(Schema):
    starts_at: datetime
    ends_at: datetime


class SlotQuery(Schema):
    location_id: int
    type_id: int
    start: datetime | None = None
    days: int = Field(7, ge=1, le=31)
    limit: int = Field(50, ge=1, le=200)


class SlotTakenOut(Schema):
    code: str
    message: str
    alternatives: list[SlotOut]


class BookIn(Schema):
    customer_id: int
    location_id: int
    type_id: int
    starts_at: datetime
    case_id: int | None = None
    reason: str = Field("", max_length=1000)


class MoveIn(Schema):
    starts_at: datetime


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


class AppointmentOut(Schema):
    id: int
    customer_id: int
    location_id: int
    type_id: int
    advisor_id: int
    case_id: int | None
    starts_at: datetime
    ends_at: datetime
    status: str
    source: str
    reason: str


class VisitOut(Schema):
    id: int
    location_id: int
    appointment_id: int | None
    customer_id: int | None
    name: str
    reason: str
    status: str
    arrived_at: datetime


class WaitingEntryOut(Schema):
    place: int
    wait_minutes: int
    visit: VisitOut


class WaitingListOut(Schema):
    location_id: int
    average_visit_minutes: int
    advisors_on_duty: int
    entries: list[WaitingEntryOut]


class WalkInIn(Schema):
    name: str = Field(max_length=120)
    reason: str = Field("", max_length=300)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=32)


def _slot(slot: Slot) -> dict:
    return {"starts_at": slot.starts_at, "ends_at": slot.ends_at}


def _appointment(appointment: Appointment) -> dict:
    return {
        "id": appointment.pk,
        "customer_id": appointment.customer_id,
        "location_id": appointment.location_id,
        "type_id": appointment.appointment_type_id,
        "advisor_id": appointment.advisor_id,
        "case_id": appointment.case_id,
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
        "status": appointment.status,
        "source": appointment.source,
        "reason": appointment.reason,
    }


def _taken(error: SlotTaken) -> Status[dict]:
    return Status(
        409,
        {
            "code": error.code,
            "message": str(error.message),
            "alternatives": [_slot(s) for s in getattr(error, "alternatives", [])],
        },
    )


@router.get("/slots", response=list[SlotOut])
def slots(request: HttpRequest, query: Query[SlotQuery]) -> list[dict]:
    location = selectors.location_get(location_id=query.location_id)
    kind = selectors.appointment_type_get(type_id=query.type_id)
    check_offered(location=location, appointment_type=kind)
    found = free_slots(
        location=location,
        appointment_type=kind,
        start=query.start,
        days=query.days,
        limit=query.limit,
    )
    return [_slot(s) for s in found]


@router.post("", response={201: AppointmentOut, 409: SlotTakenOut})
def book(request: HttpRequest, payload: BookIn) -> Status[dict]:
    advisor = current_advisor(request)
    customer = files.customer_access(advisor=advisor, customer_id=payload.customer_id)
    case = files.case_access(advisor=advisor, case_id=payload.case_id) if payload.case_id else None
    try:
        appointment = services.appointment_book(
            customer=customer,
            location=selectors.location_get(location_id=payload.location_id),
            appointment_type=selectors.appointment_type_get(type_id=payload.type_id),
            starts_at=payload.starts_at,
            source=Appointment.Source.API,
            booked_by=advisor,
            case=case,
            reason=payload.reason,
        )
    except SlotTaken as error:
        return _taken(error)
    return Status(201, _appointment(appointment))


@router.get("/{int:appointment_id}", response=AppointmentOut)
def get_appointment(request: HttpRequest, appointment_id: int) -> dict:
    advisor = current_advisor(request)
    return _appointment(
        selectors.appointment_access(advisor=advisor, appointment_id=appointment_id)
    )


@router.post("/{int:appointment_id}/move", response={200: AppointmentOut, 409: SlotTakenOut})
def move(request: HttpRequest, appointment_id: int, payload: MoveIn) -> Status[dict]:
    advisor = current_advisor(request)
    appointment = selectors.appointment_access(advisor=advisor, appointment_id=appointment_id)
    try:
        services.appointment_move(appointment=appointment, starts_at=payload.starts_at, by=advisor)
    except SlotTaken as error:
        return _taken(error)
    return Status(200, _appointment(appointment))


@router.post("/{int:appointment_id}/cancel", response=AppointmentOut)
def cancel(request: HttpRequest, appointment_id: int, payload: CancelIn) -> dict:
    advisor = current_advisor(request)
    appointment = selectors.appointment_access(advisor=advisor, appointment_id=appointment_id)
    return _appointment(
        services.appointment_cancel(appointment=appointment, reason=payload.reason, by=advisor)
    )


@router.post("/{int:appointment_id}/check-in", response={201: VisitOut})
def check_in(request: HttpRequest, appointment_id: int) -> Status[object]:
    advisor = current_advisor(request)
    appointment = selectors.appointment_access(advisor=advisor, appointment_id=appointment_id)
    return Status(201, reception.appointment_check_in(appointment=appointment))


@router.post("/locations/{int:location_id}/walk-ins", response={201: VisitOut})
def walk_in(request: HttpRequest, location_id: int, payload: WalkInIn) -> Status[object]:
    location = selectors.location_get(location_id=location_id)
    visit = reception.walk_in_add(
        location=location,
        name=payload.name,
        reason=payload.reason,
        email=payload.email,
        phone=payload.phone,
    )
    return Status(201, visit)


@router.get("/locations/{int:location_id}/waiting-list", response=WaitingListOut)
def waiting_list(request: HttpRequest, location_id: int) -> dict:
    location = selectors.location_get(location_id=location_id)
    waiting = reception.waiting_list(location=location)
    return {
        "location_id": location.pk,
        "average_visit_minutes": waiting.average_visit_minutes,
        "advisors_on_duty": waiting.advisors_on_duty,
        "entries": [
            {"place": e.place, "wait_minutes": e.wait_minutes, "visit": e.visit}
            for e in waiting.entries
        ],
    }
