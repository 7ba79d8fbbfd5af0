"""Reads for the routing package."""

from suivi.people.models import Advisor

from .models import AdvisorPresence


def presence_of(*, advisor: Advisor) -> AdvisorPresence:
    """The advisor's presence; no row means available (an unsaved row, updated_at None)."""
    found = AdvisorPresence.objects.filter(advisor=advisor).first()
    if found is not None:
        return found
    return AdvisorPresence(advisor=advisor, status=AdvisorPresence.Status.AVAILABLE)
