"""`suivi token create USERNAME`: a bearer token for the API, printed once."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from suivi.core import clock
from suivi.people.models import ApiToken
from suivi.people.services import api_token_create


class Command(BaseCommand):
    help = "Manage API tokens: `token create USERNAME`, `token revoke PREFIX`."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token and print it.")
        create.add_argument("username")
        create.add_argument("--name", default="")
        revoke = actions.add_parser("revoke", help="Revoke a token by its printed prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            user = get_user_model().objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user named {options['username']!r}.")
            _token, clear = api_token_create(user_id=user.pk, name=options["name"])
            self.stdout.write(clear)
            return
        count = ApiToken.objects.filter(
            prefix=options["prefix"][:12], revoked_at__isnull=True
        ).update(revoked_at=clock.now())
        if not count:
            raise CommandError("No live token has this prefix.")
        self.stdout.write(f"{count} token revoked.")
