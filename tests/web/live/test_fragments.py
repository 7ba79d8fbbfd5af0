"""What each socket renders for its advisor: one query per push, nothing for an advisor
who may not see it."""

import pytest
from django.utils.translation import override

from suivi.channels.chat.models import ChatConversation, ChatWidget
from suivi.channels.phone.models import PhoneCall
from suivi.conversations.services import case_hand_over
from suivi.core import clock
from suivi.web.live import fragments
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(advisor, team):
    customer = builders.customer(
        given_name="Hélène", family_name="Durand", advisor=advisor, team=team
    )
    case = builders.case(customer=customer, subject="Facture incorrecte", owner=advisor)
    builders.inbound(case, text="Toujours rien reçu ?")
    return case


def test_a_timeline_item_is_one_query_and_hidden_from_another_team(
    case, advisor, outsider, django_assert_num_queries
):
    interaction = case.interactions.get()
    with django_assert_num_queries(1):
        shown = fragments.timeline_item(
            advisor=advisor, customer_id=case.customer_id, interaction_id=interaction.pk
        )
    assert shown is not None
    assert "Toujours rien reçu ?" in shown["html"]
    assert (
        fragments.timeline_item(
            advisor=outsider, customer_id=case.customer_id, interaction_id=interaction.pk
        )
        is None
    )
    # an interaction asked for under another customer's id is not found either
    assert (
        fragments.timeline_item(
            advisor=advisor, customer_id=case.customer_id + 1, interaction_id=interaction.pk
        )
        is None
    )


def test_an_admin_sees_every_timeline(case, admin):
    interaction = case.interactions.get()
    assert fragments.timeline_item(
        advisor=admin, customer_id=case.customer_id, interaction_id=interaction.pk
    )


def test_an_inbox_row_is_one_query_and_only_for_its_owner(
    case, advisor, outsider, django_assert_num_queries
):
    with django_assert_num_queries(1):
        row = fragments.inbox_row(advisor=advisor, case_id=case.pk)
    assert row["type"] == "inbox"
    assert "Facture incorrecte" in row["html"]
    assert fragments.inbox_row(advisor=outsider, case_id=case.pk) == {
        "type": "inbox_remove",
        "case_id": case.pk,
    }


def test_an_assignment_shows_its_note_to_its_receiver_only(
    case, advisor, colleague, django_assert_num_queries
):
    handoff = case_hand_over(case=case, to=colleague, by=advisor, context_note="Avoir promis.")
    with django_assert_num_queries(1), override("en"):
        shown = fragments.assignment(advisor=colleague, handoff_id=handoff.pk)
    assert shown is not None
    assert "Avoir promis." in shown["html"]
    assert "Handed over to you by Léa Martin" in shown["html"]
    assert fragments.assignment(advisor=advisor, handoff_id=handoff.pk) is None


def test_a_screen_pop_is_one_query(case, advisor, django_assert_num_queries):
    with django_assert_num_queries(1):
        pop = fragments.screen_pop(
            advisor=advisor, customer_id=case.customer_id, call_id="c", from_number="+33612345678"
        )
    assert "Hélène Durand" in pop["html"]


def test_the_alert_count_is_one_query(advisor, django_assert_num_queries):
    with django_assert_num_queries(1):
        shown = fragments.promise_alerts(advisor=advisor)
    assert 'id="promise-alerts"' in shown["html"]


def test_a_settled_call_is_one_query_and_reads_the_call_as_it_is_now(
    advisor, colleague, django_assert_num_queries
):
    # given a call that rang for Léa and that Karim answered
    moment = clock.now()
    call = PhoneCall.objects.create(
        call_id="c-1", direction="in", customer_number="+33612345678", ringing_advisor=advisor,
        answered_by=colleague, started_at=moment, answered_at=moment, outcome="answered",
        updated_at=moment,
    )  # fmt: skip

    with django_assert_num_queries(1), override("en"):
        notice = fragments.call_settled(advisor=advisor, call_id="c-1")

    assert notice is not None and "+33612345678: answered by Karim Benali." in notice["html"]
    # Karim is on the call: nothing changes on his screen
    assert fragments.call_settled(advisor=colleague, call_id="c-1") is None
    # once the call is over, his pop goes without a notice
    PhoneCall.objects.filter(pk=call.pk).update(ended_at=moment)
    assert fragments.call_settled(advisor=colleague, call_id="c-1") == {
        "type": "call_settled", "call_id": "c-1", "html": "",
    }  # fmt: skip
    # an unknown call renders nothing
    assert fragments.call_settled(advisor=advisor, call_id="nope") is None


def test_a_waiting_chat_is_one_query_and_only_for_the_advisor_it_was_handed_to(
    advisor, colleague, team, django_assert_num_queries
):
    # given a chat handed to Léa
    customer = builders.customer(given_name="Hélène", family_name="Durand", advisor=advisor)
    case = builders.case(customer=customer, owner=advisor)
    conversation = ChatConversation.objects.create(
        widget=ChatWidget.objects.create(name="Site", team=team), customer=customer, case=case,
        advisor=advisor, status="waiting", started_at=clock.now(),
    )  # fmt: skip

    with django_assert_num_queries(1), override("en"):
        shown = fragments.chat_waiting(advisor=advisor, conversation_id=conversation.pk)

    assert shown is not None and "Chat waiting from Hélène Durand" in shown["html"]
    assert fragments.chat_waiting(advisor=colleague, conversation_id=conversation.pk) is None
    # once the chat is over, nothing is announced any more
    ChatConversation.objects.filter(pk=conversation.pk).update(status="ended")
    assert fragments.chat_waiting(advisor=advisor, conversation_id=conversation.pk) is None
