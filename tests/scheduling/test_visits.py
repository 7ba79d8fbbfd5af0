from datetime import timedelta

import pytest

from suivi.conversations.models import Case, Interaction
from suivi.promises.models import Promise
from suivi.scheduling import assets, reception, services, visits
from suivi.scheduling.errors import VisitNotOpen
from suivi.scheduling.models import Appointment, AssetLink, Callback

from .conftest import at


def test_visit_becomes_an_interaction_with_observation_and_callback(
    clock_hand, shop, repair, technician, customer
):
    # given a checked-in customer whose phone we know
    phone = assets.asset_create(customer=customer, model="iPhone 13", serial_number="f2l xk1")
    appointment = services.appointment_book(
        customer=customer, location=shop, appointment_type=repair, starts_at=at(3, 10)
    )
    clock_hand.advance(timedelta(hours=2))
    visit = reception.appointment_check_in(appointment=appointment)
    visit = reception.visit_call_next(location=shop, advisor=technician)

    # when the advisor records the visit, keeps the phone and schedules the callback
    outcome = visits.visit_record(
        visit=visit,
        advisor=technician,
        notes="Écran fissuré, batterie OK. Gardé pour remplacement de l’écran.",
        asset=phone,
        observation=visits.Observation("iPhone 13 : remplacement de l’écran", at(5, 18)),
        callback=visits.CallbackRequest(at(5, 9), at(5, 12), "Dire que l’iPhone est prêt"),
    )

    # then the visit is an interaction on a new case
    interaction = outcome.interaction
    assert interaction.channel == "visit" and interaction.author_advisor == technician
    assert interaction.case == outcome.case and outcome.case.customer == customer
    assert Appointment.objects.get(pk=appointment.pk).status == "done"
    assert Appointment.objects.get(pk=appointment.pk).case_id == outcome.case.pk
    # the item in observation is a promise due when it should be back
    assert outcome.observation.kind == Promise.Kind.IN_OBSERVATION
    assert outcome.observation.due_at == at(5, 18)
    # the callback is scheduled with its promise, due at the end of the window
    callback = Callback.objects.get(customer=customer)
    assert callback.promise.kind == Promise.Kind.CALLBACK and callback.promise.due_at == at(5, 12)
    assert callback.case == outcome.case
    # and the phone's service record shows the case, the visit and the appointment
    kinds = {line.kind for line in AssetLink.objects.filter(asset=phone)}
    assert kinds == {"case", "interaction", "appointment"}
    with pytest.raises(VisitNotOpen):
        visits.visit_record(visit=visit, advisor=technician, notes="encore")


def test_walk_in_unknown_becomes_a_customer(clock_hand, shop, technician):
    clock_hand.advance(timedelta(hours=2))
    visit = reception.walk_in_add(
        location=shop, name="Marc Lefèvre", reason="Forfait", email="marc@example.org"
    )
    outcome = visits.visit_record(visit=visit, advisor=technician, notes="Forfait expliqué.")
    assert outcome.case.customer.full_name == "Marc Lefèvre"
    assert outcome.case.subject == "Visite : Forfait" or "Forfait" in outcome.case.subject
    assert Interaction.objects.filter(case=outcome.case, channel="visit").count() == 1
    assert Case.objects.count() == 1
