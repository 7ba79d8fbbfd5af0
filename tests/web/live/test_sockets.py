"""The live inbox through a real WebSocket client against the ASGI app served by uvicorn,
with the in-memory channel layer and with Redis.

A socket that must receive nothing is checked with a sentinel: after the event it must
not see, a push it must see is sent through the same layer; the first thing it receives
has to be the sentinel (a socket handles its pushes one at a time, in order).
"""

import asyncio
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from suivi.channels.phone import events as phone_events
from suivi.conversations import services as conversations
from suivi.core import clock
from suivi.customers import services as customers
from suivi.people.models import Advisor
from suivi.promises.services import promise_make, promises_sweep
from tests import builders
from tests.asgi_server import AsgiServer

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
WAIT = 10  # seconds: a push arrives in milliseconds; this only bounds a failing test


def session_cookie(advisor: Advisor) -> str:
    """A real session, opened by logging in with the advisor's password."""
    client = Client()
    assert client.login(username=advisor.user.username, password=PASSWORD)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def connect_desk(
    server: AsgiServer, advisor: Advisor | None, *, origin: str | None = None, lang: str = "en"
) -> ClientConnection:
    headers = {"Cookie": session_cookie(advisor)} if advisor is not None else {}
    return connect(
        f"{server.ws_url}/ws/desk/?lang={lang}",
        origin=origin or server.url,
        additional_headers=headers,
        open_timeout=WAIT,
    )


def receive(ws: ClientConnection) -> dict:
    return json.loads(ws.recv(timeout=WAIT))


@contextmanager
def desk(
    server: AsgiServer, advisor: Advisor, *requests: dict, lang: str = "en"
) -> Iterator[ClientConnection]:
    """An advisor's open page: greeted, then each request (watch...) sent and answered."""
    with connect_desk(server, advisor, lang=lang) as ws:
        assert receive(ws)["type"] == "hello"
        for request in requests:
            ws.send(json.dumps(request))
            answer = receive(ws)
            assert answer["type"] in {"watching", "watching_inbox"}, answer
        yield ws


def ring(*, advisor: Advisor, customer_id: int | None, number: str, call_id: str) -> None:
    # The phone adapter publishes after its commit; so does this stand-in.
    phone_events.call_ringing.publish(
        advisor_id=advisor.pk, customer_id=customer_id, call_id=call_id, from_number=number
    )


def first_push_is_the_sentinel(ws: ClientConnection, advisor: Advisor) -> None:
    ring(advisor=advisor, customer_id=None, number="+33100000000", call_id="sentinel")
    message = receive(ws)
    assert (message["type"], message.get("call_id")) == ("call", "sentinel"), message


@pytest.fixture
def story(team, advisor, colleague, outsider):
    customer = builders.customer(
        given_name="Hélène",
        family_name="Durand",
        address_as="Mme Durand",
        advisor=advisor,
        team=team,
        phone="+33612345678",
    )
    case = builders.case(customer=customer, subject="Facture incorrecte", owner=advisor)
    return {"customer": customer, "case": case}


def test_the_screen_pop_reaches_only_the_advisor_whose_phone_rings(
    asgi_server, story, advisor, colleague
):
    customer = story["customer"]
    with (
        desk(asgi_server, advisor) as lea,
        desk(asgi_server, colleague) as karim,
    ):
        # when the phone of Léa rings with her customer on the line
        ring(advisor=advisor, customer_id=customer.pk, number="+33612345678", call_id="c-1")
        # then Léa sees who calls, how to greet them, and a link to the file
        pop = receive(lea)
        assert (pop["type"], pop["call_id"]) == ("call", "c-1")
        assert "Hélène Durand" in pop["html"]
        assert "Bonjour Mme Durand" in pop["html"]  # in the customer's language
        assert f'href="/customers/{customer.pk}/"' in pop["html"]
        # and Karim, of the same team, gets nothing
        first_push_is_the_sentinel(karim, colleague)


def test_an_unknown_number_pops_as_a_new_caller(asgi_server, advisor, story):
    with desk(asgi_server, advisor) as lea:
        ring(advisor=advisor, customer_id=None, number="+33799999999", call_id="c-2")
        pop = receive(lea)
        assert "New caller" in pop["html"]
        assert "+33799999999" in pop["html"]
        assert "/customers/" not in pop["html"]


def test_a_customer_of_another_team_is_never_pushed_to_the_wrong_advisor(
    asgi_server, story, advisor, outsider
):
    customer, case = story["customer"], story["case"]
    with desk(asgi_server, outsider, {"type": "watch_inbox"}) as tom:
        # given Tom, of another team, asks to follow the file: refused
        tom.send(json.dumps({"type": "watch", "customer_id": customer.pk}))
        assert receive(tom) == {"type": "error", "code": "not_found"}
        # when the customer writes, is handed over among her team, and calls Tom's line
        builders.inbound(case, text="Toujours rien reçu ?")
        ring(advisor=outsider, customer_id=customer.pk, number="+33612345678", call_id="c-3")
        # then the pop on Tom's screen shows the number, not her name nor her file
        pop = receive(tom)
        assert pop["type"] == "call"
        assert "Durand" not in pop["html"]
        assert "/customers/" not in pop["html"]
        assert "+33612345678" in pop["html"]
        # and nothing else about her ever reached Tom
        first_push_is_the_sentinel(tom, outsider)


def test_a_watcher_who_lost_access_receives_nothing_more(asgi_server, team, advisor, outsider):
    # given a customer of Tom's team, whose file Tom has open
    customer = builders.customer(given_name="Paul", advisor=outsider, team=outsider.team)
    case = builders.case(customer=customer, subject="Contrat", owner=advisor)
    with desk(asgi_server, outsider, {"type": "watch", "customer_id": customer.pk}) as tom:
        # when the customer moves to Léa's team, then writes
        customers.customer_update(customer=customer, changes={"dedicated_advisor": advisor})
        builders.inbound(case, text="Nouvelle adresse")
        # then Tom's open page is not told
        first_push_is_the_sentinel(tom, outsider)


def test_a_foreign_origin_is_refused(asgi_server, advisor):
    with pytest.raises(InvalidStatus) as refused:
        connect_desk(asgi_server, advisor, origin="https://evil.example")
    assert refused.value.response.status_code == 403


def test_an_anonymous_socket_is_refused(asgi_server):
    with connect_desk(asgi_server, None) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=WAIT)
    assert closed.value.rcvd.code == 4401


def test_a_user_who_is_not_an_advisor_is_refused(asgi_server, django_user_model):
    django_user_model.objects.create_user(username="bare", password=PASSWORD)
    client = Client()
    assert client.login(username="bare", password=PASSWORD)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    with (
        connect(
            f"{asgi_server.ws_url}/ws/desk/",
            origin=asgi_server.url,
            additional_headers={"Cookie": cookie},
            open_timeout=WAIT,
        ) as ws,
        pytest.raises(ConnectionClosed) as closed,
    ):
        ws.recv(timeout=WAIT)
    assert closed.value.rcvd.code == 4403


def test_an_advisor_cannot_watch_a_customer_they_may_not_see(asgi_server, story, outsider):
    with desk(asgi_server, outsider) as tom:
        for request, code in [
            ({"type": "watch", "customer_id": story["customer"].pk}, "not_found"),
            ({"type": "watch", "customer_id": 10**9}, "not_found"),
            ({"type": "watch", "customer_id": "1"}, "invalid_customer"),
            ({"type": "dance"}, "unknown_message"),
        ]:
            tom.send(json.dumps(request))
            assert receive(tom) == {"type": "error", "code": code}
        tom.send("not json")
        assert receive(tom) == {"type": "error", "code": "unknown_message"}


def test_a_new_interaction_appears_on_the_open_file_and_in_the_owners_inbox(
    asgi_server, story, advisor
):
    customer, case = story["customer"], story["case"]
    with (
        desk(asgi_server, advisor, {"type": "watch", "customer_id": customer.pk}) as page,
        desk(asgi_server, advisor, {"type": "watch_inbox"}, lang="fr") as home,
    ):
        # when the customer writes, recorded through the real service
        interaction = builders.inbound(case, text="Toujours rien reçu <b>?</b>")
        # then the open file shows it on top, drawn by the timeline's own template
        entry = receive(page)
        assert (entry["type"], entry["interaction_id"]) == ("timeline", interaction.pk)
        assert f'id="interaction-{interaction.pk}"' in entry["html"]
        assert "Toujours rien reçu &lt;b&gt;?&lt;/b&gt;" in entry["html"]
        # and the desk's inbox lists the case, in the desk's language
        row = receive(home)
        assert (row["type"], row["case_id"]) == ("inbox", case.pk)
        assert "Facture incorrecte" in row["html"]
        assert "en attente depuis" in row["html"]
        # when Léa answers, the case leaves her inbox
        builders.answer(case, advisor)
        assert receive(page)["type"] == "timeline"
        assert receive(home) == {"type": "inbox_remove", "case_id": case.pk}


def test_a_handoff_reaches_the_receiver_note_first(asgi_server, story, advisor, colleague):
    case = story["case"]
    builders.inbound(case)
    with (
        desk(asgi_server, advisor, {"type": "watch_inbox"}) as lea,
        desk(asgi_server, colleague, {"type": "watch_inbox"}) as karim,
    ):
        # when Léa hands the case over to Karim
        conversations.case_hand_over(
            case=case, to=colleague, by=advisor, context_note="Remboursement promis le 12."
        )
        # then Karim reads the note first, then sees the case in his inbox
        notice = receive(karim)
        assert notice["type"] == "assignment"
        assert "Remboursement promis le 12." in notice["html"]
        assert "Léa Martin" in notice["html"]
        row = receive(karim)
        assert (row["type"], row["case_id"]) == ("inbox", case.pk)
        assert "Handed over to you" in row["html"]
        # and the case leaves Léa's inbox
        assert receive(lea) == {"type": "inbox_remove", "case_id": case.pk}


def test_a_promise_at_risk_updates_the_alert_count(asgi_server, story, advisor):
    with clock.frozen_at(clock.now()) as hand:
        promise_make(
            customer=story["customer"],
            what="Je vous rappelle cet après-midi",
            due_at=clock.now() + timedelta(hours=4),
            made_by=advisor,
            case=None,
        )
        with desk(asgi_server, advisor, {"type": "watch_inbox"}) as lea:
            hand.advance(timedelta(hours=3, minutes=30))
            promises_sweep()
            alert = receive(lea)
    assert alert["type"] == "promise_alerts"
    assert 'id="promise-alerts"' in alert["html"]
    assert '<span class="tag tag--new">1</span>' in alert["html"]


def test_a_page_that_did_not_ask_for_the_inbox_gets_only_the_screen_pop(
    asgi_server, story, advisor
):
    with desk(asgi_server, advisor) as other_page:
        builders.inbound(story["case"])
        first_push_is_the_sentinel(other_page, advisor)


def test_a_rolled_back_interaction_is_never_announced(asgi_server, story, advisor):
    with desk(asgi_server, advisor, {"type": "watch_inbox"}) as lea:
        with pytest.raises(RuntimeError), transaction.atomic():
            builders.inbound(story["case"])
            raise RuntimeError("the request failed after recording")
        first_push_is_the_sentinel(lea, advisor)


@pytest.mark.django_db(transaction=True)
def test_a_layer_that_is_down_never_breaks_the_request(settings, story, caplog):
    # given a Redis that nobody listens to
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:9", "socket_connect_timeout": 1}]},
        }
    }
    # when an interaction is recorded
    with caplog.at_level(logging.ERROR, logger="suivi.web.live.push"):
        started = time.monotonic()
        interaction = builders.inbound(story["case"], text="Bonjour")
        recorded_in = time.monotonic() - started
        # then it is saved without waiting on the layer, and the failed push is logged
        assert interaction.pk is not None
        assert recorded_in < 1
        deadline = time.monotonic() + WAIT
        while "Live push failed" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "Live push failed" in caplog.text


def test_a_push_from_a_thread_running_an_event_loop_still_arrives(
    asgi_server, story, advisor, monkeypatch
):
    # Sync code called from async code, as a test driving a browser does, publishes from a
    # thread whose event loop is running (and has to allow Django's database there).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    async def publish_from_a_running_loop() -> None:
        ring(advisor=advisor, customer_id=None, number="+33611111111", call_id="in-loop")

    # In a thread of its own: the browser tests' Playwright may hold this thread's loop.
    publisher = threading.Thread(target=asyncio.run, args=(publish_from_a_running_loop(),))
    with desk(asgi_server, advisor) as lea:
        publisher.start()
        publisher.join(10)
        assert receive(lea)["call_id"] == "in-loop"


def test_an_idle_socket_still_receives_its_pushes(asgi_server, story, advisor):
    # channels_redis waits 5 s in BZPOPMIN for the next message; redis-py's default read
    # timeout of 5 s used to cut that wait off and close every socket idle that long.
    with desk(asgi_server, advisor) as lea:
        time.sleep(6.5)
        ring(advisor=advisor, customer_id=None, number="+33611111111", call_id="after-idle")
        assert receive(lea)["call_id"] == "after-idle"
