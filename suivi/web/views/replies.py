"""Answering the customer by e-mail from the case page, and the deliveries of a case."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from suivi.channels.email import outgoing
from suivi.channels.models import EmailAttachment, OutboundEmail
from suivi.conversations import selectors
from suivi.core.errors import DomainError
from suivi.people.models import Advisor

from ..access import advisor_view

RECENT = 10


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your answer"), widget=forms.Textarea(attrs={"rows": 6}),
        max_length=100_000,
    )  # fmt: skip
    # The published article version inserted into the answer, if any (knowledge).
    knowledge_version_id = forms.IntegerField(required=False, min_value=1, max_value=2**62)


@require_POST
@advisor_view
def case_reply(request: HttpRequest, me: Advisor, case_id: int) -> HttpResponse:
    case = selectors.case_access(advisor=me, case_id=case_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write an answer before sending it."))
        return redirect(reverse("case", args=[case.pk]) + "#reply")
    try:
        sent = outgoing.reply(
            case=case, by=me, body=form.cleaned_data["body"],
            knowledge_version_id=form.cleaned_data["knowledge_version_id"],
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(reverse("case", args=[case.pk]) + "#reply")
    messages.success(request, _("Answer sent to %(address)s.") % {"address": sent.to_address})
    return redirect(reverse("case", args=[case.pk]) + "#timeline")


@require_GET
@advisor_view
def case_email(request: HttpRequest, me: Advisor, case_id: int) -> HttpResponse:
    """The e-mails of a case: deliveries (sent, retrying, not delivered) and attachments."""
    case = selectors.case_access(advisor=me, case_id=case_id)
    return render(
        request,
        "web/inbound/_case_email.html",
        {
            "case": case,
            "outgoing": list(
                OutboundEmail.objects.filter(case=case)
                .only("kind", "to_address", "status", "attempts", "last_error", "created_at")
                .order_by("-created_at", "-pk")[:RECENT]
            ),
            "attachments": list(
                EmailAttachment.objects.filter(case=case).defer("content").order_by("-pk")[:RECENT]
            ),
        },
    )


urlpatterns = [
    path("cases/<int:case_id>/reply/", case_reply, name="case-reply"),
    path("cases/<int:case_id>/email/", case_email, name="case-email"),
]
