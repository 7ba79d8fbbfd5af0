"""Demo data for appointments and assets, loaded after the demo company exists:
two locations, appointment types, schedules, appointments today and tomorrow, and a few
assets with a service record. Idempotent: does nothing once the locations exist."""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, OuterRef

from suivi.conversations import services as conversations
from suivi.core import clock
from suivi.core.errors import DomainError
from suivi.customers.models import Customer, Identity
from suivi.people.models import Advisor

from . import assets, services
from .callback_slots import callback_slots
from .callbacks import callback_attempt, callback_request
from .errors import SlotNotOffered, SlotTaken
from .models import AdvisorSchedule, AppointmentType, Callback, Location
from .slots import free_slots

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat")
DEVICES = (
    ("iPhone 13", "F2L"),
    ("MacBook Air M2", "C02"),
    ("Galaxy S23", "R5C"),
    ("iPad 10", "DMP"),
)


@transaction.atomic
def load_scheduling_demo(*, seed: int) -> dict[str, int]:
    if Location.objects.filter(name="Agence Lyon Part-Dieu").exists():
        return {}
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    lyon = Location.objects.create(
        name="Agence Lyon Part-Dieu",
        kind=Location.Kind.AGENCY,
        address="17 rue du Docteur Bouchut, 69003 Lyon",
        opening_hours={d: [["09:00", "12:30"], ["13:30", "18:00"]] for d in WEEK[:5]},
    )
    paris = Location.objects.create(
        name="Boutique Paris Opéra",
        kind=Location.Kind.SHOP,
        address="2 boulevard des Capucines, 75009 Paris",
        slot_step_minutes=15,
        opening_hours={d: [["10:00", "19:00"]] for d in WEEK},
    )
    repair = AppointmentType.objects.create(
        code="repair",
        label_fr="Diagnostic et réparation",
        label_en="Diagnosis and repair",
        duration_minutes=30,
        required_skills=[],
        preparation_notes="Vérifier la garantie et l’historique de l’appareil.",
        what_to_bring_fr="Votre appareil, son chargeur et votre code de déverrouillage.",
        what_to_bring_en="Your device, its charger and your unlock code.",
    )
    advice = AppointmentType.objects.create(
        code="advice",
        label_fr="Conseil sur votre contrat",
        label_en="Advice on your contract",
        duration_minutes=45,
        what_to_bring_fr="Votre dernière facture.",
        what_to_bring_en="Your latest invoice.",
    )
    advice.locations.add(lyon)
    advisors = list(Advisor.objects.order_by("pk")[:6])
    every_day = {d: [["09:00", "19:00"]] for d in WEEK}
    for index, advisor in enumerate(advisors):
        AdvisorSchedule.objects.create(
            advisor=advisor, location=paris if index % 2 else lyon, weekly_hours=every_day
        )
    customers = list(Customer.objects.order_by("pk")[:40])
    booked = 0
    now = clock.now()
    for location, kind in ((paris, repair), (lyon, advice), (lyon, repair)):
        zone = ZoneInfo(location.time_zone)
        today = datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone)
        for slot in free_slots(location=location, appointment_type=kind, start=today, days=2)[::5][
            :6
        ]:
            if not customers:
                break
            try:
                services.appointment_book(
                    customer=customers.pop(rng.randrange(len(customers))),
                    location=location,
                    appointment_type=kind,
                    starts_at=slot.starts_at,
                    source="advisor",
                )
                booked += 1
            except (SlotTaken, SlotNotOffered):
                continue
    owned = 0
    for customer in Customer.objects.order_by("-pk")[:8]:
        model, prefix = DEVICES[owned % len(DEVICES)]
        bought = (now - timedelta(days=rng.randint(60, 900))).date()
        asset = assets.asset_create(
            customer=customer,
            model=model,
            serial_number=f"{prefix}{rng.randint(100000, 999999)}",
            purchase_date=bought,
            warranty_ends_on=bought + timedelta(days=730),
        )
        case = conversations.case_open(customer=customer, subject=f"{model} : écran qui clignote")
        assets.asset_link(asset=asset, case=case)
        conversations.interaction_record(
            case=case,
            channel="email",
            direction="in",
            text="Bonjour, l’écran de mon appareil clignote depuis la mise à jour.",
        )
        owned += 1
    return {"locations": 2, "appointments": booked, "assets": owned}


def load_callbacks_demo(*, advisor: Advisor) -> int:
    """A few open callbacks for the demo advisor's customers: a missed call to return as
    soon as possible, two windows the customers chose, one already tried without answer.
    Any time of the week works: a window not offered is simply skipped."""
    phones = Identity.objects.filter(customer=OuterRef("pk"), kind=Identity.Kind.PHONE)
    customers = list(
        Customer.objects.filter(Exists(phones), dedicated_advisor=advisor).order_by("pk")[:4]
    )
    made = 0
    reasons = (
        ("Appel manqué", Callback.Source.MISSED_CALL),
        ("Question sur ma dernière facture", Callback.Source.PORTAL),
        ("Changement d’offre", Callback.Source.API),
        ("Suivi de ma demande de remboursement", Callback.Source.PORTAL),
    )
    for index, (customer, (reason, source)) in enumerate(zip(customers, reasons, strict=False)):
        starts_at = ends_at = None
        if source != Callback.Source.MISSED_CALL:
            slots = callback_slots(customer=customer, days=3)[index * 3 :]
            if slots:
                starts_at, ends_at = slots[0].starts_at, slots[0].ends_at
        try:
            callback = callback_request(
                customer=customer,
                reason=reason,
                source=source,
                window_starts_at=starts_at,
                window_ends_at=ends_at,
            )
            if index == 3:
                callback_attempt(callback=callback, by=advisor, outcome="no_answer")
        except DomainError:
            continue
        made += 1
    return made
