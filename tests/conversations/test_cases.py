from datetime import UTC, datetime, timedelta

import pytest

from suivi.conversations.models import Case
from suivi.conversations.services import (
    HandoffWithoutContext,
    SubjectRequired,
    case_open,
    case_update,
)
from suivi.core import clock
from suivi.core.errors import InvalidInput

from .. import builders

pytestmark = pytest.mark.django_db

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def test_case_opens_owned_by_the_dedicated_advisor(advisor):
    # given
    customer = builders.customer(advisor=advisor)

    # when
    with clock.frozen_at(MONDAY):
        case = case_open(customer=customer, subject="  Facture  ", summary="Double débit")

    # then
    assert case.status == Case.Status.OPEN
    assert case.owner == advisor
    assert case.subject == "Facture"
    assert case.opened_at == MONDAY
    assert case.awaiting_reply_since is None


def test_case_of_a_customer_without_advisor_is_owned_by_who_opened_it(advisor):
    # given
    customer = builders.customer()

    # when
    case = case_open(customer=customer, subject="Facture", by=advisor)

    # then
    assert case.owner == advisor


def test_case_needs_a_subject():
    # given
    customer = builders.customer()

    # when / then
    with pytest.raises(SubjectRequired):
        case_open(customer=customer, subject="   ")


def test_resolving_records_when(advisor):
    # given
    case = builders.case(customer=builders.customer(advisor=advisor))

    # when
    with clock.frozen_at(MONDAY):
        case_update(case=case, changes={"status": Case.Status.RESOLVED})

    # then
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED
    assert case.resolved_at == MONDAY
    assert case.updated_at == MONDAY


def test_closing_a_resolved_case_keeps_its_resolution_time(advisor):
    # given
    case = builders.case(customer=builders.customer(advisor=advisor))
    with clock.frozen_at(MONDAY) as hand:
        case_update(case=case, changes={"status": Case.Status.RESOLVED})
        hand.advance(timedelta(days=7))

        # when
        case_update(case=case, changes={"status": Case.Status.CLOSED})

    # then
    case.refresh_from_db()
    assert case.resolved_at == MONDAY


def test_resolving_stops_the_wait(advisor):
    # given
    case = builders.case(customer=builders.customer(advisor=advisor))
    builders.inbound(case)

    # when
    case_update(case=case, changes={"status": Case.Status.RESOLVED})

    # then
    case.refresh_from_db()
    assert case.awaiting_reply_since is None


def test_reopening_clears_the_resolution_time(advisor):
    # given
    case = builders.case(customer=builders.customer(advisor=advisor))
    case_update(case=case, changes={"status": Case.Status.RESOLVED})

    # when
    case_update(case=case, changes={"status": Case.Status.OPEN})

    # then
    case.refresh_from_db()
    assert case.resolved_at is None


def test_case_update_refuses_an_unknown_status(advisor):
    # given
    case = builders.case(customer=builders.customer(advisor=advisor))

    # when / then
    with pytest.raises(InvalidInput):
        case_update(case=case, changes={"status": "archived"})
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_case_update_refuses_unknown_fields(advisor):
    # given
    case = builders.case(customer=builders.customer(advisor=advisor))

    # when / then
    with pytest.raises(InvalidInput):
        case_update(case=case, changes={"customer": None})


def test_case_update_refuses_an_empty_subject(advisor):
    # given
    case = builders.case(customer=builders.customer(advisor=advisor))

    # when / then
    with pytest.raises(SubjectRequired):
        case_update(case=case, changes={"subject": " "})


def test_case_update_keeps_the_summary_up_to_date(advisor):
    # given
    case = builders.case(customer=builders.customer(advisor=advisor))

    # when
    case_update(case=case, changes={"summary": "Avoir promis le 3 mars."})

    # then
    case.refresh_from_db()
    assert case.summary == "Avoir promis le 3 mars."


def test_case_update_refuses_an_owner_change_without_handoff(advisor, colleague):
    # given
    case = builders.case(customer=builders.customer(advisor=advisor))

    # when / then
    with pytest.raises(HandoffWithoutContext):
        case_update(case=case, changes={"owner": colleague})
    case.refresh_from_db()
    assert case.owner == advisor


def test_case_update_assigns_an_unowned_case(advisor):
    # given
    case = builders.case(customer=builders.customer())
    assert case.owner is None

    # when
    case_update(case=case, changes={"owner": advisor})

    # then
    case.refresh_from_db()
    assert case.owner == advisor


def test_case_update_with_the_same_owner_is_allowed(advisor):
    # given
    case = builders.case(customer=builders.customer(advisor=advisor))

    # when
    case_update(case=case, changes={"owner": advisor, "topic": "billing"})

    # then
    case.refresh_from_db()
    assert case.topic == "billing"
