"""Every e-mail of the corpus, processed end to end, gives its expected outcome."""

import pytest

from suivi.channels.models import EmailAttachment, InboundMessage, OutboundEmail
from suivi.conversations.models import Case, Interaction
from suivi.customers.models import Customer, Identity

from .conftest import CORPUS, read
from .corpus_expected import CORPUS as EXPECTED


def test_every_corpus_file_has_an_expectation():
    files = {path.name for path in CORPUS.glob("*.eml")}
    assert len(files) >= 40
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_message(name, deliver, settings, db):
    # given a limit on attachments that one corpus file exceeds
    settings.SUIVI_EMAIL_MAX_ATTACHMENT_BYTES = 50_000
    expected = EXPECTED[name]

    # when the message is delivered and processed
    message = deliver(read(name))

    # then
    assert message.status == expected.get("status", "done"), message.last_error
    if expected.get("customer") is None:
        assert not Customer.objects.exists()
        assert not Case.objects.exists()
        assert not OutboundEmail.objects.exists()
        return
    identity = Identity.objects.select_related("customer").get(
        kind="email", value=expected["customer"]
    )
    customer = identity.customer
    assert message.customer_id == customer.pk
    if "name" in expected:
        assert (customer.given_name, customer.family_name) == expected["name"]
    if "language" in expected:
        assert customer.language == expected["language"]
    case = Case.objects.get(pk=message.case_id)
    if "subject" in expected:
        assert case.subject == expected["subject"]
    interaction = Interaction.objects.get(pk=message.interaction_id)
    assert interaction.direction == "in" and interaction.channel == "email"
    for text in expected.get("visible", []):
        assert text in interaction.text
    for text in expected.get("hidden", []):
        assert text not in interaction.text
    for text in expected.get("html", []):
        assert text in interaction.html
    for text in expected.get("html_not", []):
        assert text not in interaction.html
    stored = {
        a.filename: a.refused for a in EmailAttachment.objects.filter(interaction=interaction)
    }
    assert stored == expected.get("attachments", {})
    # A new case from a person is acknowledged once.
    assert OutboundEmail.objects.filter(case=case, kind="ack").count() == 1
    assert InboundMessage.objects.count() == 1
