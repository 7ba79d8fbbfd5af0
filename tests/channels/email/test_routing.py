"""Inbound e-mail goes through the routing service: who answers, and why, on the record."""

from datetime import timedelta

import pytest
from django.core import mail

from suivi.conversations.models import Case, Handoff, Interaction
from suivi.core import clock
from suivi.people import services as people
from suivi.people.models import Absence
from suivi.routing.models import RoutingDecision
from tests import builders

from .test_threading import email


@pytest.fixture
def backup(team, advisor):
    other = builders.advisor(team=team, name="Chloé Petit")
    people.advisor_set_backup(advisor=advisor, backup=other)
    return other


@pytest.fixture
def customer(advisor):
    return builders.customer(
        given_name="Hélène", family_name="Durand", email="helene@example.org", advisor=advisor
    )


def away_for_a_week(advisor):
    start = clock.now() - timedelta(hours=1)
    Absence.objects.create(advisor=advisor, starts_at=start, ends_at=start + timedelta(days=7))


def test_a_new_case_goes_to_the_dedicated_advisor_and_says_why(deliver, customer, advisor):
    message = deliver(email())

    case = Case.objects.get(pk=message.case_id)
    decision = RoutingDecision.objects.get()
    assert case.owner == advisor
    assert (decision.case, decision.advisor, decision.channel) == (case, advisor, "email")
    interaction = Interaction.objects.get(pk=message.interaction_id)
    assert interaction.metadata["routing"]["code"] == "dedicated_advisor"
    assert interaction.metadata["routing"]["decision"] == decision.pk


def test_an_absent_advisor_s_customer_is_answered_by_the_backup(deliver, customer, advisor, backup):
    away_for_a_week(advisor)

    message = deliver(email())

    case = Case.objects.get(pk=message.case_id)
    assert case.owner == backup
    assert Interaction.objects.get(pk=message.interaction_id).metadata["routing"]["code"] == (
        "backup"
    )
    # The acknowledgement names who will really answer.
    assert backup.display_name in mail.outbox[0].body


def test_a_reply_to_a_case_whose_owner_is_absent_is_handed_over_with_context(
    deliver, customer, advisor, backup
):
    first = deliver(email())
    case = Case.objects.get(pk=first.case_id)
    case.summary = "Facture de mars en double ; avoir promis."
    case.save(update_fields=["summary"])
    away_for_a_week(advisor)

    second = deliver(email(subject="Re: Facture", message_id="m2@example.org"))

    assert second.case_id == case.pk
    case.refresh_from_db()
    assert case.owner == backup
    handoff = Handoff.objects.get(case=case)
    assert (handoff.from_advisor, handoff.to_advisor, handoff.by) == (advisor, backup, None)
    assert "Facture de mars en double" in handoff.context_note
    assert advisor.display_name in handoff.context_note


def test_a_reply_stays_with_the_owner_who_is_present(deliver, customer, advisor, backup):
    first = deliver(email())

    deliver(email(subject="Re: Facture", message_id="m2@example.org"))

    assert Case.objects.get(pk=first.case_id).owner == advisor
    assert not Handoff.objects.exists()
    assert RoutingDecision.objects.filter(reason_code="case_owner").count() == 1


def test_the_timeline_says_who_answers_and_why(deliver, customer, advisor, backup, client):
    away_for_a_week(advisor)
    deliver(email())
    client.force_login(backup.user)

    page = client.get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="fr")

    assert page.status_code == 200
    text = page.content.decode()
    assert "routing-reason" in text
    assert f"suppléant {backup.display_name}" in text
