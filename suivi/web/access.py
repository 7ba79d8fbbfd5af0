"""Who may use the advisor pages, and how domain errors reach people.

Every page goes through `advisor_view`: it asks for a login, resolves the advisor behind
the user and turns a domain error that escaped a view into a page with the error's own
4xx status, so that bad input never shows up as a 500.
"""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from suivi.core.errors import DomainError, NotFound
from suivi.people.models import Advisor
from suivi.people.selectors import advisor_for_user

P = ParamSpec("P")
AdvisorView = Callable[Concatenate[HttpRequest, Advisor, P], HttpResponse]


def advisor_view(view: AdvisorView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        advisor = advisor_for_user(request.user)
        if advisor is None:
            # A Django account without an advisor (e.g. a bare superuser) has no file to see.
            return render(request, "web/not_an_advisor.html", status=403)
        try:
            return view(request, advisor, *args, **kwargs)
        except NotFound as error:
            # Absent and invisible look the same, on purpose.
            raise Http404(str(error.message)) from error
        except DomainError as error:
            return render(
                request, "web/error.html", {"message": error.message}, status=error.status
            )

    return wrapper


def form_error(form: Form, error: DomainError, field: str | None = None) -> int:
    """Put a domain error on the form people are looking at; returns its HTTP status."""
    form.add_error(field, str(error.message))
    return error.status


def cursor_of(request: HttpRequest) -> str | None:
    return request.GET.get("cursor") or None
