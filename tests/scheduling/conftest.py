from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from suivi.core.clock import frozen_at
from suivi.people.models import Advisor
from suivi.scheduling.models import AdvisorSchedule, AppointmentType, Location
from tests import builders

PARIS = ZoneInfo("Europe/Paris")
# A Monday, before the shop opens.
MONDAY_8 = datetime(2030, 6, 3, 8, 0, tzinfo=PARIS)
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """June 2030, Paris time: at(3, 10) is Monday 3 June, 10:00."""
    return datetime(2030, 6, day, hour, minute, tzinfo=PARIS)


def make_location(name: str = "Boutique Paris Opéra", **fields) -> Location:
    fields.setdefault("kind", Location.Kind.SHOP)
    fields.setdefault("opening_hours", {d: [["09:00", "12:00"], ["14:00", "18:00"]] for d in WEEK})
    fields.setdefault("address", "1 place de l’Opéra, 75009 Paris")
    return Location.objects.create(name=name, **fields)


def make_type(code: str = "repair", skills=("repair",), minutes: int = 30, **fields):
    return AppointmentType.objects.create(
        code=code,
        label_fr=fields.pop("label_fr", "Réparation"),
        label_en=fields.pop("label_en", "Repair"),
        duration_minutes=minutes,
        required_skills=list(skills),
        what_to_bring_fr="Votre appareil et sa facture",
        what_to_bring_en="Your device and its invoice",
        preparation_notes="Vérifier la garantie",
        **fields,
    )


def make_advisor(team=None, name=None, skills=("repair",), hours=None) -> Advisor:
    advisor = builders.advisor(team=team, name=name)
    advisor.skills = list(skills)
    advisor.working_hours = hours or {d: [["09:00", "18:00"]] for d in WEEK}
    advisor.save(update_fields=["skills", "working_hours"])
    return advisor


def schedule(advisor: Advisor, location: Location, hours=None) -> AdvisorSchedule:
    return AdvisorSchedule.objects.create(
        advisor=advisor, location=location, weekly_hours=hours or {}
    )


@pytest.fixture
def clock_hand():
    with frozen_at(MONDAY_8) as hand:
        yield hand


@pytest.fixture
def shop(db):
    return make_location()


@pytest.fixture
def repair(db):
    return make_type()


@pytest.fixture
def technician(team, shop):
    advisor = make_advisor(team=team, name="Inès Technicienne")
    schedule(advisor, shop)
    return advisor


@pytest.fixture
def customer(advisor):
    return builders.customer(
        given_name="Hélène",
        family_name="Durand",
        advisor=advisor,
        email="helene@example.org",
        phone="+33612345678",
    )
