"""Writes about advisors, teams and tokens."""

import hashlib
import secrets
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from suivi.core import clock
from suivi.core.errors import Conflict, InvalidInput

from .models import Advisor, ApiToken, Team

TOKEN_PREFIX = "svi_"  # noqa: S105 - a public prefix that makes tokens recognisable


class UsernameTaken(Conflict):
    code = "username_taken"
    default_message = _("This username is already in use.")


class InvalidBackup(InvalidInput):
    code = "invalid_backup"
    default_message = _("An advisor cannot be their own backup.")


@transaction.atomic
def team_create(*, name: str) -> Team:
    team, _created = Team.objects.get_or_create(name=name)
    return team


@transaction.atomic
def advisor_create(
    *,
    username: str,
    password: str | None,
    display_name: str,
    email: str = "",
    team: Team | None = None,
    role: str = Advisor.Role.ADVISOR,
    languages: Sequence[str] = ("fr",),
    skills: Sequence[str] = (),
    working_hours: dict | None = None,
    extension: str = "",
) -> Advisor:
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise UsernameTaken(username=username)
    try:
        # The unique username decides between two concurrent creations.
        with transaction.atomic():
            user = user_model.objects.create_user(
                username=username,
                email=email,
                password=password,
                is_staff=role == Advisor.Role.ADMIN,
                is_superuser=role == Advisor.Role.ADMIN,
            )
    except IntegrityError as error:
        raise UsernameTaken(username=username) from error
    advisor = Advisor.objects.create(
        user=user,
        display_name=display_name,
        team=team,
        role=role,
        languages=list(languages),
        skills=list(skills),
        working_hours=working_hours or {},
        extension=extension.strip(),
    )
    if role == Advisor.Role.LEAD and team is not None and team.lead_id is None:
        team.lead = advisor
        team.save(update_fields=["lead"])
    return advisor


@transaction.atomic
def advisor_set_backup(*, advisor: Advisor, backup: Advisor | None) -> Advisor:
    if backup is not None and backup.pk == advisor.pk:
        raise InvalidBackup(advisor_id=advisor.pk)
    advisor.backup = backup
    advisor.save(update_fields=["backup"])
    return advisor


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user_id: int, name: str = "") -> tuple[ApiToken, str]:
    """Create a token and return it with its clear value, which is never stored."""
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user_id=user_id,
        name=name,
        prefix=clear[:12],
        digest=_digest(clear),
        created_at=clock.now(),
    )
    return token, clear


def api_token_authenticate(clear: str) -> ApiToken | None:
    """The live token matching `clear`, with its user, or None."""
    token = (
        ApiToken.objects.select_related("user", "user__advisor")
        .filter(digest=_digest(clear), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is not None:
        # One cheap UPDATE, skipped when the token was used within the last minute.
        moment = clock.now()
        if token.last_used_at is None or (moment - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
    return token
