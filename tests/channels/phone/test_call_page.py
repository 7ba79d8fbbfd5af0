"""The call's entry on the customer page: its facts, and the note form."""

import pytest
from django.test import Client

from suivi.channels.phone.models import PhoneCall
from suivi.conversations.models import Interaction


@pytest.fixture
def ended_call(office, pbx) -> PhoneCall:
    pbx.send("call.answered", advisor="201", queue_wait_seconds=7)
    pbx.send("call.ended", advisor="201", duration_seconds=125)
    return PhoneCall.objects.get(call_id="call-1")


def _logged_in(advisor, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(advisor.user)
    return client


def test_the_call_shows_its_facts_and_a_note_form(office, ended_call):
    page = _logged_in(office.marie).get(f"/customers/{office.customer.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="/calls/{ended_call.pk}/note/"' in html
    assert "125" in html and "Marie Dupont" in html


def test_the_advisor_saves_a_note_from_the_timeline(office, ended_call):
    client = _logged_in(office.marie)

    response = client.post(f"/calls/{ended_call.pk}/note/", {"note": "Rappeler jeudi matin."})

    assert response.status_code == 302
    assert response["Location"] == (
        f"/customers/{office.customer.pk}/#interaction-{ended_call.interaction_id}"
    )
    ended_call.refresh_from_db()
    assert (ended_call.note, ended_call.note_by) == ("Rappeler jeudi matin.", office.marie)
    assert "Rappeler jeudi matin." in Interaction.objects.get(pk=ended_call.interaction_id).text
    page = client.get(response["Location"])
    assert "Rappeler jeudi matin." in page.content.decode()


def test_the_note_form_needs_the_csrf_token(office, ended_call):
    client = _logged_in(office.marie, enforce_csrf_checks=True)

    response = client.post(f"/calls/{ended_call.pk}/note/", {"note": "Sans jeton."})

    assert response.status_code == 403
    ended_call.refresh_from_db()
    assert ended_call.note == ""


def test_an_outsider_cannot_write_on_the_call(ended_call, outsider):
    response = _logged_in(outsider).post(f"/calls/{ended_call.pk}/note/", {"note": "Intrus."})

    assert response.status_code == 404
    ended_call.refresh_from_db()
    assert ended_call.note == ""


def test_an_empty_note_is_refused_with_a_message(office, ended_call):
    client = _logged_in(office.marie)

    response = client.post(f"/calls/{ended_call.pk}/note/", {"note": ""}, follow=True)

    assert response.status_code == 200
    ended_call.refresh_from_db()
    assert ended_call.note == ""
