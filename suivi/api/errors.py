"""One error shape for the whole API: {"code": "...", "message": "..."}.

Codes are stable and listed in docs/api.md. A 500 is always a bug, never a way to say
"bad input".
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from suivi.core.errors import DomainError


def _body(code: str, message: Any, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": str(message), **extra}


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
        details = {k: v for k, v in error.details.items() if isinstance(v, str | int | list)}
        extra = {"details": details} if details else {}
        return api.create_response(
            request, _body(error.code, error.message, **extra), status=error.status
        )

    @api.exception_handler(ValidationError)
    def invalid_input(request: HttpRequest, error: ValidationError) -> HttpResponse:
        errors = [
            {"loc": [str(part) for part in item.get("loc", ())], "msg": item.get("msg", "")}
            for item in error.errors
        ]
        body = _body("invalid_input", _("The data sent is not valid."), errors=errors)
        return api.create_response(request, body, status=422)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        body = _body("unauthenticated", _("Valid credentials are required."))
        return api.create_response(request, body, status=401)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
        return api.create_response(request, _body("not_found", _("Not found.")), status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        codes = {400: "bad_request", 403: "permission_denied", 405: "method_not_allowed"}
        code = codes.get(error.status_code, "error")
        return api.create_response(request, _body(code, error.message), status=error.status_code)
