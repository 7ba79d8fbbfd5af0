"""Opening a case from the customer file, and logging a contact that happened elsewhere."""

from datetime import UTC, datetime

from django.utils import translation
from django.utils.html import escape

from suivi.conversations import services as conversations
from suivi.conversations.models import Case, Interaction
from suivi.conversations.services import CaseClosed, SubjectRequired
from tests import builders


def in_french(message) -> str:
    with translation.override("fr"):
        return escape(str(message))


def contact(**fields) -> dict:
    return {"channel": "phone", "direction": "in", "text": "Appel", "occurred_at": "", **fields}


# Opening a case


def test_new_case_page_is_offered_from_the_customer_file(web, customer):
    # given a customer file
    # when it is opened
    page = web.get(f"/customers/{customer.pk}/").content.decode()

    # then it leads to the new case page, which shows the form
    assert f'href="/customers/{customer.pk}/cases/new/"' in page
    response = web.get(f"/customers/{customer.pk}/cases/new/")
    assert response.status_code == 200
    assert 'name="subject"' in response.content.decode()


def test_new_case_form_opens_the_case_and_shows_it(web, customer, advisor):
    # given the new case page of a customer whose dedicated advisor is the advisor
    # when they open a case
    response = web.post(
        f"/customers/{customer.pk}/cases/new/",
        {"subject": "Carte bloquée", "topic": "cards", "summary": "Bloquée au distributeur"},
    )

    # then the case exists, is theirs, and its page opens
    case = Case.objects.get(subject="Carte bloquée")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert (case.customer_id, case.topic, case.summary) == (
        customer.pk,
        "cards",
        "Bloquée au distributeur",
    )
    assert case.owner == advisor
    assert case.status == Case.Status.OPEN


def test_new_case_of_a_customer_without_advisor_is_owned_by_who_opened_it(web, advisor, team):
    # given a customer without a dedicated advisor
    customer = builders.customer(team=team)

    # when the advisor opens a case for them
    web.post(f"/customers/{customer.pk}/cases/new/", {"subject": "Déménagement"})

    # then they own it
    assert Case.objects.get(subject="Déménagement").owner == advisor


def test_new_case_without_subject_is_refused_on_the_form(web, customer):
    # given the new case page
    # when the subject is left blank
    response = web.post(f"/customers/{customer.pk}/cases/new/", {"subject": "  ", "topic": "x"})

    # then the service's message is next to the subject and no case is opened
    page = response.content.decode()
    assert response.status_code == 422
    assert in_french(SubjectRequired.default_message) in page
    assert 'id="id_subject_error"' in page
    assert not Case.objects.exists()


def test_new_case_of_another_team_is_not_found(web_as, outsider, customer):
    # given an advisor of another team
    client = web_as(outsider)

    # when they open or post the new case page of our customer
    opened = client.get(f"/customers/{customer.pk}/cases/new/")
    posted = client.post(f"/customers/{customer.pk}/cases/new/", {"subject": "Intrus"})

    # then it looks absent and no case is opened
    assert (opened.status_code, posted.status_code) == (404, 404)
    assert not Case.objects.exists()


def test_new_case_form_refuses_a_post_without_csrf_token(web_as, advisor, customer):
    # given a browser that does not send the CSRF token
    client = web_as(advisor, enforce_csrf_checks=True)

    # when it posts a new case
    response = client.post(f"/customers/{customer.pk}/cases/new/", {"subject": "Carte"})

    # then it is refused and nothing is written
    assert response.status_code == 403
    assert not Case.objects.exists()


# Logging a contact


def test_case_page_has_a_contact_composer_beside_the_note(web, case):
    # given a case
    # when its page is opened
    page = web.get(f"/cases/{case.pk}/").content.decode()

    # then both composers are there, each with its own field ids
    assert f'action="/cases/{case.pk}/contacts/"' in page
    assert page.count('id="id_contact_text"') == 1
    assert page.count('id="id_text"') == 1
    assert 'type="datetime-local"' in page


def test_logging_a_call_from_the_customer_puts_it_on_the_timeline(web, case, advisor):
    # given an open case
    # when the advisor logs a call the customer made
    response = web.post(f"/cases/{case.pk}/contacts/", contact(text="A appelé pour sa carte"))

    # then it is an inbound phone contact by the customer, and the case waits for an answer
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/#timeline"
    call = Interaction.objects.get(case=case)
    assert (call.channel, call.direction, call.author_kind) == ("phone", "in", "customer")
    assert call.author_advisor is None
    assert call.metadata == {"logged_by": advisor.pk}
    case.refresh_from_db()
    assert case.awaiting_reply_since == call.occurred_at


def test_logging_an_outbound_contact_answers_the_waiting_ones(web, case, advisor):
    # given a case waiting for an answer
    builders.inbound(case, text="Où en est ma carte ?")

    # when the advisor logs the letter they sent
    web.post(
        f"/cases/{case.pk}/contacts/",
        contact(channel="letter", direction="out", text="Courrier envoyé"),
    )

    # then the letter is theirs and nothing waits any more
    letter = Interaction.objects.get(case=case, channel="letter")
    assert (letter.direction, letter.author_advisor) == ("out", advisor)
    case.refresh_from_db()
    assert case.awaiting_reply_since is None
    assert Interaction.objects.get(text="Où en est ma carte ?").first_answered_at is not None


def test_the_time_of_a_contact_is_read_in_the_site_time_zone(web, case):
    # given an open case
    # when the advisor logs a counter visit at 09:30, Paris time, in winter
    web.post(
        f"/cases/{case.pk}/contacts/",
        contact(channel="visit", text="Passée à l'agence", occurred_at="2024-01-15T09:30"),
    )

    # then it happened at 08:30 UTC
    visit = Interaction.objects.get(case=case, channel="visit")
    assert visit.occurred_at == datetime(2024, 1, 15, 8, 30, tzinfo=UTC)


def test_contact_with_an_unreadable_time_is_refused(web, case):
    # given an open case
    # when the time is not a time
    response = web.post(f"/cases/{case.pk}/contacts/", contact(occurred_at="hier matin"))

    # then the form says so and nothing is logged
    assert response.status_code == 422
    assert 'id="id_contact_occurred_at_error"' in response.content.decode()
    assert not Interaction.objects.exists()


def test_contact_on_a_channel_that_cannot_be_logged_by_hand_is_refused(web, case):
    # given an open case
    # when an internal note is posted as a contact
    response = web.post(f"/cases/{case.pk}/contacts/", contact(channel="note"))

    # then the form refuses it
    assert response.status_code == 422
    assert not Interaction.objects.exists()


def test_contact_on_a_closed_case_is_refused_with_the_domain_message(web, case):
    # given a closed case
    conversations.case_update(case=case, changes={"status": Case.Status.CLOSED})

    # when the advisor logs a call on it
    response = web.post(f"/cases/{case.pk}/contacts/", contact(text="Trop tard"))

    # then the service's message is on the composer with its status, and nothing is logged
    assert response.status_code == 409
    assert in_french(CaseClosed.default_message) in response.content.decode()
    assert not Interaction.objects.filter(text="Trop tard").exists()


def test_contact_on_a_case_of_another_team_is_not_found(web_as, outsider, case):
    # given an advisor of another team
    # when they log a contact on our case
    response = web_as(outsider).post(f"/cases/{case.pk}/contacts/", contact())

    # then it looks absent and nothing is logged
    assert response.status_code == 404
    assert not Interaction.objects.exists()


def test_contact_composer_refuses_a_post_without_csrf_token(web_as, advisor, case):
    # given a browser that does not send the CSRF token
    client = web_as(advisor, enforce_csrf_checks=True)

    # when it logs a contact
    response = client.post(f"/cases/{case.pk}/contacts/", contact())

    # then it is refused and nothing is written
    assert response.status_code == 403
    assert not Interaction.objects.exists()
