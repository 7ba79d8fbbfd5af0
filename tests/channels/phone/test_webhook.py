"""The CTI webhook: signed, stored raw, replay-proof, and turned into the call's story."""

import json
from datetime import timedelta

import pytest

from suivi.channels.models import InboundMessage
from suivi.channels.phone import events
from suivi.channels.phone.models import PhoneCall
from suivi.conversations.models import Interaction
from suivi.customers.models import Customer, Identity
from suivi.people.models import Absence
from suivi.promises.models import Promise
from suivi.routing.models import AdvisorPresence
from suivi.scheduling.models import Callback

from .conftest import CALLER, SECRET

UNKNOWN = "+33698765432"


@pytest.fixture
def rings():
    """What the live inbox would receive: every call_ringing published."""
    seen: list[dict] = []

    def handler(**payload):
        seen.append(payload)

    events.call_ringing.subscribe(handler)
    yield seen
    events.call_ringing._handlers.remove(handler)


def _call_interactions(customer: Customer) -> list[Interaction]:
    return list(Interaction.objects.filter(customer=customer, channel="phone"))


# --- Signature, freshness, shape -------------------------------------------------------


def test_a_signed_event_is_stored_raw_and_processed(office, pbx):
    # when
    response = pbx.send("call.ringing", advisor="201", id="evt-store")

    # then
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    message = InboundMessage.objects.get(channel="phone", external_id="evt-store")
    assert json.loads(bytes(message.raw))["type"] == "call.ringing"
    assert message.status == InboundMessage.Status.DONE
    assert message.outcome == "call_ringing"
    assert message.customer_id == office.customer.pk


def test_a_ringing_call_is_processed_within_the_request_other_events_by_the_worker(
    office, pbx, rings, settings
):
    # given: no worker at all (tasks are queued, never run)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    # when: the PBX posts a ringing call, then its hang-up, and no task runs
    pbx.send("call.ringing", call_id="call-now", advisor="201", id="evt-ring-now")
    pbx.send("call.ended", call_id="call-now", id="evt-end-later", duration_seconds=0)

    # then: the screen-pop was published by the request itself...
    assert [ring["call_id"] for ring in rings] == ["call-now"]
    ringing = InboundMessage.objects.get(channel="phone", external_id="evt-ring-now")
    assert ringing.status == InboundMessage.Status.DONE
    # ...while the hang-up waits, stored, for the worker
    ended = InboundMessage.objects.get(channel="phone", external_id="evt-end-later")
    assert ended.status == InboundMessage.Status.RECEIVED


@pytest.mark.parametrize(
    ("make_headers", "code"),
    [
        (lambda pbx, body: {}, "phone_signature_missing"),
        (lambda pbx, body: pbx.headers(body, key="not-the-secret"), "phone_signature_invalid"),
        (
            lambda pbx, body: {**pbx.headers(body), "X-Suivi-Signature": "sha256=00ff"},
            "phone_signature_invalid",
        ),
        (lambda pbx, body: {**pbx.headers(body), "X-Suivi-Timestamp": "soon"}, None),
    ],
    ids=["missing", "wrong-key", "garbage", "timestamp-not-a-number"],
)
def test_an_unsigned_or_badly_signed_event_is_refused(office, pbx, make_headers, code):
    body = json.dumps({"id": "evt-x", "type": "call.ringing", "call_id": "c"}).encode()

    response = pbx.post_raw(body, headers=make_headers(pbx, body))

    assert response.status_code == 401
    assert response.json()["code"] == (code or "phone_signature_invalid")
    assert not InboundMessage.objects.exists()


def test_a_stale_timestamp_is_refused_even_when_signed_right(office, pbx, now):
    body = json.dumps({"id": "evt-old", "type": "call.ringing", "call_id": "c"}).encode()
    six_minutes_ago = int((now.advance(timedelta(0)) - timedelta(minutes=6)).timestamp())

    response = pbx.post_raw(body, headers=pbx.headers(body, timestamp=six_minutes_ago))

    assert response.status_code == 401
    assert response.json()["code"] == "phone_timestamp_stale"
    assert not InboundMessage.objects.exists()


def test_without_a_secret_the_endpoint_refuses_everything(office, pbx, settings):
    settings.SUIVI_PHONE_WEBHOOK_SECRET = ""
    body = b'{"id": "e", "type": "call.ringing", "call_id": "c"}'

    response = pbx.post_raw(body, headers=pbx.headers(body, key=SECRET))

    assert response.status_code == 401
    assert response.json()["code"] == "phone_not_configured"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"id": "e1", "type": "call.exploded", "call_id": "c"}',
        b'{"type": "call.ringing", "call_id": "c"}',
        b'{"id": "e1", "type": "call.ended", "call_id": "c", "duration_seconds": -3}',
        b'{"id": "e1", "type": "call.ended", "call_id": "c", "occurred_at": "2025-04-16T10:00"}',
        b"\xff\xfe",
    ],
    ids=["text", "array", "type", "no-id", "negative", "naive-time", "binary"],
)
def test_a_malformed_event_is_refused_with_a_stable_code(office, pbx, body):
    response = pbx.post_raw(body)

    assert response.status_code == 422
    assert response.json()["code"] == "phone_event_invalid"
    assert not InboundMessage.objects.exists()


def test_a_replayed_event_is_acknowledged_and_ignored(office, pbx):
    # given
    first = pbx.send("call.ended", call_id="call-r", id="evt-replay", queue_wait_seconds=40)

    # when the PBX delivers the same event again
    again = pbx.send("call.ended", call_id="call-r", id="evt-replay", queue_wait_seconds=40)

    # then
    assert first.json()["status"] == "accepted"
    assert again.status_code == 200
    assert again.json() == {**first.json(), "status": "duplicate"}
    assert InboundMessage.objects.filter(channel="phone").count() == 1
    assert len(_call_interactions(office.customer)) == 1
    assert Callback.objects.filter(customer=office.customer).count() == 1


def test_the_events_endpoint_is_rate_limited(office, pbx, settings):
    settings.SUIVI_PHONE_RATE_LIMIT = 2
    body = b'{"id": "e", "type": "call.ringing", "call_id": "c"}'
    pbx.post_raw(body)
    pbx.post_raw(body)

    response = pbx.post_raw(body)

    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert response["Retry-After"] == "60"


# --- The call's story -----------------------------------------------------------------


def test_an_answered_call_is_one_interaction_with_wait_duration_and_who_answered(
    office, pbx, rings, now
):
    # given the call rings for Marie
    pbx.send("call.ringing", advisor="201")
    call = PhoneCall.objects.get(call_id="call-1")
    assert rings == [
        {
            "advisor_id": office.marie.pk,
            "customer_id": office.customer.pk,
            "call_id": "call-1",
            "from_number": CALLER,
            "interaction_id": call.interaction_id,
        }
    ]

    # when she picks up after 12 s, then hangs up after 4 min 10 s
    now.advance(timedelta(seconds=12))
    pbx.send("call.answered", advisor="201", queue_wait_seconds=12)
    assert AdvisorPresence.objects.get(advisor=office.marie).status == "busy"
    now.advance(timedelta(seconds=250))
    pbx.send("call.ended", advisor="201", duration_seconds=250)

    # then
    call.refresh_from_db()
    assert (call.outcome, call.answered_by, call.queue_wait_seconds, call.duration_seconds) == (
        "answered",
        office.marie,
        12,
        250,
    )
    assert AdvisorPresence.objects.get(advisor=office.marie).status == "available"
    (interaction,) = _call_interactions(office.customer)
    assert (interaction.direction, interaction.case_id) == ("in", None)
    assert interaction.first_answered_at == call.answered_at
    assert interaction.occurred_at == call.started_at
    assert interaction.metadata["phone"]["answered_by"] == {
        "id": office.marie.pk,
        "name": "Marie Dupont",
    }
    assert "Marie Dupont" in interaction.text and "4 min 10 s" in interaction.text
    assert not Callback.objects.exists()


def test_the_end_of_a_call_does_not_override_a_presence_the_advisor_chose(office, pbx):
    from suivi.routing.services import presence_set

    pbx.send("call.answered", advisor="201")
    presence_set(advisor=office.marie, status="away")

    pbx.send("call.ended", advisor="201")

    assert AdvisorPresence.objects.get(advisor=office.marie).status == "away"


def test_an_unknown_number_becomes_a_customer_to_complete(office, pbx, team):
    # when
    pbx.send("call.ringing", advisor="202", **{"from": UNKNOWN})
    pbx.send("call.answered", advisor="202")

    # then
    identity = Identity.objects.get(kind="phone", value=UNKNOWN)
    customer = identity.customer
    assert customer.full_name == "+33 6 98 76 54 32"
    assert (customer.preferred_channel, customer.team_id) == ("phone", team.pk)
    call = PhoneCall.objects.get(call_id="call-1")
    assert call.customer_created and call.customer == customer
    (interaction,) = _call_interactions(customer)
    assert interaction.metadata["phone"]["customer_created"] is True
    assert Customer.objects.count() == 2  # one new customer for both events


@pytest.mark.parametrize("number", ["anonymous", "+999", ""])
def test_a_withheld_number_is_kept_but_has_no_file(office, pbx, number):
    response = pbx.send("call.ended", **{"from": number})

    assert response.status_code == 200
    call = PhoneCall.objects.get(call_id="call-1")
    assert (call.customer, call.outcome, call.callback) == (None, "missed", None)
    assert InboundMessage.objects.get().status == InboundMessage.Status.IGNORED
    assert not Interaction.objects.filter(channel="phone").exists()


# --- Missed calls become callbacks ------------------------------------------------------


def test_a_missed_call_is_a_callback_for_the_dedicated_advisor(office, pbx, now):
    # given the customer waited 95 s and hung up
    pbx.send("call.ringing", advisor="201")
    now.advance(timedelta(seconds=95))

    # when
    pbx.send("call.ended")

    # then
    call = PhoneCall.objects.select_related("callback").get(call_id="call-1")
    assert (call.outcome, call.queue_wait_seconds) == ("missed", 95)
    callback = call.callback
    assert callback is not None
    assert (callback.source, callback.assigned_to, callback.phone) == (
        "missed_call",
        office.marie,
        CALLER,
    )
    promise = Promise.objects.get(pk=callback.promise_id)
    assert (promise.status, promise.kind) == (Promise.Status.OPEN, Promise.Kind.CALLBACK)
    (interaction,) = _call_interactions(office.customer)
    assert interaction.metadata["phone"]["callback"] == callback.pk
    assert interaction.first_answered_at is None


def test_never_two_callbacks_for_one_call(office, pbx):
    # given a voicemail (the first event of the call), then the hang-up, then the PBX
    # sending the hang-up again
    pbx.send("call.voicemail")
    pbx.send("call.ended")
    pbx.send("call.ended")

    # then
    assert Callback.objects.count() == 1
    call = PhoneCall.objects.get(call_id="call-1")
    assert call.outcome == "voicemail"
    assert len(_call_interactions(office.customer)) == 1


def test_a_missed_call_goes_to_the_backup_when_the_advisor_is_absent(office, pbx, now):
    Absence.objects.create(
        advisor=office.marie,
        starts_at=now.advance(timedelta(0)) - timedelta(days=1),
        ends_at=now.advance(timedelta(0)) + timedelta(days=3),
    )

    pbx.send("call.ended", queue_wait_seconds=30)

    callback = Callback.objects.get()
    assert callback.assigned_to == office.lea
    # routing chose who calls back; it is not shown as the reason the phone rang
    assert "routing" not in Interaction.objects.get(channel="phone").metadata


def test_an_unanswered_outgoing_call_is_no_callback(office, pbx):
    pbx.send("call.ringing", direction="outbound", advisor="201", **{"from": "201", "to": CALLER})
    pbx.send("call.ended", direction="outbound", advisor="201", **{"from": "201", "to": CALLER})

    assert not Callback.objects.exists()
    (interaction,) = _call_interactions(office.customer)
    assert (interaction.direction, interaction.author_advisor) == ("out", office.marie)
    assert "no answer" in interaction.text or "pas de réponse" in interaction.text


def test_talk_time_on_the_hang_up_means_answered_whatever_the_order(office, pbx, now):
    # given the hang-up is processed before the pick-up (two workers, or a lost event)
    pbx.send("call.ringing", advisor="201")
    now.advance(timedelta(seconds=200))
    pbx.send("call.ended", advisor="201", duration_seconds=180)

    # when the pick-up arrives late
    pbx.send("call.answered", advisor="201", queue_wait_seconds=20)

    # then it was an answered call all along: no callback, and Marie is not left busy
    call = PhoneCall.objects.get(call_id="call-1")
    assert (call.outcome, call.answered_by, call.duration_seconds) == (
        "answered",
        office.marie,
        180,
    )
    assert call.queue_wait_seconds == 20
    assert not Callback.objects.exists()
    assert not AdvisorPresence.objects.filter(advisor=office.marie, status="busy").exists()


def test_a_timestamp_from_the_future_is_stale_too(office, pbx, now):
    body = json.dumps({"id": "evt-future", "type": "call.ringing", "call_id": "c"}).encode()
    in_six_minutes = int((now.advance(timedelta(0)) + timedelta(minutes=6)).timestamp())

    response = pbx.post_raw(body, headers=pbx.headers(body, timestamp=in_six_minutes))

    assert (response.status_code, response.json()["code"]) == (401, "phone_timestamp_stale")
