"""Test data built through the real services, so tests exercise real invariants."""

import itertools
from typing import Any

from suivi.conversations import services as conversations
from suivi.conversations.models import Case, Interaction
from suivi.customers import services as customers
from suivi.customers.models import Customer
from suivi.customers.services import IdentityInput
from suivi.people import services as people
from suivi.people.models import Advisor, Team

_serial = itertools.count(1)


def team(name: str | None = None) -> Team:
    return people.team_create(name=name or f"Team {next(_serial)}")


def advisor(
    *, team: Team | None = None, role: str = Advisor.Role.ADVISOR, name: str | None = None
) -> Advisor:
    n = next(_serial)
    return people.advisor_create(
        username=f"advisor{n}",
        password="a-long-test-password",
        display_name=name or f"Advisor {n}",
        team=team,
        role=role,
    )


def customer(
    *,
    given_name: str = "Hélène",
    family_name: str | None = None,
    advisor: Advisor | None = None,
    team: Team | None = None,
    email: str | None = None,
    phone: str | None = None,
    **fields: Any,
) -> Customer:
    n = next(_serial)
    identities = [IdentityInput("email", email or f"customer{n}@example.org")]
    if phone:
        identities.append(IdentityInput("phone", phone))
    return customers.customer_create(
        given_name=given_name,
        family_name=family_name or f"Durand{n}",
        dedicated_advisor=advisor,
        team=team,
        identities=identities,
        **fields,
    )


def case(*, customer: Customer, subject: str = "Facture incorrecte", **fields: Any) -> Case:
    return conversations.case_open(customer=customer, subject=subject, **fields)


def inbound(
    case: Case, text: str = "Bonjour, ma facture est fausse.", **fields: Any
) -> Interaction:
    fields.setdefault("channel", "email")
    return conversations.interaction_record(case=case, direction="in", text=text, **fields)


def answer(case: Case, by: Advisor, text: str = "Nous corrigeons.", **fields: Any) -> Interaction:
    fields.setdefault("channel", "email")
    return conversations.interaction_record(
        case=case, direction="out", author_advisor=by, text=text, **fields
    )
