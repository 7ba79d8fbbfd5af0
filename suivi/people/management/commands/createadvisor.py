"""`suivi createadvisor USERNAME`: an advisor account, with its team."""

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suivi.core.errors import DomainError
from suivi.people.models import Advisor
from suivi.people.services import advisor_create, team_create


class Command(BaseCommand):
    help = "Create an advisor (a login) in a team. The password is asked for, or read from "
    "SUIVI_ADVISOR_PASSWORD with --no-input."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--display-name", required=True)
        parser.add_argument("--team", default="", help="Team name; created if missing.")
        parser.add_argument("--role", choices=Advisor.Role.values, default=Advisor.Role.ADVISOR)
        parser.add_argument("--email", default="")
        parser.add_argument("--language", action="append", dest="languages", default=None)
        parser.add_argument("--no-input", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("SUIVI_ADVISOR_PASSWORD")
        if password is None and not options["no_input"]:
            password = getpass.getpass("Password: ")
        if not password:
            raise CommandError("A password is required (SUIVI_ADVISOR_PASSWORD with --no-input).")
        team = team_create(name=options["team"]) if options["team"] else None
        try:
            advisor = advisor_create(
                username=options["username"],
                password=password,
                display_name=options["display_name"],
                email=options["email"],
                team=team,
                role=options["role"],
                languages=options["languages"] or ["fr"],
            )
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"Advisor {advisor.display_name} ({advisor.user.username}) created.")
