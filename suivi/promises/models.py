"""Promises made to customers, the policies (SLA) that make some of them, the
business-hours calendars their clocks run on, and the alerts they raise."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from suivi.core.vocabulary import Channel

# Monday to Friday, 9:00-18:00: the calendar of a team that has not configured one.
DEFAULT_OPENING_HOURS = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def default_opening_hours() -> dict:
    return {day: [list(span) for span in spans] for day, spans in DEFAULT_OPENING_HOURS.items()}


class BusinessCalendar(models.Model):
    """When a team works: the clock of its policy promises only runs in these hours.

    One calendar per team; the calendar without a team is everyone else's default."""

    team = models.OneToOneField(
        "people.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="business_calendar",
    )
    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    # {"mon": [["09:00", "12:30"], ["13:30", "18:00"]], ...}; local time; an end at or
    # before its start runs past midnight (["22:00", "06:00"]); "24:00" is midnight.
    opening_hours = models.JSONField(_("opening hours"), default=default_opening_hours)
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=8,
        default="FR",
        blank=True,
        help_text=_("ISO country code; empty for no public holidays."),
    )
    holiday_subdivision = models.CharField(
        _("region"),
        max_length=16,
        blank=True,
        help_text=_("Subdivision for regional holidays, e.g. 57 for Moselle."),
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=Q(team__isnull=True), name="calendar_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Closure(models.Model):
    """A period the team is closed outside public holidays (inventory day, strike...)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closures"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        indexes = [models.Index(fields=["calendar", "ends_at"], name="closure_calendar_ends")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="closure_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.calendar_id}: {self.starts_at:%Y-%m-%d} → {self.ends_at:%Y-%m-%d}"


class Policy(models.Model):
    """What a team promises without anyone saying it (SLA), per channel.

    Lookup order: (team, channel), (team, any channel), (no team, channel), (no team,
    any channel), then the built-in defaults of `suivi.promises.policies`."""

    team = models.ForeignKey(
        "people.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=Channel,
        blank=True,
        help_text=_("Empty: every channel without its own policy."),
    )
    first_answer_minutes = models.PositiveIntegerField(
        _("first answer within (business minutes)"), default=8 * 60
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (business minutes)"), default=5 * 9 * 60
    )
    callback_minutes = models.PositiveIntegerField(
        _("callback within (business minutes)"), default=4 * 60
    )
    at_risk_margin_minutes = models.PositiveIntegerField(
        _("at risk this many minutes before due"), default=60
    )
    tell_customer_margin_minutes = models.PositiveIntegerField(
        _("tell the customer this many minutes before due"), default=30
    )
    slip_minutes = models.PositiveIntegerField(
        _("new time given to the customer (business minutes after the old one)"),
        default=4 * 60,
    )

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "channel"],
                condition=Q(team__isnull=False),
                name="policy_team_channel_unique",
            ),
            models.UniqueConstraint(
                fields=["channel"], condition=Q(team__isnull=True), name="policy_default_unique"
            ),
        ]

    def __str__(self) -> str:
        team = str(self.team) if self.team_id else _("every team")
        return f"{team} · {self.channel or _('every channel')}"


class Promise(models.Model):
    """A commitment to a customer, with a due time that is kept, broken or cancelled."""

    class Kind(models.TextChoices):
        FIRST_ANSWER = "first_answer", _("First answer")
        RESOLUTION = "resolution", _("Resolution")
        CALLBACK = "callback", _("Callback")
        PERSONAL = "personal", _("Personal promise")
        IN_OBSERVATION = "in_observation", _("Item in observation")
        APPOINTMENT = "appointment", _("Appointment")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        KEPT = "kept", _("Kept")
        BROKEN = "broken", _("Broken")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="promises"
    )
    case = models.ForeignKey(
        "conversations.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="promises",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.PERSONAL)
    what = models.CharField(_("what was promised"), max_length=500)
    # Who answers for it: the advisor who promised; for a policy promise, nobody (the
    # owner of the case, then the dedicated advisor, is alerted).
    made_by = models.ForeignKey(
        "people.Advisor",
        verbose_name=_("promised by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promises_made",
    )
    by_policy = models.BooleanField(_("made by a policy"), default=False)
    # The team whose calendar and policy apply, fixed when the promise is made.
    team = models.ForeignKey(
        "people.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(_("made at"))
    due_at = models.DateTimeField(_("due at"))
    # Thresholds computed when the due time is set, so the sweep reads an index only.
    at_risk_from = models.DateTimeField()
    tell_customer_from = models.DateTimeField(null=True, blank=True)
    at_risk_at = models.DateTimeField(_("at risk since"), null=True, blank=True)
    customer_told_at = models.DateTimeField(_("customer told at"), null=True, blank=True)
    kept_at = models.DateTimeField(_("kept at"), null=True, blank=True)
    kept_by = models.ForeignKey(
        "conversations.Interaction",
        verbose_name=_("kept by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kept_promises",
    )
    broken_at = models.DateTimeField(_("broken at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # The honest new time given to the customer is a new promise pointing at the old one.
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    # Policy clocks stop while the case waits on the customer; the business time left
    # is kept and the due time moves when the case comes back.
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_remaining_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        indexes = [
            # The sweep: three range scans over open, running promises only.
            models.Index(
                fields=["due_at", "id"],
                name="promise_sweep_due",
                condition=Q(status="open", paused_at__isnull=True),
            ),
            models.Index(
                fields=["at_risk_from", "id"],
                name="promise_sweep_at_risk",
                condition=Q(status="open", paused_at__isnull=True, at_risk_at__isnull=True),
            ),
            models.Index(
                fields=["tell_customer_from", "id"],
                name="promise_sweep_tell",
                condition=Q(
                    status="open",
                    paused_at__isnull=True,
                    customer_told_at__isnull=True,
                    tell_customer_from__isnull=False,
                ),
            ),
            # The customer page (open ones) and the case page (all of the case's).
            models.Index(
                fields=["customer", "due_at", "id"],
                name="promise_customer_open",
                condition=Q(status="open"),
            ),
            models.Index(fields=["case", "due_at", "id"], name="promise_case"),
            # The API lists, soonest due first, by advisor or by status. Not a bare
            # (due_at) index: the sweep would pick it and wade through years of kept ones.
            models.Index(fields=["made_by", "due_at", "id"], name="promise_made_by"),
            models.Index(fields=["status", "due_at", "id"], name="promise_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="kept") | Q(kept_at__isnull=False), name="promise_kept_at"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="promise_cancelled_at",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.what}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class Alert(models.Model):
    """Tells an advisor that a promise is at risk or broken; read in their inbox."""

    class Kind(models.TextChoices):
        AT_RISK = "at_risk", _("Promise at risk")
        BROKEN = "broken", _("Promise broken")

    advisor = models.ForeignKey("people.Advisor", on_delete=models.CASCADE, related_name="alerts")
    promise = models.ForeignKey(Promise, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            # Two sweeps racing can never alert twice: the second insert is a no-op.
            models.UniqueConstraint(
                fields=["advisor", "promise", "kind"], name="alert_once_per_advisor"
            )
        ]
        indexes = [
            models.Index(
                fields=["advisor", "-created_at", "-id"],
                name="alert_unread",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["advisor", "-created_at", "-id"], name="alert_advisor"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.promise_id} → {self.advisor_id}"
