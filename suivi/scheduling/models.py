"""Places, appointments, the waiting list at a place, callbacks, and customers' assets.

Times are stored in UTC; opening and working hours are wall-clock times of the
location's own time zone ({"mon": [["09:00", "12:30"], ["13:30", "18:00"]], ...}).
"""

from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from suivi.core.vocabulary import Language

ACTIVE_APPOINTMENT_STATUSES = ("booked", "checked_in", "done")


def _in_language(fr: str, en: str, language: str | None = None) -> str:
    """The French or English text, the other one when the wanted one is empty."""
    wanted = (language or get_language() or "fr")[:2]
    first, second = (en, fr) if wanted == "en" else (fr, en)
    return first or second


class Location(models.Model):
    class Kind(models.TextChoices):
        SHOP = "shop", _("Shop")
        AGENCY = "agency", _("Agency")
        VIDEO = "video", _("Video call")
        PHONE = "phone", _("Phone call")

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    address = models.TextField(_("address"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    # Candidate start times are this many minutes apart, from the opening time.
    slot_step_minutes = models.PositiveSmallIntegerField(_("slot step (minutes)"), default=30)
    is_active = models.BooleanField(_("open for booking"), default=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_remote(self) -> bool:
        return self.kind in (self.Kind.VIDEO, self.Kind.PHONE)


class AppointmentType(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    label_fr = models.CharField(_("label (French)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=30)
    # Every skill here must be in the advisor's skills.
    required_skills = models.JSONField(_("required skills"), default=list, blank=True)
    preparation_notes = models.TextField(
        _("preparation notes"), blank=True, help_text=_("For the advisor, never shown online.")
    )
    what_to_bring_fr = models.TextField(_("what to bring (French)"), blank=True)
    what_to_bring_en = models.TextField(_("what to bring (English)"), blank=True)
    # Offered at these locations; none means every location.
    locations = models.ManyToManyField(Location, blank=True, related_name="appointment_types")
    is_public = models.BooleanField(_("bookable online"), default=True)

    class Meta:
        verbose_name = _("appointment type")
        verbose_name_plural = _("appointment types")
        ordering = ["label_fr"]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        return _in_language(self.label_fr, self.label_en, language)

    def what_to_bring(self, language: str | None = None) -> str:
        return _in_language(self.what_to_bring_fr, self.what_to_bring_en, language)


class AdvisorSchedule(models.Model):
    """Which advisor receives at which location, and when (weekly hours)."""

    advisor = models.ForeignKey(
        "people.Advisor", on_delete=models.CASCADE, related_name="location_schedules"
    )
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="schedules")
    # Empty: the advisor's own working hours apply.
    weekly_hours = models.JSONField(_("weekly hours"), default=dict, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("advisor schedule")
        verbose_name_plural = _("advisor schedules")
        constraints = [
            models.UniqueConstraint(fields=["advisor", "location"], name="schedule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.advisor_id} @ {self.location_id}"

    def hours(self) -> dict[str, Any]:
        return self.weekly_hours or self.advisor.working_hours or {}


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked_in", _("Checked in")
        DONE = "done", _("Seen")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("Did not come")

    class Source(models.TextChoices):
        ONLINE = "online", _("Booked online")
        ADVISOR = "advisor", _("Booked by an advisor")
        API = "api", _("Booked through the API")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="appointments"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments"
    )
    advisor = models.ForeignKey(
        "people.Advisor", on_delete=models.PROTECT, related_name="appointments"
    )
    case = models.ForeignKey(
        "conversations.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.BOOKED)
    source = models.CharField(max_length=16, choices=Source, default=Source.ONLINE)
    booked_by = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the customer wrote when booking ("my phone no longer charges").
    reason = models.TextField(_("reason"), blank=True)
    language = models.CharField(max_length=2, choices=Language, default=Language.FRENCH)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=32, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [
            models.Index(fields=["advisor", "starts_at"], name="appointment_advisor_day"),
            models.Index(fields=["location", "starts_at"], name="appointment_location_day"),
            models.Index(
                fields=["starts_at"],
                name="appointment_reminder_due",
                condition=models.Q(status="booked", reminder_sent_at__isnull=True),
            ),
            models.Index(fields=["customer", "-starts_at"], name="appointment_customer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="appointment_ends_after_start",
            )
        ]
        # On PostgreSQL, migration 0002 adds an exclusion constraint: no two active
        # appointments of one advisor overlap, whatever the code does.

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.appointment_type_id} #{self.pk}"

    @property
    def is_changeable(self) -> bool:
        return self.status == self.Status.BOOKED


class Visit(models.Model):
    """A person waiting at a location, then seen: with an appointment or walked in."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("With an advisor")
        DONE = "done", _("Seen")
        LEFT = "left", _("Left without being seen")

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="visits")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="visit"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="visits",
    )
    # Shown on the screens: a walk-in may not be a known customer yet.
    name = models.CharField(_("name"), max_length=120)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=Status, default=Status.WAITING)
    arrived_at = models.DateTimeField(_("arrived at"))
    # The place in the queue: see `suivi.scheduling.reception.queue_time`.
    queue_at = models.DateTimeField()
    called_at = models.DateTimeField(null=True, blank=True)
    called_by = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    interaction = models.ForeignKey(
        "conversations.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(
                fields=["location", "queue_at", "arrived_at", "id"],
                name="visit_waiting_list",
                condition=models.Q(status="waiting"),
            ),
            models.Index(fields=["location", "-finished_at"], name="visit_recent_done"),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.location_id} ({self.status})"


class Callback(models.Model):
    """A call the customer expects from us within a window (see docs/callbacks.md)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("To call")
        DONE = "done", _("Called")
        CANCELLED = "cancelled", _("Cancelled")
        UNREACHABLE = "unreachable", _("Unreachable")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    class Source(models.TextChoices):
        API = "api", _("API")
        PORTAL = "portal", _("Web page")
        ADVISOR = "advisor", _("Advisor")
        MISSED_CALL = "missed_call", _("Missed call")
        VISIT = "visit", _("Visit")
        CHAT = "chat", _("Chat")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="callbacks"
    )
    case = models.ForeignKey(
        "conversations.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    window_starts_at = models.DateTimeField(_("from"))
    window_ends_at = models.DateTimeField(_("until"))
    # "As soon as possible": the window is the team's callback policy from now.
    asap = models.BooleanField(_("as soon as possible"), default=False)
    reason = models.CharField(_("reason"), max_length=300)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.REQUESTED)
    source = models.CharField(_("source"), max_length=16, choices=Source, default=Source.API)
    created_by = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who calls: chosen by routing (dedicated advisor first, then the backup, ...).
    assigned_to = models.ForeignKey(
        "people.Advisor",
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_callbacks",
    )
    routing_decision = models.ForeignKey(
        "routing.RoutingDecision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The promise to call within the window (kind "callback", due at its end).
    promise = models.ForeignKey(
        "promises.Promise", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # After a call nobody answered: when to try again (the retry policy).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        indexes = [
            models.Index(
                fields=["window_starts_at"],
                name="callback_requested",
                condition=models.Q(status="requested"),
            ),
            # The advisor's "callbacks due", oldest promise first.
            models.Index(
                fields=["assigned_to", "window_ends_at", "id"],
                name="callback_due_by_advisor",
                condition=models.Q(status="requested"),
            ),
            # The API list and slot capacity: by window end, any status.
            models.Index(fields=["window_ends_at", "id"], name="callback_window_end"),
            models.Index(fields=["customer", "status"], name="callback_customer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_ends_at__gt=models.F("window_starts_at")),
                name="callback_window_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"callback {self.customer_id} {self.window_starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.REQUESTED


class CallbackAttempt(models.Model):
    """One call made for a callback, with its outcome; the call is an interaction."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    callback = models.ForeignKey(Callback, on_delete=models.CASCADE, related_name="attempts")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome)
    note = models.TextField(_("note"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    advisor = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interaction = models.ForeignKey(
        "conversations.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attempted_at = models.DateTimeField(_("called at"))

    class Meta:
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")
        indexes = [models.Index(fields=["callback", "attempted_at"], name="callback_attempts")]

    def __str__(self) -> str:
        return f"{self.callback_id} {self.outcome} {self.attempted_at:%Y-%m-%d %H:%M}"


class Asset(models.Model):
    """A product, device or contract a customer owns, with its service record."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        DEVICE = "device", _("Device")
        CONTRACT = "contract", _("Contract")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="assets"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.DEVICE)
    model = models.CharField(_("model"), max_length=160)
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True, db_index=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    warranty_ends_on = models.DateField(_("warranty end"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        indexes = [models.Index(fields=["customer", "id"], name="asset_customer")]

    def __str__(self) -> str:
        return f"{self.model} {self.serial_number}".strip()


class AssetLink(models.Model):
    """One line of an asset's service record: a case, an interaction or an appointment."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="links")
    case = models.ForeignKey(
        "conversations.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    interaction = models.ForeignKey(
        "conversations.Interaction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # When the linked thing happened: the record is sorted on it, newest first.
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("service record line")
        verbose_name_plural = _("service record lines")
        indexes = [
            models.Index(
                "asset", models.F("occurred_at").desc(), models.F("id").desc(),
                name="asset_service_record",
            ),
            models.Index(fields=["case"], name="asset_link_case",
                         condition=models.Q(case__isnull=False)),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(case__isnull=False, interaction__isnull=True, appointment__isnull=True)
                    | models.Q(
                        case__isnull=True, interaction__isnull=False, appointment__isnull=True
                    )
                    | models.Q(
                        case__isnull=True, interaction__isnull=True, appointment__isnull=False
                    )
                ),
                name="asset_link_exactly_one",
            ),
            models.UniqueConstraint(fields=["asset", "case"], name="asset_link_case_once"),
            models.UniqueConstraint(
                fields=["asset", "interaction"], name="asset_link_interaction_once"
            ),
            models.UniqueConstraint(
                fields=["asset", "appointment"], name="asset_link_appointment_once"
            ),
        ]

    def __str__(self) -> str:
        return f"asset {self.asset_id} line {self.pk}"

    @property
    def kind(self) -> str:
        if self.case_id:
            return "case"
        return "interaction" if self.interaction_id else "appointment"
