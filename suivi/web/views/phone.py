"""The advisor's note after a call, from the call's entry on the timeline."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from suivi.channels.phone import selectors, services
from suivi.channels.phone.services import MAX_NOTE
from suivi.core.errors import DomainError
from suivi.people.models import Advisor

from ..access import advisor_view


class CallNoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note after the call"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_NOTE,
    )


@require_POST
@advisor_view
def call_note(request: HttpRequest, me: Advisor, call_id: int) -> HttpResponse:
    call = selectors.call_access(advisor=me, call_id=call_id)
    back = reverse("customer", args=[call.customer_id]) + f"#interaction-{call.interaction_id}"
    form = CallNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the note first."))
        return redirect(back)
    try:
        services.call_note_set(call=call, by=me, note=form.cleaned_data["note"])
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(back)
    messages.success(request, _("The note is with the call."))
    return redirect(back)


urlpatterns = [path("calls/<int:call_id>/note/", call_note, name="call-note")]
