from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from suivi.core.clock import frozen_at
from tests import builders

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


MONDAY_10 = paris(2026, 3, 2, 10)


@pytest.fixture
def lead(team):
    lead = builders.advisor(team=team, name="Claire Lefèvre (lead)")
    team.lead = lead
    team.save(update_fields=["lead"])
    return lead


@pytest.fixture
def customer(advisor, team):
    return builders.customer(
        given_name="Hélène", advisor=advisor, team=team, address_as="Mme Durand",
        preferred_channel="email", email="helene@example.org",
    )  # fmt: skip


@pytest.fixture
def clock_hand():
    with frozen_at(MONDAY_10) as hand:
        yield hand
