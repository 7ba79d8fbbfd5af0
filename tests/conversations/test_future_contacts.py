from datetime import timedelta

import pytest

from suivi.conversations.models import Interaction
from suivi.conversations.services import InvalidInteraction
from suivi.core import clock
from tests import builders

pytestmark = pytest.mark.django_db


def test_a_contact_dated_in_the_future_is_refused(advisor):
    case = builders.case(customer=builders.customer(advisor=advisor))

    with pytest.raises(InvalidInteraction):
        builders.inbound(case, occurred_at=clock.now() + timedelta(hours=1))

    assert not Interaction.objects.exists()


def test_a_few_minutes_of_clock_drift_are_accepted(advisor):
    case = builders.case(customer=builders.customer(advisor=advisor))

    interaction = builders.inbound(case, occurred_at=clock.now() + timedelta(minutes=2))

    assert interaction.pk is not None
