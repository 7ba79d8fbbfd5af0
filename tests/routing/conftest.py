"""A small team to route within: Marie is the dedicated advisor, Léa her backup, Karim
and Tom colleagues (Tom speaks only English), Nadia the team lead."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from suivi.core import clock
from suivi.customers.models import Customer
from suivi.people import services as people
from suivi.people.models import Absence, Advisor, Team
from tests import builders

OFFICE_HOURS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
# Wednesday 16 April 2025, 10:00 in Paris.
WEDNESDAY_10AM = datetime(2025, 4, 16, 8, 0, tzinfo=UTC)


def make_advisor(team: Team | None, name: str, **fields) -> Advisor:
    fields.setdefault("working_hours", OFFICE_HOURS)
    return people.advisor_create(
        username=name.lower().replace("é", "e"),
        password=None,
        display_name=name,
        team=team,
        **fields,
    )


def absent(advisor: Advisor, *, days: int = 5) -> Absence:
    start = clock.now() - timedelta(days=1)
    return Absence.objects.create(
        advisor=advisor, starts_at=start, ends_at=start + timedelta(days=days)
    )


def give_open_cases(advisor: Advisor, count: int) -> None:
    customer = builders.customer(team=advisor.team)
    for _ in range(count):
        builders.case(customer=customer, owner=advisor)


@dataclass
class World:
    team: Team
    lead: Advisor
    marie: Advisor
    lea: Advisor
    karim: Advisor
    tom: Advisor
    customer: Customer


@pytest.fixture
def now():
    with clock.frozen_at(WEDNESDAY_10AM) as hand:
        yield hand


@pytest.fixture
def world(db, now) -> World:
    team = builders.team("Particuliers")
    lead = make_advisor(team, "Nadia", role=Advisor.Role.LEAD)
    marie = make_advisor(team, "Marie")
    lea = make_advisor(team, "Léa")
    karim = make_advisor(team, "Karim")
    tom = make_advisor(team, "Tom", languages=["en"])
    people.advisor_set_backup(advisor=marie, backup=lea)
    give_open_cases(lead, 5)
    give_open_cases(karim, 1)
    customer = builders.customer(advisor=marie, given_name="Hélène")
    return World(team, lead, marie, lea, karim, tom, customer)
