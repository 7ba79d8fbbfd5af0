"""Recording a visit in one step: the diagnosis as an interaction on a case, the item
left "in observation" as a promise, and the follow-up callback with its promise."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from suivi.conversations import services as conversations
from suivi.conversations.models import Case, Interaction
from suivi.core import clock
from suivi.core.errors import InvalidInput
from suivi.core.vocabulary import Channel
from suivi.customers.models import Customer
from suivi.people.models import Advisor
from suivi.promises.models import Promise
from suivi.promises.services import promise_make

from .assets import asset_link
from .callbacks import callback_request
from .errors import VisitNotOpen
from .models import Appointment, Asset, Callback, Visit
from .services import ContactDetails, customer_for_booking


@dataclass(frozen=True)
class Observation:
    what: str  # "iPhone 13, screen: diagnosis in the workshop"
    expected_back_at: datetime


@dataclass(frozen=True)
class CallbackRequest:
    window_starts_at: datetime
    window_ends_at: datetime
    reason: str
    phone: str = ""


@dataclass(frozen=True)
class VisitOutcome:
    visit: Visit
    case: Case
    interaction: Interaction
    observation: Promise | None
    callback: Callback | None


def _customer_of(visit: Visit) -> Customer:
    if visit.customer is not None:
        return visit.customer
    # A walk-in we did not know: they become a customer now, from what reception noted.
    given, _sep, family = visit.name.partition(" ")
    if visit.contact_email or visit.contact_phone:
        return customer_for_booking(
            contact=ContactDetails(given, family, visit.contact_email, visit.contact_phone)
        )
    from suivi.customers.services import customer_create

    return customer_create(given_name=given, family_name=family)


def _case_for(visit: Visit, customer: Customer, advisor: Advisor) -> Case:
    appointment = visit.appointment
    if appointment is not None and appointment.case is not None and appointment.case.is_active:
        return appointment.case
    with translation.override(customer.language):
        topic = appointment.appointment_type.label() if appointment else visit.reason
        subject = _("Visit: %(topic)s") % {"topic": topic or visit.location.name}
    return conversations.case_open(customer=customer, subject=subject[:200], by=advisor)


def callback_schedule(
    *,
    customer: Customer,
    request: CallbackRequest,
    case: Case | None = None,
    by: Advisor | None = None,
) -> Callback:
    """A call promised within a window by the advisor who saw the customer: they make
    it themselves (see `callbacks.callback_request`)."""
    return callback_request(
        customer=customer,
        reason=request.reason,
        phone=request.phone,
        case=case,
        window_starts_at=request.window_starts_at,
        window_ends_at=request.window_ends_at,
        created_by=by,
        source=Callback.Source.VISIT,
        assign_to=by,
    )


@transaction.atomic
def visit_record(
    *,
    visit: Visit,
    advisor: Advisor,
    notes: str,
    asset: Asset | None = None,
    observation: Observation | None = None,
    callback: CallbackRequest | None = None,
) -> VisitOutcome:
    """Close the visit with the diagnosis notes, on the appointment's case or a new one."""
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related(
            "location",
            "customer",
            "appointment",
            "appointment__case",
            "appointment__appointment_type",
        )
        .get(pk=visit.pk)
    )
    if visit.status not in (Visit.Status.WAITING, Visit.Status.CALLED):
        raise VisitNotOpen(visit_id=visit.pk)
    if not notes.strip():
        raise InvalidInput(_("Write what was seen and done during the visit."), field="notes")
    customer = _customer_of(visit)
    if asset is not None and asset.customer_id != customer.pk:
        raise InvalidInput(_("This asset belongs to another customer."), field="asset")
    case = _case_for(visit, customer, advisor)
    moment = clock.now()
    interaction = conversations.interaction_record(
        case=case,
        channel=Channel.VISIT,
        direction=Interaction.Direction.OUTBOUND,
        author_advisor=advisor,
        text=notes,
        metadata={
            "visit_id": visit.pk,
            "location_id": visit.location_id,
            "appointment_id": visit.appointment_id,
        },
    )
    kept_in_observation = None
    if observation is not None:
        kept_in_observation = promise_make(
            customer=customer,
            what=observation.what,
            due_at=observation.expected_back_at,
            kind=Promise.Kind.IN_OBSERVATION,
            case=case,
            made_by=advisor,
        )
    follow_up = None
    if callback is not None:
        follow_up = callback_schedule(customer=customer, request=callback, case=case, by=advisor)
    if asset is not None:
        asset_link(asset=asset, case=case, interaction=interaction, appointment=visit.appointment)
    visit.customer = customer
    visit.status = Visit.Status.DONE
    visit.called_at = visit.called_at or moment
    visit.called_by = visit.called_by or advisor
    visit.finished_at = moment
    visit.interaction = interaction
    visit.save(
        update_fields=["customer", "status", "called_at", "called_by", "finished_at", "interaction"]
    )
    if visit.appointment_id is not None:
        Appointment.objects.filter(pk=visit.appointment_id).update(
            status=Appointment.Status.DONE, case=case, updated_at=moment
        )
    return VisitOutcome(visit, case, interaction, kept_in_observation, follow_up)
