from datetime import UTC, datetime, timedelta

import pytest

from suivi.conversations.models import Case, Interaction
from suivi.conversations.services import (
    CaseClosed,
    InvalidInteraction,
    case_update,
    interaction_record,
)

from .. import builders

pytestmark = pytest.mark.django_db

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def case(advisor):
    return builders.case(customer=builders.customer(advisor=advisor))


def _at(hours: int) -> datetime:
    return MONDAY + hours * HOUR


def test_inbound_contact_makes_the_case_await_a_reply(case):
    # when
    builders.inbound(case, occurred_at=_at(0))

    # then
    case.refresh_from_db()
    assert case.awaiting_reply_since == _at(0)
    assert case.last_interaction_at == _at(0)


def test_awaiting_reply_since_is_the_oldest_unanswered_inbound(case):
    # given
    builders.inbound(case, occurred_at=_at(2))

    # when
    builders.inbound(case, occurred_at=_at(5), channel="phone")
    builders.inbound(case, occurred_at=_at(1), channel="chat")

    # then
    case.refresh_from_db()
    assert case.awaiting_reply_since == _at(1)


def test_advisor_answer_marks_earlier_inbound_contacts_answered(case, advisor):
    # given
    first = builders.inbound(case, occurred_at=_at(0))
    second = builders.inbound(case, occurred_at=_at(1))

    # when
    builders.answer(case, advisor, occurred_at=_at(3))

    # then
    first.refresh_from_db()
    second.refresh_from_db()
    case.refresh_from_db()
    assert first.first_answered_at == _at(3)
    assert second.first_answered_at == _at(3)
    assert case.awaiting_reply_since is None


def test_answer_keeps_the_first_answer_time(case, advisor):
    # given
    first = builders.inbound(case, occurred_at=_at(0))
    builders.answer(case, advisor, occurred_at=_at(1))

    # when
    builders.answer(case, advisor, occurred_at=_at(2))

    # then
    first.refresh_from_db()
    assert first.first_answered_at == _at(1)


def test_answer_leaves_later_inbound_contacts_waiting(case, advisor):
    # given
    builders.inbound(case, occurred_at=_at(0))
    later = builders.inbound(case, occurred_at=_at(4))

    # when
    builders.answer(case, advisor, occurred_at=_at(2))

    # then
    later.refresh_from_db()
    case.refresh_from_db()
    assert later.first_answered_at is None
    assert case.awaiting_reply_since == _at(4)


def test_internal_note_is_not_an_answer(case, advisor):
    # given
    contact = builders.inbound(case, occurred_at=_at(0))

    # when
    interaction_record(
        case=case, channel="note", direction="internal", author_advisor=advisor, text="Vu."
    )

    # then
    contact.refresh_from_db()
    case.refresh_from_db()
    assert contact.first_answered_at is None
    assert case.awaiting_reply_since == _at(0)


def test_assistant_answer_is_not_a_human_answer(case):
    # given
    contact = builders.inbound(case, occurred_at=_at(0), channel="chat")

    # when
    interaction_record(
        case=case, channel="chat", direction="out", author_kind="assistant", text="Voici l'aide."
    )

    # then
    contact.refresh_from_db()
    case.refresh_from_db()
    assert contact.first_answered_at is None
    assert case.awaiting_reply_since == _at(0)


def test_automatic_acknowledgement_is_not_a_human_answer(case):
    # given
    contact = builders.inbound(case, occurred_at=_at(0))

    # when
    interaction_record(
        case=case, channel="email", direction="out", author_kind="system", text="Bien reçu."
    )

    # then
    contact.refresh_from_db()
    assert contact.first_answered_at is None


def test_inbound_contact_reopens_a_resolved_case(case):
    # given
    case_update(case=case, changes={"status": Case.Status.RESOLVED})

    # when
    builders.inbound(case, occurred_at=_at(0))

    # then
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert case.resolved_at is None
    assert case.awaiting_reply_since == _at(0)


def test_customer_reply_takes_a_case_out_of_waiting_on_customer(case):
    # given
    case_update(case=case, changes={"status": Case.Status.WAITING})

    # when
    builders.inbound(case)

    # then
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_closed_case_refuses_new_interactions(case, advisor):
    # given
    case_update(case=case, changes={"status": Case.Status.CLOSED})

    # when / then
    with pytest.raises(CaseClosed):
        builders.inbound(case)
    with pytest.raises(CaseClosed):
        builders.answer(case, advisor)
    assert not Interaction.objects.filter(case=case).exists()


def test_closed_case_refuses_interactions_even_through_a_stale_copy(case):
    # given
    stale = Case.objects.get(pk=case.pk)
    case_update(case=case, changes={"status": Case.Status.CLOSED})

    # when / then
    with pytest.raises(CaseClosed):
        builders.inbound(stale)


def test_answer_through_a_stale_copy_still_sees_the_latest_contact(case, advisor):
    # given
    stale = Case.objects.get(pk=case.pk)
    builders.inbound(case, occurred_at=_at(0))

    # when
    builders.answer(stale, advisor, occurred_at=_at(1))

    # then
    case.refresh_from_db()
    assert case.awaiting_reply_since is None
    assert Interaction.objects.get(direction="in").first_answered_at == _at(1)


def test_html_is_sanitised(case):
    # when
    contact = builders.inbound(
        case,
        text="",
        html='<p onclick="steal()">Bonjour<script>steal()</script>'
        '<a href="javascript:steal()">ici</a></p>',
    )

    # then
    contact.refresh_from_db()
    assert "Bonjour" in contact.html
    assert "script" not in contact.html
    assert "onclick" not in contact.html
    assert "javascript" not in contact.html


def test_interaction_without_case_goes_on_the_customer_timeline(advisor):
    # given
    customer = builders.customer(advisor=advisor)

    # when
    interaction = interaction_record(
        customer=customer, channel="phone", direction="in", text="Appel"
    )

    # then
    assert interaction.customer == customer
    assert interaction.case is None


def test_interaction_records_who_wrote_it(case, advisor):
    # when
    answer = builders.answer(case, advisor)

    # then
    assert answer.author_kind == Interaction.AuthorKind.ADVISOR
    assert answer.author_advisor == advisor
    assert answer.customer_id == case.customer_id


@pytest.mark.parametrize(
    "shape",
    [
        {"channel": "fax", "direction": "in"},
        {"channel": "email", "direction": "sideways"},
        {"channel": "note", "direction": "in"},
        {"channel": "email", "direction": "internal"},
        {"channel": "email", "direction": "in", "author_kind": "advisor"},
        {"channel": "email", "direction": "out", "author_kind": "customer"},
        {"channel": "email", "direction": "out"},
        {"channel": "email", "direction": "in", "text": "  "},
    ],
)
def test_malformed_interaction_is_refused(case, shape):
    # given
    fields = {"text": "Bonjour"} | shape

    # when / then
    with pytest.raises(InvalidInteraction):
        interaction_record(case=case, **fields)


def test_interaction_needs_a_customer_or_a_case():
    with pytest.raises(InvalidInteraction):
        interaction_record(channel="email", direction="in", text="Bonjour")


def test_case_of_another_customer_is_refused(case):
    # given
    other = builders.customer()

    # when / then
    with pytest.raises(InvalidInteraction):
        interaction_record(case=case, customer=other, channel="email", direction="in", text="x")


def test_naive_occurred_at_is_refused(case):
    with pytest.raises(InvalidInteraction):
        builders.inbound(case, occurred_at=datetime(2025, 3, 3, 9, 0))
