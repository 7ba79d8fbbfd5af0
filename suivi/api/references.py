"""Resolving ids that a request body refers to: an unknown id is bad input (422)."""

from django.utils.translation import gettext_lazy as _

from suivi.core.errors import InvalidInput, NotFound
from suivi.people.models import Advisor
from suivi.people.selectors import advisor_get


class InvalidAdvisor(InvalidInput):
    code = "invalid_advisor"
    default_message = _("No advisor has this id.")


def advisor_or_invalid(advisor_id: int | None) -> Advisor | None:
    if advisor_id is None:
        return None
    try:
        return advisor_get(advisor_id=advisor_id)
    except NotFound as error:
        raise InvalidAdvisor(advisor_id=advisor_id) from error
