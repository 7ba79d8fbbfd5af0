"""Inbound messages for admins (what needs attention, replay), the raw message behind
an interaction, and attachments — always downloaded, never rendered as a page."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from suivi.channels import inbound
from suivi.channels.models import EmailAttachment
from suivi.conversations import selectors
from suivi.core.errors import NotFound, PermissionDenied
from suivi.people.models import Advisor

from ..access import advisor_view

# Shown in the browser when asked; everything else (HTML, SVG, XML, PDF...) is a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"})


def _admin_only(me: Advisor) -> None:
    if not me.is_admin:
        raise PermissionDenied()


@require_GET
@advisor_view
def inbound_list(request: HttpRequest, me: Advisor) -> HttpResponse:
    _admin_only(me)
    return render(
        request,
        "web/inbound/list.html",
        {
            "messages_needing_attention": inbound.inbound_needing_attention(),
            "counts": inbound.inbound_counts(),
            "waiting": inbound.inbound_waiting(),
        },
    )


@require_POST
@advisor_view
def inbound_replay(request: HttpRequest, me: Advisor, message_id: int) -> HttpResponse:
    _admin_only(me)
    message = inbound.inbound_replay(message=inbound.inbound_get(message_id=message_id))
    messages.success(request, _("Message %(id)s will be processed again.") % {"id": message.pk})
    return redirect("inbound")


@require_GET
@advisor_view
def inbound_raw(request: HttpRequest, me: Advisor, message_id: int) -> HttpResponse:
    """The full message as received, as plain text: what the timeline shortened."""
    message = inbound.inbound_get(message_id=message_id)
    if not me.is_admin:
        if message.case_id is None:
            raise NotFound(message_id=message_id)
        selectors.case_access(advisor=me, case_id=message.case_id)
    response = HttpResponse(
        bytes(message.raw).decode("utf-8", errors="replace"),
        content_type="text/plain; charset=utf-8",
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@advisor_view
def attachment_download(request: HttpRequest, me: Advisor, attachment_id: int) -> HttpResponse:
    attachment = EmailAttachment.objects.filter(pk=attachment_id).first()
    if attachment is None or attachment.refused or attachment.case_id is None:
        raise Http404()
    selectors.case_access(advisor=me, case_id=attachment.case_id)
    inline = attachment.content_type in INLINE_TYPES
    response = HttpResponse(
        bytes(attachment.content),
        content_type=attachment.content_type if inline else "application/octet-stream",
    )
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f"{disposition}; filename*=UTF-8''{_quote(attachment.filename)}"
    )
    # Even a mislabelled file cannot run script in our origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _quote(filename: str) -> str:
    from urllib.parse import quote

    return quote(filename, safe="")


urlpatterns = [
    path("inbound/", inbound_list, name="inbound"),
    path("inbound/<int:message_id>/replay/", inbound_replay, name="inbound-replay"),
    path("inbound/<int:message_id>/raw/", inbound_raw, name="inbound-raw"),
    path("attachments/<int:attachment_id>/", attachment_download, name="attachment"),
]
