from datetime import timedelta

import pytest

from suivi.conversations import services as conversations
from suivi.core import clock
from suivi.scheduling.callbacks import callback_request
from tests import builders

# session, user, advisor, unread promise alerts, my customers, inbox page, callbacks due
HOME_QUERIES = 7


def test_home_lists_my_customers_only(web, advisor, colleague):
    # given a customer of mine and one of my colleague's
    builders.customer(given_name="Anne", family_name="Mienne", advisor=advisor)
    builders.customer(given_name="Bruno", family_name="Autre", advisor=colleague)

    # when I open my desk
    page = web.get("/").content.decode()

    # then only mine is under "my customers"
    assert "Anne Mienne" in page
    assert "Bruno Autre" not in page


def test_inbox_lists_waiting_cases_oldest_first(web, advisor):
    # given two cases waiting for an answer, the second one for longer
    customer = builders.customer(advisor=advisor)
    recent = builders.case(customer=customer, subject="Attend depuis peu")
    older = builders.case(customer=customer, subject="Attend depuis longtemps")
    builders.inbound(recent, occurred_at=clock.now() - timedelta(hours=1))
    builders.inbound(older, occurred_at=clock.now() - timedelta(hours=5))

    # when I open my desk
    page = web.get("/").content.decode()

    # then the longest wait comes first
    assert page.index("Attend depuis longtemps") < page.index("Attend depuis peu")


def test_answered_case_leaves_the_inbox(web, advisor):
    # given a case that was answered
    case = builders.case(customer=builders.customer(advisor=advisor), subject="Déjà répondu")
    builders.inbound(case)
    builders.answer(case, advisor)

    # when I open my desk
    page = web.get("/").content.decode()

    # then it is not waiting any more
    assert "Déjà répondu" not in page


def test_inbox_marks_a_case_handed_over_and_not_yet_seen(web, advisor, colleague):
    # given a case handed over to me that I have not opened
    case = builders.case(customer=builders.customer(advisor=colleague), subject="Reçu")
    builders.inbound(case)
    conversations.case_hand_over(case=case, to=advisor, by=colleague, context_note="À toi")

    # when I open my desk
    page = web.get("/").content.decode()

    # then it is flagged
    item = page.split("Reçu")[1].split("</li>")[0]
    assert "tag--new" in item


def test_inbox_shows_how_long_the_customer_has_waited(web, advisor):
    # given a case waiting for three hours
    case = builders.case(customer=builders.customer(advisor=advisor))
    builders.inbound(case, occurred_at=clock.now() - timedelta(hours=3, minutes=5))

    # when I open my desk (French by default)
    page = web.get("/").content.decode()

    # then the wait is shown relative to now
    assert "3\xa0heures" in page


def test_inbox_next_page_loads_the_longer_waits_first_then_the_rest(web, advisor):
    # given more waiting cases than one page holds
    customer = builders.customer(advisor=advisor)
    for i in range(27):
        case = builders.case(customer=customer, subject=f"Sujet {i:02d}")
        builders.inbound(case, occurred_at=clock.now() - timedelta(hours=100 - i))
    first = web.get("/")
    assert "Sujet 26" not in first.content.decode()

    # when the next page is asked for
    response = web.get("/inbox/", {"cursor": first.context["inbox"].next_cursor})

    # then it holds the most recent waits
    assert "Sujet 26" in response.content.decode()
    assert "Sujet 00" not in response.content.decode()


@pytest.mark.parametrize("size", [2, 30])
def test_home_runs_a_fixed_number_of_queries(
    web, advisor, colleague, django_assert_num_queries, size
):
    # given `size` customers of mine each with a waiting case, some handed over to me
    for i in range(size):
        customer = builders.customer(advisor=advisor)
        case = builders.case(customer=customer, owner=colleague if i % 2 else advisor)
        builders.inbound(case, occurred_at=clock.now() - timedelta(minutes=i + 1))
        if i % 2:
            conversations.case_hand_over(case=case, to=advisor, by=colleague, context_note="Vu")
        callback_request(customer=customer, reason=f"Rappel {i}", phone="+33612345678")

    # when I open my desk
    # then the number of queries does not depend on how many there are
    with django_assert_num_queries(HOME_QUERIES):
        response = web.get("/")
    assert response.status_code == 200


def test_a_team_lead_sees_the_chat_assistant_figures_in_one_more_query(
    client, team, django_assert_num_queries
):
    # given a chat of the lead's team the assistant could not help, handed to a person
    from suivi.channels.chat.models import ChatConversation, ChatWidget
    from suivi.people.models import Advisor

    lead = builders.advisor(team=team, role=Advisor.Role.LEAD)
    widget = ChatWidget.objects.create(name="Site", team=team)
    ChatConversation.objects.create(
        widget=widget,
        started_at=clock.now() - timedelta(days=2),
        assistant_turns=3,
        assistant_answered=1,
        assistant_unknown=2,
        handed_over_at=clock.now(),
        handed_over_after="unknown",
    )
    client.force_login(lead.user)
    # when the lead opens the desk: one query more than an advisor's desk
    with django_assert_num_queries(HOME_QUERIES + 1):
        page = client.get("/").content.decode()
    # then the card shows the figures
    card = page.split('class="card assistant-card"', 1)[1].split("</section>", 1)[0]
    figures = [part.split("</dd>")[0] for part in card.split("<dd>")[1:]]
    assert figures == ["3", "1", "2", "1", "1", "1"]


def test_an_advisor_has_no_assistant_card(web):
    assert "assistant-card" not in web.get("/").content.decode()
