"""Domain errors: a stable code for machines, a translated message for people.

The API maps each family to one HTTP status (see `suivi.api.errors`); the web pages show
the message. Codes are documented in docs/api.md and never change meaning.
"""

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"
    status: ClassVar[int] = 400
    default_message: ClassVar[Any] = _("The request could not be processed.")

    def __init__(self, message: Any = None, **details: Any) -> None:
        self.message = message if message is not None else self.default_message
        self.details = details
        super().__init__(str(self.message))


class NotFound(DomainError):
    """Absent, or present but not visible to the caller: both look the same on purpose."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("This conflicts with the current state.")


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422
    default_message = _("The data sent is not valid.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You are not allowed to do this.")
