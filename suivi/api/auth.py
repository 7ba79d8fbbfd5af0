"""API authentication: bearer tokens for integrators, the session for our own pages.

Both resolve to an Advisor; a user who is not an advisor is not let in.
"""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from suivi.people.models import Advisor
from suivi.people.selectors import advisor_for_user
from suivi.people.services import api_token_authenticate


class TokenAuth(HttpBearer):
    openapi_description = "A token from `suivi token create USERNAME`."

    def authenticate(self, request: HttpRequest, token: str) -> Advisor | None:
        api_token = api_token_authenticate(token)
        advisor = advisor_for_user(api_token.user) if api_token else None
        if advisor is not None:
            request.advisor = advisor  # type: ignore[attr-defined]
        return advisor


class AdvisorSessionAuth(SessionAuth):
    """The logged-in session, with Django's CSRF check (done by SessionAuth)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        advisor = advisor_for_user(request.user)
        if advisor is not None:
            request.advisor = advisor  # type: ignore[attr-defined]
        return advisor


def current_advisor(request: HttpRequest) -> Advisor:
    advisor: Advisor = request.advisor  # type: ignore[attr-defined]
    return advisor
