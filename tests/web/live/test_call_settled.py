"""The screen-pop gives way when the call stops ringing for the advisor: the PBX's real
signed webhooks over HTTP, the desk's real WebSocket, against uvicorn (in-memory layer
and Redis)."""

import itertools
import json
import urllib.request

import pytest

from suivi.channels.phone import signing
from suivi.core import clock
from tests import builders

from .test_sockets import desk, first_push_is_the_sentinel, receive

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "pbx-secret-for-tests"
CALLER = "+33612345678"
_ids = itertools.count(1)


@pytest.fixture
def office(settings, team, advisor, colleague, outsider):
    settings.SUIVI_PHONE_WEBHOOK_SECRET = SECRET
    for person, extension in ((advisor, "201"), (colleague, "202"), (outsider, "301")):
        person.extension = extension
        person.save(update_fields=["extension"])
    return builders.customer(
        given_name="Hélène", family_name="Durand", advisor=advisor, team=team, phone=CALLER
    )


def pbx(server, kind: str, call_id: str, **fields) -> None:
    """What a PBX bridge does: sign the event and POST it."""
    body = json.dumps(
        {"id": f"evt-{next(_ids)}", "type": kind, "call_id": call_id, "direction": "inbound",
         "from": CALLER, "to": "+33180000000", **fields}
    ).encode()  # fmt: skip
    moment = int(clock.now().timestamp())
    request = urllib.request.Request(  # noqa: S310 - the test server on loopback
        f"{server.url}/api/v1/channels/phone/events",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            signing.TIMESTAMP_HEADER: str(moment),
            signing.SIGNATURE_HEADER: signing.sign(body=body, timestamp=moment, key=SECRET),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        assert response.status in (200, 202), response.read()


def popped(ws, call_id: str) -> dict:
    message = receive(ws)
    assert (message["type"], message["call_id"]) == ("call", call_id), message
    return message


def test_a_colleague_answering_turns_the_pop_into_a_notice(asgi_server, office, advisor, colleague):
    with desk(asgi_server, advisor) as lea, desk(asgi_server, colleague) as karim:
        # given the call rings for Léa
        pbx(asgi_server, "call.ringing", "c-10", advisor="201")
        popped(lea, "c-10")

        # when Karim picks it up (a group ring, a transfer)
        pbx(asgi_server, "call.answered", "c-10", advisor="202", queue_wait_seconds=8)

        # then Léa's pop becomes "answered by Karim"; Karim gets nothing
        settled = receive(lea)
        assert (settled["type"], settled["call_id"]) == ("call_settled", "c-10")
        assert "answered by Karim Benali" in settled["html"]
        assert CALLER in settled["html"]
        first_push_is_the_sentinel(karim, colleague)


def test_a_call_hung_up_before_an_answer_is_a_missed_call_notice(asgi_server, office, advisor):
    with desk(asgi_server, advisor) as lea:
        pbx(asgi_server, "call.ringing", "c-11", advisor="201")
        popped(lea, "c-11")

        pbx(asgi_server, "call.ended", "c-11", queue_wait_seconds=30)

        settled = receive(lea)
        assert settled["type"] == "call_settled"
        assert "Missed call" in settled["html"]
        assert "A callback has been planned." in settled["html"]


def test_a_voicemail_is_a_missed_call_notice_too(asgi_server, office, advisor):
    with desk(asgi_server, advisor) as lea:
        pbx(asgi_server, "call.ringing", "c-12", advisor="201")
        popped(lea, "c-12")

        pbx(asgi_server, "call.voicemail", "c-12", queue_wait_seconds=25)

        assert "left a voicemail" in receive(lea)["html"]


def test_the_pop_stays_during_the_advisors_own_call_and_goes_when_it_ends(
    asgi_server, office, advisor
):
    with desk(asgi_server, advisor) as lea:
        pbx(asgi_server, "call.ringing", "c-13", advisor="201")
        popped(lea, "c-13")

        # when Léa answers: the caller's file stays at hand
        pbx(asgi_server, "call.answered", "c-13", advisor="201", queue_wait_seconds=4)
        first_push_is_the_sentinel(lea, advisor)

        # when the call ends: the pop goes, with no notice
        pbx(asgi_server, "call.ended", "c-13", advisor="201", duration_seconds=90)
        settled = receive(lea)
        assert settled == {"type": "call_settled", "call_id": "c-13", "html": ""}


def test_a_call_moving_to_another_phone_takes_the_first_pop_away(
    asgi_server, office, advisor, colleague, outsider
):
    with desk(asgi_server, advisor) as lea, desk(asgi_server, outsider) as tom:
        pbx(asgi_server, "call.ringing", "c-14", advisor="201")
        popped(lea, "c-14")

        # when the PBX rings the next phone (Tom, of another team)
        pbx(asgi_server, "call.ringing", "c-14", advisor="301")

        # then Léa's pop goes; Tom's shows the number only
        assert receive(lea) == {"type": "call_settled", "call_id": "c-14", "html": ""}
        assert "Hélène" not in popped(tom, "c-14")["html"]
