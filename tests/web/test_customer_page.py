from datetime import timedelta

import pytest

from suivi.conversations import services as conversations
from suivi.core import clock
from suivi.promises.services import promise_make
from suivi.scheduling.assets import asset_create
from tests import builders

from .conftest import FIVE_CHANNELS, history

# session, user, advisor, customer_access, open cases, identities, timeline page,
# open promises, assets, coming appointments, callbacks to make
CUSTOMER_PAGE_QUERIES = 11


def test_customer_page_greets_the_customer_by_the_name_they_chose(web, customer):
    # given a customer who wants to be called "Mme Durand"
    # when their advisor opens the file
    response = web.get(f"/customers/{customer.pk}/")

    # then the page greets them that way and names them in full
    page = response.content.decode()
    assert response.status_code == 200
    assert "Mme Durand" in page.split('class="greeting"', 1)[1].split("</h1>", 1)[0]
    assert "Hélène Durand" in page


def test_customer_page_shows_identities_and_dedicated_advisor(web, customer, advisor):
    # given a customer with an e-mail and a phone, followed by an advisor
    # when the file is opened
    page = web.get(f"/customers/{customer.pk}/").content.decode()

    # then both identities and the advisor are there
    assert "helene.durand@example.org" in page
    assert "+33612345678" in page
    assert advisor.display_name in page


def test_customer_page_shows_the_timeline_across_five_channels(web, customer, case, advisor):
    # given a history on five channels
    history(case, advisor, 5)

    # when the file is opened
    page = web.get(f"/customers/{customer.pk}/").content.decode()

    # then every channel has its badge, newest first
    for channel in FIVE_CHANNELS:
        assert f"channel channel--{channel}" in page
    assert page.index("message 4") < page.index("message 0")


def test_customer_page_shows_direction_and_author(web, customer, case, advisor):
    # given a question from the customer and the advisor's answer
    builders.inbound(case, text="Ma facture est fausse")
    builders.answer(case, advisor, text="Je regarde")

    # when the file is opened
    page = web.get(f"/customers/{customer.pk}/").content.decode()

    # then each item says who wrote and in which direction
    assert "direction direction--in" in page
    assert "direction direction--out" in page
    answer = page.split("Je regarde")[0].rsplit('class="timeline-item', 1)[1]
    assert advisor.display_name in answer


def test_customer_page_shows_open_cases_with_summary_and_last_handoff_note(
    web, customer, case, advisor, colleague
):
    # given an open case handed over with a note
    conversations.case_hand_over(
        case=case, to=colleague, by=advisor, context_note="Client prévenu du remboursement"
    )

    # when the file is opened
    page = web.get(f"/customers/{customer.pk}/").content.decode()

    # then the case shows its summary and the note
    assert "Facture incorrecte" in page
    assert "Double prélèvement" in page
    assert "Client prévenu du remboursement" in page
    assert advisor.display_name in page.split("Client prévenu du remboursement", 1)[1]


def test_timeline_items_name_their_case(web, customer, case):
    builders.inbound(case, text="Toujours rien reçu")

    page = web.get(f"/customers/{customer.pk}/").content.decode()

    assert f'href="/cases/{case.pk}/"' in page
    assert ">Facture incorrecte</a>" in page


def test_older_link_falls_back_to_a_full_page_without_javascript(web, customer, case, advisor):
    # given more history than one page holds
    history(case, advisor, 25)
    first = web.get(f"/customers/{customer.pk}/")
    cursor = first.context["timeline"].next_cursor

    # when the "older" link is followed as a plain link
    response = web.get(f"/customers/{customer.pk}/", {"cursor": cursor})

    # then the full page shows the older items only
    page = response.content.decode()
    assert 'href="/customers/' in first.content.decode().split('class="more"')[1]
    assert "<html" in page
    assert "message 0<" in page
    assert "message 24<" not in page


def test_older_button_loads_the_next_page_as_a_fragment(web, customer, case, advisor):
    # given more history than one page holds
    history(case, advisor, 25)
    first = web.get(f"/customers/{customer.pk}/")
    cursor = first.context["timeline"].next_cursor
    assert "message 0<" not in first.content.decode()

    # when htmx asks for the older items
    response = web.get(
        f"/customers/{customer.pk}/timeline/", {"cursor": cursor}, headers={"HX-Request": "true"}
    )

    # then only list items come back, the oldest included, with no further button
    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment
    assert "message 0<" in fragment
    assert "message 24<" not in fragment
    assert 'class="more"' not in fragment


def test_timeline_fragment_of_another_team_is_not_found(web_as, outsider, customer):
    # given an advisor of another team
    # when they ask for the timeline fragment
    response = web_as(outsider).get(f"/customers/{customer.pk}/timeline/")

    # then it looks absent
    assert response.status_code == 404


def test_times_are_shown_in_the_site_time_zone(web, customer, case):
    # given a contact at 08:30 UTC in winter
    moment = clock.now().replace(year=2024, month=1, day=15, hour=8, minute=30)
    builders.inbound(case, text="En hiver", occurred_at=moment)

    # when the file is opened
    page = web.get(f"/customers/{customer.pk}/").content.decode()

    # then Paris time is shown (UTC+1)
    item = page.split("En hiver")[0].rsplit('class="timeline-item', 1)[1]
    assert "09:30" in item


@pytest.mark.parametrize("size", [3, 60])
def test_customer_page_runs_a_fixed_number_of_queries(
    web, customer, case, advisor, django_assert_num_queries, size
):
    # given a history of `size` interactions and a second open case
    history(case, advisor, size)
    builders.case(customer=customer, subject="Carte bloquée")
    builders.inbound(case, text="latest", occurred_at=clock.now() - timedelta(minutes=1))
    for n in range(size // 20):
        asset_create(customer=customer, model=f"Phone {n}", serial_number=f"SN{n}")
    for n in range(size // 10):
        promise_make(customer=customer, what=f"Rappel {n}", due_at=clock.now() + timedelta(days=1))

    # when the file is opened
    # then the number of queries does not depend on the history, the assets or the promises
    with django_assert_num_queries(CUSTOMER_PAGE_QUERIES):
        response = web.get(f"/customers/{customer.pk}/")
    assert response.status_code == 200


def test_the_timeline_names_the_published_answers_used_without_a_query(
    web, customer, case, advisor, django_assert_num_queries
):
    # given an e-mail reply and an assistant answer that each quoted a published article
    from suivi.knowledge import selectors as knowledge
    from suivi.knowledge import services as knowledge_services

    lead = builders.advisor(team=advisor.team, role="lead")
    titles = []
    for n in range(3):
        article = knowledge_services.article_create(
            kind="answer", language="fr", title=f"Réponse {n}", body=f"Texte {n}.", by=lead
        )
        version = knowledge_services.version_publish_urgently(
            version=article.versions.get(), by=lead, reason="setup"
        )
        used = knowledge.reply_metadata(version_id=version.pk)
        conversations.interaction_record(
            case=case,
            channel="assistant" if n % 2 else "email",
            direction="out",
            author_kind="assistant" if n % 2 else None,
            author_advisor=None if n % 2 else advisor,
            text=f"Texte {n}.",
            metadata=used,
        )
        titles.append((article.pk, f"Réponse {n}"))

    # when the file is opened, the number of queries is the same as ever
    with django_assert_num_queries(CUSTOMER_PAGE_QUERIES):
        page = web.get(f"/customers/{customer.pk}/").content.decode()

    # then each answer names its article, linked to its help page
    for article_id, title in titles:
        assert f'href="/help/fr/{article_id}/"' in page and f"{title}</a> (v1)" in page
