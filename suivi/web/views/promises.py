"""Promise pages: a personal promise made from the case page, keeping and cancelling it,
the countdown fragment the customer page refreshes, and the advisor's alerts."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from suivi.conversations import selectors as files
from suivi.core.errors import DomainError
from suivi.people.models import Advisor
from suivi.promises import selectors, services
from suivi.promises.models import Alert, Promise

from ..access import advisor_view, cursor_of, form_error


class PromiseForm(forms.Form):
    """A promise an advisor makes to the customer from the case page."""

    what = forms.CharField(
        label=gettext_lazy("What you promise"),
        max_length=500,
        help_text=gettext_lazy("As you said it, e.g. “I'll call you tomorrow before noon”."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            (Promise.Kind.PERSONAL.value, Promise.Kind.PERSONAL.label),
            (Promise.Kind.CALLBACK.value, Promise.Kind.CALLBACK.label),
        ],
        initial=Promise.Kind.PERSONAL,
        required=False,
    )
    # Read in the current time zone (the site's), as advisors read every time.
    due_at = forms.DateTimeField(
        label=gettext_lazy("Due by"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "id_promise_%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class CancelPromiseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it no longer applies"), max_length=500)


@require_http_methods(["GET", "POST"])
@advisor_view
def promise_new(request: HttpRequest, me: Advisor, case_id: int) -> HttpResponse:
    case = files.case_access(advisor=me, case_id=case_id)
    form = PromiseForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.promise_make(
                    customer=case.customer,
                    case=case,
                    what=data["what"],
                    due_at=data["due_at"],
                    kind=data["kind"] or Promise.Kind.PERSONAL,
                    made_by=me,
                )
            except DomainError as error:
                status = form_error(form, error, "due_at" if "due" in error.code else None)
            else:
                messages.success(request, _("Your promise is recorded; it will be followed."))
                return redirect(reverse("case", args=[case.pk]) + "#promises")
        else:
            status = 422
    return render(
        request, "web/promises/promise_new.html", {"case": case, "form": form}, status=status
    )


def _back(request: HttpRequest, promise: Promise) -> HttpResponse:
    if promise.case_id is not None:
        return redirect(reverse("case", args=[promise.case_id]) + "#promises")
    return redirect(reverse("customer", args=[promise.customer_id]))


@require_POST
@advisor_view
def promise_keep(request: HttpRequest, me: Advisor, promise_id: int) -> HttpResponse:
    promise = selectors.promise_access(advisor=me, promise_id=promise_id)
    promise = services.promise_keep(promise=promise)
    if promise.status == Promise.Status.KEPT:
        messages.success(request, _("Promise kept."))
    else:
        messages.warning(request, _("Done, but after the due time: it counts as broken."))
    return _back(request, promise)


@require_POST
@advisor_view
def promise_cancel(request: HttpRequest, me: Advisor, promise_id: int) -> HttpResponse:
    promise = selectors.promise_access(advisor=me, promise_id=promise_id)
    form = CancelPromiseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the promise is cancelled."))
        return _back(request, promise)
    services.promise_cancel(promise=promise, reason=form.cleaned_data["reason"], by=me)
    messages.success(request, _("Promise cancelled."))
    return _back(request, promise)


@require_GET
@advisor_view
def customer_promises(request: HttpRequest, me: Advisor, customer_id: int) -> HttpResponse:
    """The open promises with fresh countdowns; the customer page polls it (htmx)."""
    customer = files.customer_access(advisor=me, customer_id=customer_id)
    return render(request, "web/promises/customer_promises_fragment.html", {"customer": customer})


@require_GET
@advisor_view
def alerts(request: HttpRequest, me: Advisor) -> HttpResponse:
    page = selectors.alerts_page(advisor=me, cursor=cursor_of(request))
    return render(
        request,
        "web/promises/alerts.html",
        {"page": page, "unread": selectors.unread_alert_count(advisor=me)},
    )


@require_GET
@advisor_view
def alerts_link(request: HttpRequest, me: Advisor) -> HttpResponse:
    """The desk's alert link, polled by htmx so that a new alert shows without a reload."""
    return render(
        request,
        "web/promises/_alerts_link.html",
        {"unread": selectors.unread_alert_count(advisor=me)},
    )


@require_POST
@advisor_view
def alert_read(request: HttpRequest, me: Advisor, alert_id: int) -> HttpResponse:
    alert = Alert.objects.filter(pk=alert_id, advisor=me).first()
    if alert is not None:
        services.alert_mark_read(alert=alert, by=me)
    return redirect("promise-alerts")
