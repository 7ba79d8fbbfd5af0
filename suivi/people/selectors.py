"""Reads about advisors."""

from django.db.models import QuerySet

from suivi.core.errors import NotFound

from .models import Advisor


def advisor_for_user(user: object) -> Advisor | None:
    """The advisor behind a Django user, or None for a user who is not one."""
    return getattr(user, "advisor", None) if getattr(user, "is_authenticated", False) else None


def advisors_list() -> QuerySet[Advisor]:
    return Advisor.objects.select_related("team").order_by("display_name", "pk")


def advisor_get(*, advisor_id: int) -> Advisor:
    try:
        return Advisor.objects.select_related("team").get(pk=advisor_id)
    except Advisor.DoesNotExist as error:
        raise NotFound(advisor_id=advisor_id) from error
