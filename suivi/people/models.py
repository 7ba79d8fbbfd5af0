"""Advisors, their teams, absences and API tokens."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    lead = models.ForeignKey(
        "people.Advisor",
        verbose_name=_("team lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Advisor(models.Model):
    """A person who answers customers. One Django user, one advisor."""

    class Role(models.TextChoices):
        ADVISOR = "advisor", _("Advisor")
        LEAD = "lead", _("Team lead")
        ADMIN = "admin", _("Administrator")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advisor"
    )
    display_name = models.CharField(_("display name"), max_length=120)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.ADVISOR)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    # {"mon": [["09:00", "12:30"], ["13:30", "17:00"]], ...}; local time of the site.
    working_hours = models.JSONField(_("working hours"), default=dict, blank=True)
    backup = models.ForeignKey(
        "self",
        verbose_name=_("backup advisor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="backing_up",
    )
    # The advisor's phone extension (or SIP user) on the PBX: what the phone routing
    # answer tells the PBX to ring, and how CTI events name the advisor.
    extension = models.CharField(_("phone extension"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("advisor")
        verbose_name_plural = _("advisors")
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["extension"],
                name="advisor_unique_extension",
                condition=~models.Q(extension=""),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN or self.user.is_superuser


class Absence(models.Model):
    advisor = models.ForeignKey(Advisor, on_delete=models.CASCADE, related_name="absences")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        indexes = [models.Index(fields=["advisor", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="absence_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.advisor_id}: {self.starts_at:%Y-%m-%d} → {self.ends_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}…"
