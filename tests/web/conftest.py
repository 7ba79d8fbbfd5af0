from datetime import timedelta

import pytest
from django.test import Client

from suivi.conversations.models import Case
from suivi.core import clock
from suivi.customers.models import Customer
from suivi.people.models import Advisor
from tests import builders

FIVE_CHANNELS = ("email", "phone", "chat", "sms", "visit")


@pytest.fixture
def web(advisor: Advisor) -> Client:
    """A browser-like client logged in as the advisor."""
    client = Client()
    client.force_login(advisor.user)
    return client


@pytest.fixture
def web_as():
    def login(advisor: Advisor, **kwargs) -> Client:
        client = Client(**kwargs)
        client.force_login(advisor.user)
        return client

    return login


@pytest.fixture
def customer(advisor: Advisor) -> Customer:
    return builders.customer(
        given_name="Hélène",
        family_name="Durand",
        address_as="Mme Durand",
        advisor=advisor,
        email="helene.durand@example.org",
        phone="+33612345678",
    )


@pytest.fixture
def case(customer: Customer) -> Case:
    return builders.case(
        customer=customer, subject="Facture incorrecte", summary="Double prélèvement"
    )


def history(case: Case, advisor: Advisor, count: int) -> None:
    """`count` interactions an hour apart, alternating over five channels, oldest first."""
    start = clock.now() - timedelta(hours=count + 1)
    for i in range(count):
        channel = FIVE_CHANNELS[i % len(FIVE_CHANNELS)]
        when = start + timedelta(hours=i)
        if i % 2:
            builders.answer(case, advisor, text=f"message {i}", channel=channel, occurred_at=when)
        else:
            builders.inbound(case, text=f"message {i}", channel=channel, occurred_at=when)
