"""A customer is a person with identities, preferences and one dedicated advisor."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from suivi.core.vocabulary import Channel, Language


class Customer(models.Model):
    given_name = models.CharField(_("given name"), max_length=120, blank=True)
    family_name = models.CharField(_("family name"), max_length=120, blank=True)
    # How the person wants to be addressed: "Mme Durand", "Nicolas", "Dr Martin".
    address_as = models.CharField(_("address as"), max_length=120, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language, default=Language.FRENCH
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=16, choices=Channel, blank=True
    )
    # Free text kept as the customer said it: "weekdays after 6 pm", "jamais le mercredi".
    contact_hours = models.CharField(_("contact hours"), max_length=200, blank=True)
    dedicated_advisor = models.ForeignKey(
        "people.Advisor",
        verbose_name=_("dedicated advisor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
    )
    # The team that follows the customer: the dedicated advisor's team when assigned.
    team = models.ForeignKey(
        "people.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    # Accent-free, lower-case copies of the names, for indexed prefix search.
    given_key = models.CharField(max_length=120, blank=True, editable=False)
    family_key = models.CharField(max_length=120, blank=True, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["family_key", "given_key"], name="customer_name_key"),
            models.Index(fields=["given_key"], name="customer_given_key"),
            models.Index(fields=["dedicated_advisor", "family_key", "id"], name="customer_mine"),
            models.Index(fields=["team", "id"], name="customer_team"),
        ]

    def __str__(self) -> str:
        return self.full_name or f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def greeting_name(self) -> str:
        """The name to use when speaking to the person."""
        return self.address_as or self.full_name


class Identity(models.Model):
    """One way to recognise a customer. (kind, value) is unique: one owner per address."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        CUSTOMER_NUMBER = "customer_number", _("Customer number")
        FACEBOOK = "facebook", _("Facebook")
        INSTAGRAM = "instagram", _("Instagram")
        X = "x", _("X (Twitter)")
        LINKEDIN = "linkedin", _("LinkedIn")
        TIKTOK = "tiktok", _("TikTok")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    value = models.CharField(_("value"), max_length=254)
    # A looser form used only to spot possible duplicates: e-mail without "+tag" (and
    # without dots at Gmail), phone as its national significant number.
    loose_value = models.CharField(max_length=254, db_index=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_kind_value")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class PossibleDuplicate(models.Model):
    """Two customers that may be one person, waiting for a human to decide."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        DISMISSED = "dismissed", _("Not a duplicate")

    class Reason(models.TextChoices):
        # A code, translated when shown: detection runs in the worker, without a language.
        SAME_EMAIL = "same_email", _("same e-mail address")
        SAME_PHONE = "same_phone", _("same phone number")
        SAME_IDENTITY = "same_identity", _("same identity")
        SIMILAR_NAME = "similar_name", _("very similar name")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=32, choices=Reason)
    status = models.CharField(max_length=16, choices=Status, default=Status.OPEN)
    detected_at = models.DateTimeField()

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            # Stored once per pair, lowest id first.
            models.UniqueConstraint(fields=["customer", "other"], name="duplicate_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(customer__lt=models.F("other")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "detected_at"], name="duplicate_review")]

    def __str__(self) -> str:
        return f"{self.customer_id} ~ {self.other_id}"


class CustomerMerge(models.Model):
    """Who merged which customer into which, and what the duplicate looked like."""

    kept = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="merges")
    duplicate_id = models.BigIntegerField()
    duplicate_snapshot = models.JSONField()
    moved = models.JSONField(_("rows moved"), help_text=_("Rows moved per related table."))
    merged_by = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    merged_at = models.DateTimeField()

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")
        indexes = [models.Index(fields=["duplicate_id"], name="merge_duplicate_id")]

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.kept_id}"
