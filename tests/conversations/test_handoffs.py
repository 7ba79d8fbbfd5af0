from datetime import UTC, datetime

import pytest

from suivi.conversations.models import Handoff
from suivi.conversations.selectors import case_last_handoff
from suivi.conversations.services import (
    HandoffToOwner,
    HandoffWithoutContext,
    case_hand_over,
    handoff_mark_seen,
)
from suivi.core import clock

from .. import builders

pytestmark = pytest.mark.django_db

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def case(advisor):
    return builders.case(customer=builders.customer(advisor=advisor))


def test_handoff_moves_ownership_and_records_who_and_why(case, advisor, colleague):
    # when
    with clock.frozen_at(MONDAY):
        handoff = case_hand_over(
            case=case, to=colleague, by=advisor, context_note="  Avoir promis, rappeler.  "
        )

    # then
    case.refresh_from_db()
    assert case.owner == colleague
    assert (handoff.from_advisor, handoff.to_advisor, handoff.by) == (advisor, colleague, advisor)
    assert handoff.context_note == "Avoir promis, rappeler."
    assert handoff.created_at == MONDAY
    assert handoff.seen_at is None


@pytest.mark.parametrize("note", ["", "   \n "])
def test_handoff_without_context_note_is_refused(case, advisor, colleague, note):
    # when / then
    with pytest.raises(HandoffWithoutContext):
        case_hand_over(case=case, to=colleague, by=advisor, context_note=note)
    case.refresh_from_db()
    assert case.owner == advisor
    assert not Handoff.objects.exists()


def test_handoff_to_the_current_owner_is_refused(case, advisor):
    with pytest.raises(HandoffToOwner):
        case_hand_over(case=case, to=advisor, by=advisor, context_note="Rien.")


def test_handoff_by_a_lead_records_the_lead(case, advisor, colleague, team):
    # given
    lead = builders.advisor(team=team, role="lead")

    # when
    handoff = case_hand_over(case=case, to=colleague, by=lead, context_note="Absence de Léa.")

    # then
    assert (handoff.from_advisor, handoff.by) == (advisor, lead)


def test_handoff_follows_the_latest_owner_even_from_a_stale_copy(case, advisor, colleague, team):
    # given
    third = builders.advisor(team=team)
    stale = type(case).objects.get(pk=case.pk)
    case_hand_over(case=case, to=colleague, by=advisor, context_note="Premier relais.")

    # when
    handoff = case_hand_over(case=stale, to=third, by=colleague, context_note="Second relais.")

    # then
    assert handoff.from_advisor == colleague


def test_receiver_marks_the_handoff_seen(case, advisor, colleague):
    # given
    handoff = case_hand_over(case=case, to=colleague, by=advisor, context_note="Avoir promis.")

    # when
    with clock.frozen_at(MONDAY):
        handoff_mark_seen(handoff=handoff, by=colleague)

    # then
    handoff.refresh_from_db()
    assert handoff.seen_at == MONDAY


def test_someone_else_opening_the_case_does_not_mark_the_handoff_seen(case, advisor, colleague):
    # given
    handoff = case_hand_over(case=case, to=colleague, by=advisor, context_note="Avoir promis.")

    # when
    handoff_mark_seen(handoff=handoff, by=advisor)

    # then
    handoff.refresh_from_db()
    assert handoff.seen_at is None


def test_seen_time_is_the_first_reading(case, advisor, colleague):
    # given
    handoff = case_hand_over(case=case, to=colleague, by=advisor, context_note="Avoir promis.")
    with clock.frozen_at(MONDAY):
        handoff_mark_seen(handoff=Handoff.objects.get(pk=handoff.pk), by=colleague)

    # when
    handoff_mark_seen(handoff=handoff, by=colleague)

    # then
    handoff.refresh_from_db()
    assert handoff.seen_at == MONDAY


def test_last_handoff_is_the_newest(case, advisor, colleague):
    # given
    case_hand_over(case=case, to=colleague, by=advisor, context_note="Premier.")
    latest = case_hand_over(case=case, to=advisor, by=colleague, context_note="Retour.")

    # when
    found = case_last_handoff(case=case)

    # then
    assert found == latest
