from datetime import timedelta

import pytest
from django.test import Client

from suivi.conversations.models import Interaction
from suivi.promises.models import Promise
from suivi.scheduling import callbacks, visits
from suivi.scheduling.errors import CallbackNotOpen
from suivi.scheduling.models import Callback
from tests import builders

from .conftest import at


@pytest.fixture
def callback(clock_hand, customer, advisor):
    case = builders.case(customer=customer)
    return visits.callback_schedule(
        customer=customer,
        case=case,
        request=visits.CallbackRequest(at(3, 14), at(3, 16), "Confirmer le remboursement"),
        by=advisor,
    )


def test_completing_a_callback_records_the_call_and_keeps_the_promise(
    clock_hand, callback, advisor
):
    # given the callback is due this afternoon; when the advisor calls at 15:00
    clock_hand.advance(at(3, 15) - clock_hand.advance(timedelta(0)))
    interaction = callbacks.callback_complete(
        callback=callback, by=advisor, note="Remboursement confirmé, virement jeudi."
    )

    # then the call is on the case's timeline and the promise is kept by it
    assert (interaction.channel, interaction.direction) == ("phone", "out")
    assert interaction.case_id == callback.case_id
    promise = Promise.objects.get(pk=callback.promise_id)
    assert promise.status == Promise.Status.KEPT
    assert promise.kept_by_id == interaction.pk
    assert Callback.objects.get(pk=callback.pk).status == Callback.Status.DONE


def test_a_callback_is_made_once(clock_hand, callback, advisor):
    callbacks.callback_complete(callback=callback, by=advisor, note="Fait")

    with pytest.raises(CallbackNotOpen):
        callbacks.callback_complete(callback=callback, by=advisor, note="Encore")

    assert Interaction.objects.filter(metadata__callback_id=callback.pk).count() == 1


def test_a_late_callback_is_done_but_its_promise_counts_as_broken(clock_hand, callback, advisor):
    clock_hand.advance(at(3, 18) - clock_hand.advance(timedelta(0)))

    callbacks.callback_complete(callback=callback, by=advisor, note="Désolé du retard")

    assert Promise.objects.get(pk=callback.promise_id).status == Promise.Status.BROKEN
    assert Callback.objects.get(pk=callback.pk).status == Callback.Status.DONE


def test_the_customer_page_lists_callbacks_and_records_one(clock_hand, callback, advisor):
    client = Client()
    client.force_login(advisor.user)

    page = client.get(f"/customers/{callback.customer_id}/").content.decode()
    response = client.post(f"/callbacks/{callback.pk}/complete/", {"note": "Client rassuré"})

    assert "Confirmer le remboursement" in page
    assert response.status_code == 302
    assert Interaction.objects.get(metadata__callback_id=callback.pk).text == "Client rassuré"


def test_an_outsider_cannot_complete_a_callback(clock_hand, callback, outsider):
    client = Client()
    client.force_login(outsider.user)

    response = client.post(f"/callbacks/{callback.pk}/complete/", {"note": "x"})

    assert response.status_code == 404
    assert Callback.objects.get(pk=callback.pk).status == Callback.Status.REQUESTED
