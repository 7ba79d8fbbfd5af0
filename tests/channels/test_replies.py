"""Answering by e-mail (API and case page), delivery retries, and the admin pages."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.test import Client

from suivi.channels.email import addresses, outgoing
from suivi.channels.models import EmailAttachment, InboundMessage
from suivi.conversations.models import Case, Interaction
from suivi.core import clock
from suivi.promises.models import Promise
from tests import builders

from .email.conftest import read

MAIL = (
    "From: Hélène Durand <helene@example.org>\r\nTo: support@suivi.localhost\r\n"
    "Subject: Facture\r\nMessage-ID: <first@example.org>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nMa facture est fausse.\r\n"
)


@pytest.fixture
def case(deliver, advisor):
    builders.customer(
        given_name="Hélène", family_name="Durand", email="helene@example.org", advisor=advisor
    )
    message = deliver(MAIL)
    mail.outbox.clear()
    return Case.objects.get(pk=message.case_id)


def test_api_reply_sends_a_threaded_email_and_keeps_the_first_answer_promise(
    api, case, django_capture_on_commit_callbacks
):
    # when the advisor answers through the API
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/cases/{case.pk}/replies", {"channel": "email", "body": "Nous corrigeons."}
        )

    # then the e-mail went out, threaded, with the signed reply address
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["to"] == "helene@example.org"
    (sent,) = mail.outbox
    assert sent.to == ["helene@example.org"]
    assert sent.extra_headers["In-Reply-To"] == "<first@example.org>"
    assert "<first@example.org>" in sent.extra_headers["References"]
    assert sent.extra_headers["Message-ID"] == f"<{body['message_id']}>"
    assert sent.reply_to == [addresses.reply_address(case.pk)]
    assert f"[Réf. {case.pk}]" in sent.subject  # the customer writes in French
    interaction = Interaction.objects.get(pk=body["interaction_id"])
    assert interaction.direction == "out" and interaction.metadata["delivery"]["status"] == "sent"
    case.refresh_from_db()
    assert case.awaiting_reply_since is None
    assert Promise.objects.get(case=case, kind="first_answer").status == "kept"


def test_api_refuses_another_channel(api, case):
    response = api.post(f"/api/v1/cases/{case.pk}/replies", {"channel": "sms", "body": "x"})

    assert response.status_code == 422


def test_api_reply_to_an_invisible_case_is_not_found(api_as, outsider, case):
    response = api_as(outsider).post(
        f"/api/v1/cases/{case.pk}/replies", {"channel": "email", "body": "x"}
    )

    assert response.status_code == 404


def test_the_customers_answer_to_our_reply_lands_on_the_case(
    case, advisor, deliver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = outgoing.reply(case=case, by=advisor, body="Quel numéro ?")
    answer = (
        f"From: helene@example.org\r\nTo: {sent.reply_to}\r\nSubject: Re: Facture\r\n"
        f"Message-ID: <answer@example.org>\r\nIn-Reply-To: <{sent.message_id}>\r\n\r\n"
        "Le numéro 42.\r\n"
    )

    message = deliver(answer, rcpt_tos=[sent.reply_to])

    assert message.case_id == case.pk
    assert message.outcome == "token"


class _Down:
    """A mail backend whose relay is unreachable."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("relay unreachable")


def test_a_failed_send_is_retried_with_backoff_and_shown(
    case, advisor, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}._Down"
    start = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    with clock.frozen_at(start) as hand:
        with django_capture_on_commit_callbacks(execute=True):
            sent = outgoing.reply(case=case, by=advisor, body="Nous corrigeons.")
        sent.refresh_from_db()
        assert (sent.status, sent.attempts) == ("pending", 1)
        assert sent.next_attempt_at == start + timedelta(minutes=1)
        assert "relay unreachable" in sent.last_error
        delivery = Interaction.objects.get(pk=sent.interaction_id).metadata["delivery"]
        assert delivery["status"] == "pending" and "relay unreachable" in delivery["error"]

        for attempt in range(2, outgoing.SEND_ATTEMPTS + 1):
            hand.advance(timedelta(hours=3))
            assert outgoing.send_due() == 1
            sent.refresh_from_db()
            assert sent.attempts == attempt

    assert sent.status == "failed"
    assert (
        Interaction.objects.get(pk=sent.interaction_id).metadata["delivery"]["status"] == "failed"
    )

    # when the relay is back, nothing is sent again by itself (a person decides)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outgoing.send_due() == 0


def test_case_page_composer_sends_the_answer(
    client: Client, advisor, case, django_capture_on_commit_callbacks
):
    client.force_login(advisor.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/{case.pk}/reply/", {"body": "Nous corrigeons."})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    fragment = client.get(f"/cases/{case.pk}/email/")
    assert fragment.status_code == 200
    assert "helene@example.org" in fragment.content.decode()


def test_inbound_page_is_for_admins_only(client: Client, advisor, admin, db):
    message, _ = InboundMessage.objects.get_or_create(
        channel="email", external_id="x", defaults={
            "raw": b"x", "size": 1, "received_at": clock.now(), "status": "needs_attention",
            "last_error": "KeyError: boom",
        },
    )  # fmt: skip

    client.force_login(advisor.user)
    assert client.get("/inbound/").status_code == 403

    client.force_login(admin.user)
    page = client.get("/inbound/")
    assert page.status_code == 200
    assert "KeyError: boom" in page.content.decode()
    replay = client.post(f"/inbound/{message.pk}/replay/")
    assert replay.status_code == 302


def test_attachments_are_downloaded_never_rendered(client: Client, advisor, deliver):
    builders.customer(given_name="Luc", family_name="Moreau", email="luc.moreau@example.org",
                      advisor=advisor)  # fmt: skip
    deliver(read("22_svg_attachment.eml"))
    svg = EmailAttachment.objects.get(filename="logo.svg")
    client.force_login(advisor.user)

    response = client.get(f"/attachments/{svg.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_raw_message_is_one_click_away_for_those_who_see_the_case(
    client: Client, advisor, outsider, case
):
    message = InboundMessage.objects.get(case=case)

    client.force_login(advisor.user)
    raw = client.get(f"/inbound/{message.pk}/raw/")
    assert raw.status_code == 200
    assert raw["Content-Type"] == "text/plain; charset=utf-8"
    assert "Ma facture est fausse." in raw.content.decode()

    client.force_login(outsider.user)
    assert client.get(f"/inbound/{message.pk}/raw/").status_code == 404


def test_answers_committed_together_wake_one_sending_drain(case, advisor, settings):
    from django_tasks_db.models import DBTaskResult

    from suivi.channels.models import OutboundEmail

    # given the database task backend (what production runs)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    # when three answers are committed, each waking the sending drain
    for n in range(3):
        outgoing.reply(case=case, by=advisor, body=f"Réponse {n}")
        outgoing._wake()  # what each commit runs

    # then one drain waits, and it sends them all, oldest first, keeping their metadata
    waiting = DBTaskResult.objects.ready().filter(task_path="suivi.channels.tasks.send_pending")
    assert waiting.count() == 1
    assert outgoing.send_pending() == 3
    assert [m.body for m in mail.outbox] == ["Réponse 0", "Réponse 1", "Réponse 2"]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
    for interaction in Interaction.objects.filter(direction="out"):
        assert interaction.metadata["delivery"] == {"status": "sent", "attempts": 1, "error": ""}
        assert interaction.metadata["email"]["to"] == "helene@example.org"


def test_the_sending_drain_leaves_failed_sends_to_their_retry(
    case, advisor, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}._Down"
    with django_capture_on_commit_callbacks(execute=True):
        sent = outgoing.reply(case=case, by=advisor, body="Nous corrigeons.")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    # when a later drain runs, even once the retry is due
    with clock.frozen_at(clock.now() + timedelta(hours=1)):
        assert outgoing.send_pending() == 0

    # then the failed e-mail waits for send_due (its retry), not for any drain
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == ("pending", 1)


class _Picky(locmem.EmailBackend):
    """An in-memory relay that counts its connections and refuses one recipient."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()

    def send_messages(self, messages):
        if any("refuse" in address for message in messages for address in message.to):
            raise ConnectionRefusedError("recipient refused")
        return super().send_messages(messages)


@pytest.mark.postgresql
def test_the_sending_drain_sends_a_batch_over_one_connection(case, advisor, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from suivi.channels.models import OutboundEmail

    # given three answers waiting, the second to an address the relay refuses
    settings.EMAIL_BACKEND = f"{__name__}._Picky"
    _Picky.opened = 0
    emails = []
    for n in range(3):
        emails.append(outgoing.reply(case=case, by=advisor, body=f"Réponse {n}"))
    OutboundEmail.objects.filter(pk=emails[1].pk).update(to_address="refuse@example.org")

    # when one drain runs
    with CaptureQueriesContext(connection) as queries:
        assert outgoing.send_pending() == 3

    # then the relay was greeted once, the two others went out and say so
    assert _Picky.opened == 1
    assert [m.body for m in mail.outbox] == ["Réponse 0", "Réponse 2"]
    statuses = dict(OutboundEmail.objects.values_list("pk", "status"))
    assert [statuses[e.pk] for e in emails] == ["sent", "pending", "sent"]
    delivery = {i.pk: i.metadata["delivery"] for i in Interaction.objects.filter(direction="out")}
    assert delivery[emails[0].interaction_id] == {"status": "sent", "attempts": 1, "error": ""}
    assert delivery[emails[1].interaction_id]["status"] == "pending"
    assert "recipient refused" in delivery[emails[1].interaction_id]["error"]
    # one claim, the failure's two updates, two updates for both sent ones
    assert len(queries.captured_queries) == 5, [q["sql"] for q in queries.captured_queries]
