"""Threading and routing of inbound e-mail, acknowledgements, and robots kept out."""

import pytest
from django.core import mail

from suivi.channels.email import addresses
from suivi.channels.models import EmailMessageId, InboundMessage, OutboundEmail
from suivi.conversations.models import Case, Interaction
from suivi.customers.models import Customer
from tests import builders


def email(
    *,
    sender: str = "Hélène Durand <helene@example.org>",
    to: str = "support@suivi.localhost",
    subject: str = "Facture",
    body: str = "Bonjour, ma facture est fausse.",
    message_id: str = "m1@example.org",
    headers: str = "",
) -> str:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{message_id}>\r\n{headers}"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n"
    )


@pytest.fixture
def customer(advisor):
    return builders.customer(
        given_name="Hélène", family_name="Durand", email="helene@example.org", advisor=advisor
    )


def test_a_known_sender_gets_a_new_case_owned_by_their_advisor(deliver, customer, advisor):
    message = deliver(email())

    case = Case.objects.get(pk=message.case_id)
    assert message.outcome == "new_case"
    assert case.customer == customer
    assert case.owner == advisor
    assert case.awaiting_reply_since is not None


def test_an_unknown_sender_becomes_a_customer(deliver, db):
    message = deliver(email(sender="Nouveau Client <nouveau@example.org>"))

    customer = Customer.objects.get(pk=message.customer_id)
    assert (customer.given_name, customer.family_name) == ("Nouveau", "Client")
    assert customer.preferred_channel == "email"


def test_the_acknowledgement_names_the_customer_and_the_advisor(deliver, customer, advisor):
    deliver(email())

    (sent,) = mail.outbox
    assert sent.to == ["helene@example.org"]
    assert "Hélène Durand" in sent.body
    assert advisor.display_name in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    assert sent.reply_to[0].startswith("support+c")
    ack = OutboundEmail.objects.get()
    assert ack.kind == "ack" and ack.status == "sent"
    # The acknowledgement is on the timeline, and does not count as an answer.
    interaction = ack.interaction
    assert interaction.direction == "out" and interaction.author_kind == "system"
    assert interaction.metadata["delivery"]["status"] == "sent"
    assert Case.objects.get().awaiting_reply_since is not None


def test_acknowledgements_are_written_in_the_customers_language(deliver, advisor):
    builders.customer(
        given_name="John", family_name="Smith", email="john@example.com", language="en"
    )
    deliver(email(sender="john@example.com", subject="Invoice"))

    assert "We have received your message" in mail.outbox[0].body


def test_acknowledgements_are_rate_limited_per_sender(deliver, customer, settings):
    settings.SUIVI_EMAIL_ACKS_PER_HOUR = 2
    for n in range(4):
        deliver(email(subject=f"Sujet différent {n}", message_id=f"m{n}@example.org"))

    assert Case.objects.count() == 4
    assert len(mail.outbox) == 2


def test_a_reply_to_the_signed_address_continues_the_case(deliver, customer):
    first = deliver(email())
    token_address = addresses.reply_address(first.case_id)

    # even from another address and with another subject
    second = deliver(
        email(
            sender="helene.work@example.com",
            to=token_address,
            subject="autre chose",
            message_id="m2@example.org",
        ),
        rcpt_tos=[token_address],
    )

    assert second.outcome == "token"
    assert second.case_id == first.case_id
    assert Case.objects.count() == 1
    assert not Customer.objects.filter(identities__value="helene.work@example.com").exists()


def test_a_forged_token_is_not_believed(deliver, customer):
    first = deliver(email())
    forged = f"support+c{first.case_id}-aaaaaaaaaa@suivi.localhost"

    other = deliver(
        email(sender="intruder@example.net", to=forged, message_id="m2@example.org"),
        rcpt_tos=[forged],
    )

    assert other.case_id != first.case_id
    assert other.outcome == "new_case"


def test_in_reply_to_one_of_our_replies_continues_the_case(deliver, customer):
    first = deliver(email())
    ack = OutboundEmail.objects.get()

    second = deliver(
        email(
            subject="Réponse",
            message_id="m2@example.org",
            headers=f"In-Reply-To: <{ack.message_id}>\r\n",
        )
    )

    assert second.outcome == "in_reply_to"
    assert second.case_id == first.case_id


def test_references_to_a_message_received_continue_the_case(deliver, customer):
    first = deliver(email())

    second = deliver(
        email(
            subject="Encore",
            message_id="m2@example.org",
            headers="References: <unknown@x> <m1@example.org>\r\n",
        )
    )

    assert second.case_id == first.case_id
    assert EmailMessageId.objects.filter(message_id="m2@example.org").exists()


def test_a_reference_in_the_subject_continues_the_case(deliver, customer):
    first = deliver(email())

    second = deliver(
        email(subject=f"Toujours rien [Réf. {first.case_id}]", message_id="m2@example.org")
    )

    assert second.outcome == "subject_ref"
    assert second.case_id == first.case_id


def test_a_reference_to_another_customers_case_is_ignored(deliver, customer):
    other = builders.case(customer=builders.customer())

    message = deliver(email(subject=f"Voir [Réf. {other.pk}]", message_id="m2@example.org"))

    assert message.case_id != other.pk


def test_the_same_topic_soon_after_continues_the_case(deliver, customer):
    first = deliver(email(subject="Facture de mars"))

    second = deliver(email(subject="RE: TR: facture de  Mars", message_id="m2@example.org"))

    assert second.outcome == "topic"
    assert second.case_id == first.case_id


def test_a_closed_case_is_not_continued(deliver, customer, advisor):
    first = deliver(email())
    Case.objects.filter(pk=first.case_id).update(status=Case.Status.CLOSED)

    second = deliver(
        email(message_id="m2@example.org", headers="In-Reply-To: <m1@example.org>\r\n")
    )

    assert second.case_id != first.case_id
    assert second.outcome == "new_case"


def test_an_auto_reply_on_a_case_is_a_note_and_never_acknowledged(deliver, customer):
    # given a case, and our acknowledgement that went out
    first = deliver(email())
    ack = OutboundEmail.objects.get()
    mail.outbox.clear()

    # when the customer's out-of-office answers our acknowledgement
    message = deliver(
        email(
            subject="Absente",
            body="Je suis absente.",
            message_id="oof@example.org",
            headers=f"Auto-Submitted: auto-replied\r\nIn-Reply-To: <{ack.message_id}>\r\n",
        )
    )

    # then it is recorded on the case as a note, nothing is sent, nothing waits
    assert message.status == InboundMessage.Status.IGNORED
    assert message.case_id == first.case_id
    note = Interaction.objects.get(pk=message.interaction_id)
    assert note.direction == "internal" and note.author_kind == "system"
    assert mail.outbox == []
    assert Case.objects.count() == 1


def test_two_robots_never_loop(deliver, db):
    # A robot writes to us, we never answer it, so it has nothing to answer in turn.
    for n in range(3):
        deliver(
            email(
                sender="noreply@robot.example",
                message_id=f"r{n}@robot.example",
                headers="Auto-Submitted: auto-generated\r\n",
            )
        )

    assert mail.outbox == []
    assert not Customer.objects.exists()


def test_a_duplicate_delivery_records_one_interaction(deliver, customer):
    deliver(email())
    deliver(email())

    assert InboundMessage.objects.count() == 1
    assert Interaction.objects.filter(direction="in").count() == 1


def test_the_acknowledgement_gives_the_first_answer_promise_due_time(deliver, customer):
    from django.utils import formats, timezone, translation

    from suivi.promises.models import Promise

    deliver(email())

    promise = Promise.objects.get(kind="first_answer", status="open")
    with translation.override("fr"):
        when = formats.date_format(timezone.localtime(promise.due_at), "DATETIME_FORMAT")
    assert when in mail.outbox[0].body


@pytest.mark.parametrize("known", [True, False])
def test_the_acknowledgement_of_a_new_case_answers_the_message(deliver, advisor, known):
    if known:
        builders.customer(given_name="Hélène", family_name="Durand", email="helene@example.org")

    message = deliver(email())

    assert message.outcome == "new_case"
    ack = OutboundEmail.objects.get(case_id=message.case_id)
    assert ack.in_reply_to == "<m1@example.org>"
    assert ack.references == "<m1@example.org>"


def test_the_acknowledgement_of_a_message_without_message_id_has_no_thread_headers(deliver, db):
    raw = email().replace("Message-ID: <m1@example.org>\r\n", "")

    message = deliver(raw)

    ack = OutboundEmail.objects.get(case_id=message.case_id)
    assert (ack.in_reply_to, ack.references) == ("", "")


def test_a_new_sender_writing_again_on_the_same_topic_continues_the_case(deliver, db):
    first = deliver(email())
    second = deliver(email(message_id="m2@example.org"))

    assert first.outcome == "new_case"
    assert second.outcome == "topic"
    assert second.case_id == first.case_id
    assert Customer.objects.count() == 1
