"""The case page: last handoff first, summary, status, timeline, notes, contacts logged
by hand and handoffs; and opening a case from the customer file."""

from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from suivi.conversations import selectors, services
from suivi.conversations.models import Case, Interaction
from suivi.core import clock
from suivi.core.errors import DomainError
from suivi.core.vocabulary import Channel
from suivi.people.models import Advisor
from suivi.people.selectors import advisors_list

from ..access import advisor_view, cursor_of, form_error
from ..forms import CaseForm, ContactForm, HandoffForm, NoteForm, StatusForm, SummaryForm
from .customers import TIMELINE_PAGE


def _handoff_form(case: Case, data: Any = None) -> HandoffForm:
    advisors = advisors_list()
    if case.owner_id is not None:
        advisors = advisors.exclude(pk=case.owner_id)
    return HandoffForm(data, advisors=advisors)


def _render(
    request: HttpRequest,
    me: Advisor,
    case: Case,
    *,
    bound: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The case page; `bound` replaces a blank form by the one that was refused."""
    handoff = selectors.case_last_handoff(case=case)
    # Highlighted as new for its receiver this once; opening the page counts as reading it.
    handoff_is_new = (
        handoff is not None and handoff.seen_at is None and handoff.to_advisor_id == me.pk
    )
    if handoff is not None and handoff_is_new:
        services.handoff_mark_seen(handoff=handoff, by=me)
    context: dict[str, Any] = {
        "case": case,
        "customer": case.customer,
        "handoff": handoff,
        "handoff_is_new": handoff_is_new,
        "timeline": selectors.timeline_page(
            case_id=case.pk, cursor=cursor_of(request), limit=TIMELINE_PAGE
        ),
        "page_url": reverse("case", args=[case.pk]),
        "more_url": reverse("case-timeline", args=[case.pk]),
        "summary_form": SummaryForm(initial={"summary": case.summary}),
        "status_form": StatusForm(initial={"status": case.status}),
        "note_form": NoteForm(),
        "contact_form": ContactForm(),
        "handoff_form": _handoff_form(case),
        "now": clock.now(),
        **(bound or {}),
    }
    return render(request, "web/case.html", context, status=status)


@require_GET
@advisor_view
def case_page(request: HttpRequest, me: Advisor, case_id: int) -> HttpResponse:
    return _render(request, me, selectors.case_access(advisor=me, case_id=case_id))


@require_GET
@advisor_view
def case_timeline(request: HttpRequest, me: Advisor, case_id: int) -> HttpResponse:
    case = selectors.case_access(advisor=me, case_id=case_id)
    return render(
        request,
        "web/_timeline_items.html",
        {
            "customer": case.customer,
            "timeline": selectors.timeline_page(
                case_id=case.pk, cursor=cursor_of(request), limit=TIMELINE_PAGE
            ),
            "page_url": reverse("case", args=[case.pk]),
            "more_url": reverse("case-timeline", args=[case.pk]),
        },
    )


@require_POST
@advisor_view
def case_summary(request: HttpRequest, me: Advisor, case_id: int) -> HttpResponse:
    case = selectors.case_access(advisor=me, case_id=case_id)
    form = SummaryForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.case_update(case=case, changes={"summary": form.cleaned_data["summary"]})
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(request, _("Summary saved."))
            return redirect("case", case_id=case.pk)
    return _render(request, me, case, bound={"summary_form": form}, status=status)


@require_POST
@advisor_view
def case_status(request: HttpRequest, me: Advisor, case_id: int) -> HttpResponse:
    case = selectors.case_access(advisor=me, case_id=case_id)
    form = StatusForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.case_update(case=case, changes={"status": form.cleaned_data["status"]})
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(
                request,
                _("Status changed to “%(status)s”.") % {"status": case.get_status_display()},
            )
            return redirect("case", case_id=case.pk)
    return _render(request, me, case, bound={"status_form": form}, status=status)


@require_POST
@advisor_view
def case_note(request: HttpRequest, me: Advisor, case_id: int) -> HttpResponse:
    case = selectors.case_access(advisor=me, case_id=case_id)
    form = NoteForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.interaction_record(
                case=case,
                channel=Channel.NOTE,
                direction=Interaction.Direction.INTERNAL,
                text=form.cleaned_data["text"],
                author_advisor=me,
            )
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(request, _("Internal note added."))
            return redirect(reverse("case", args=[case.pk]) + "#timeline")
    return _render(request, me, case, bound={"note_form": form}, status=status)


@require_POST
@advisor_view
def case_contact(request: HttpRequest, me: Advisor, case_id: int) -> HttpResponse:
    """Log a contact that happened outside Suivi: a call, a visit at the counter, a letter."""
    case = selectors.case_access(advisor=me, case_id=case_id)
    form = ContactForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        outbound = data["direction"] == Interaction.Direction.OUTBOUND
        try:
            services.interaction_record(
                case=case,
                channel=data["channel"],
                direction=data["direction"],
                text=data["text"],
                author_advisor=me if outbound else None,
                occurred_at=data["occurred_at"],
                # Who typed it in, since an inbound contact is authored by the customer.
                metadata={"logged_by": me.pk},
            )
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(request, _("The contact is on the timeline."))
            return redirect(reverse("case", args=[case.pk]) + "#timeline")
    return _render(request, me, case, bound={"contact_form": form}, status=status)


@require_http_methods(["GET", "POST"])
@advisor_view
def case_new(request: HttpRequest, me: Advisor, customer_id: int) -> HttpResponse:
    customer = selectors.customer_access(advisor=me, customer_id=customer_id)
    form = CaseForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 422
        if form.is_valid():
            try:
                case = services.case_open(customer=customer, by=me, **form.cleaned_data)
            except services.SubjectRequired as error:
                status = form_error(form, error, "subject")
            except DomainError as error:
                status = form_error(form, error)
            else:
                messages.success(
                    request, _("Case “%(subject)s” opened.") % {"subject": case.subject}
                )
                return redirect("case", case_id=case.pk)
    return render(request, "web/case_new.html", {"customer": customer, "form": form}, status=status)


@require_POST
@advisor_view
def case_handoff(request: HttpRequest, me: Advisor, case_id: int) -> HttpResponse:
    case = selectors.case_access(advisor=me, case_id=case_id)
    form = _handoff_form(case, request.POST)
    status = 422
    if form.is_valid():
        to: Advisor = form.cleaned_data["to_advisor"]
        try:
            services.case_hand_over(
                case=case, to=to, by=me, context_note=form.cleaned_data["context_note"]
            )
        except services.HandoffWithoutContext as error:
            status = form_error(form, error, "context_note")
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(
                request,
                _("“%(subject)s” was handed over to %(advisor)s with your note.")
                % {"subject": case.subject, "advisor": to.display_name},
            )
            # The case has left this advisor's hands (and maybe their sight): back to the inbox.
            return redirect("home")
    return _render(request, me, case, bound={"handoff_form": form}, status=status)
