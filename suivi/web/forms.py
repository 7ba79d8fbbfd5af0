"""Forms of the advisor pages. They only parse; the rules live in the services."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from suivi.conversations.models import Case, Interaction
from suivi.core.vocabulary import Channel, Language
from suivi.customers.models import Identity
from suivi.people.models import Advisor


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("What we know so far"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Case.Status.choices)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=100_000,
        help_text=_("Only advisors see internal notes."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AdvisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Advisor) -> str:
        return f"{obj.display_name} ({obj.team.name})" if obj.team else obj.display_name


class HandoffForm(forms.Form):
    to_advisor = AdvisorChoiceField(
        label=_("Hand over to"), queryset=Advisor.objects.none(), empty_label=None
    )
    # Not required here on purpose: the service owns the rule and its message.
    context_note = forms.CharField(
        label=_("Context note"),
        required=False,
        max_length=10_000,
        help_text=_("What the next advisor must know so the customer never has to repeat it."),
        widget=forms.Textarea(attrs={"rows": 4, "required": True}),
    )

    def __init__(self, *args: object, advisors: QuerySet[Advisor], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["to_advisor"].queryset = advisors  # type: ignore[attr-defined]


class MergeForm(forms.Form):
    duplicate_id = forms.IntegerField(widget=forms.HiddenInput)


# Channels a customer can prefer, or an advisor can log by hand: not the assistant's
# replies nor internal notes, which have their own paths.
CONTACT_CHANNELS = [
    (channel.value, channel.label)
    for channel in (
        Channel.PHONE,
        Channel.VISIT,
        Channel.LETTER,
        Channel.EMAIL,
        Channel.SMS,
        Channel.CHAT,
        Channel.WHATSAPP,
        Channel.SOCIAL,
        Channel.WEB_FORM,
    )
]


class CustomerForm(forms.Form):
    """The customer's names and preferences. Both names may be blank here: the service
    says when a customer needs at least one, with its own message."""

    given_name = forms.CharField(label=_("Given name"), required=False, max_length=120)
    family_name = forms.CharField(label=_("Family name"), required=False, max_length=120)
    address_as = forms.CharField(
        label=_("Address as"),
        required=False,
        max_length=120,
        help_text=_("How the person wants to be addressed, e.g. “Mme Durand” or “Nicolas”."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"),
        required=False,
        choices=[("", _("No preference")), *CONTACT_CHANNELS],
    )
    contact_hours = forms.CharField(
        label=_("Contact hours"),
        required=False,
        max_length=200,
        help_text=_("As the customer said it, e.g. “weekdays after 6 pm”."),
    )
    dedicated_advisor = AdvisorChoiceField(
        label=_("Dedicated advisor"),
        required=False,
        queryset=Advisor.objects.none(),
        empty_label=_("No dedicated advisor"),
    )

    def __init__(self, *args: object, advisors: QuerySet[Advisor], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["dedicated_advisor"].queryset = advisors  # type: ignore[attr-defined]


class CustomerEditForm(CustomerForm):
    """The page's values travel with the form, so that only what this advisor changed
    is saved: a colleague's edit of another field made meanwhile is kept."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            field.show_hidden_initial = True


class NewCustomerForm(CustomerForm):
    # Checked and normalised by the service, which knows every identity's rules.
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=254,
        help_text=_("French numbers may be written without the +33."),
    )
    customer_number = forms.CharField(label=_("Customer number"), required=False, max_length=254)

    IDENTITY_FIELDS = ("email", "phone", "customer_number")

    def identities(self) -> list[tuple[str, str]]:
        """(kind, value) of the identities filled in; each field is named after its kind."""
        return [
            (kind, self.cleaned_data[kind])
            for kind in self.IDENTITY_FIELDS
            if self.cleaned_data[kind].strip()
        ]


class IdentityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Identity.Kind.choices)
    value = forms.CharField(label=_("Value"), max_length=254)

    def __init__(self, *args: object, **kwargs: object) -> None:
        # Its own ids, so that it can share the customer page with other forms.
        kwargs.setdefault("auto_id", "id_identity_%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class CaseForm(forms.Form):
    # Not required here on purpose: the service owns the rule and its message.
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"required": True}),
    )
    topic = forms.CharField(
        label=_("Topic"),
        required=False,
        max_length=60,
        help_text=_("A short word to group cases, e.g. “billing”."),
    )
    summary = forms.CharField(
        label=_("What we know so far"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ContactForm(forms.Form):
    """A contact that happened elsewhere (a call, a visit, a letter), put on the timeline."""

    channel = forms.ChoiceField(label=_("Channel"), choices=CONTACT_CHANNELS)
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[
            (Interaction.Direction.INBOUND.value, Interaction.Direction.INBOUND.label),
            (Interaction.Direction.OUTBOUND.value, Interaction.Direction.OUTBOUND.label),
        ],
    )
    text = forms.CharField(
        label=_("What happened"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    # Read in the current time zone (the site's), as advisors read the timeline.
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        # Its own ids: the internal note's text field shares the case page.
        kwargs.setdefault("auto_id", "id_contact_%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
