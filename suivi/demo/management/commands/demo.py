"""`suivi demo`: migrate the embedded database, load the demo once, print how to log in,
then run the web server and the worker."""

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from suivi.channels.email import config as email_config
from suivi.demo.data import DEMO_PASSWORD, DEMO_USERNAME, load_demo
from suivi.demo.secret import ensure_phone_webhook_secret
from suivi.people.services import api_token_authenticate, api_token_create


class Command(BaseCommand):
    help = "Set up and run Suivi with a realistic bilingual demo company."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("SUIVI_PORT", "8000")))
        parser.add_argument("--customers", type=int, default=3000)
        parser.add_argument("--no-run", action="store_true", help="Set up, print, and stop.")

    def handle(self, *args: Any, port: int, customers: int, no_run: bool, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        load_demo(customers=customers, stdout=self.stdout)
        token = self._demo_token()
        self.stdout.write("")
        self.stdout.write(f"URL: http://127.0.0.1:{port}/")
        self.stdout.write(f"Login: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        self.stdout.write(f"API token: {token}")
        self.stdout.write(f"API docs: http://127.0.0.1:{port}/api/docs")
        self.stdout.write(
            f"Support e-mail: {email_config.support_addresses()[0]} "
            f"via SMTP {email_config.smtp_host()}:{email_config.smtp_port()}"
        )
        self.stdout.write(f"Phone webhook secret: {self._phone_secret()}")
        self.stdout.write("")
        if not no_run:
            call_command("run", port=port)

    def _phone_secret(self) -> str:
        """The secret a PBX bridge signs with (docs/channels/phone.md): the configured
        one, else the demo's own in var/ (`suivi demo` points the settings at it)."""
        if not settings.SUIVI_PHONE_WEBHOOK_SECRET:
            # Started as `manage.py demo`: settings were read before the secret existed.
            path = ensure_phone_webhook_secret()
            settings.SUIVI_PHONE_WEBHOOK_SECRET = path.read_text().strip()
        return str(settings.SUIVI_PHONE_WEBHOOK_SECRET)

    def _demo_token(self) -> str:
        """The demo's token, kept in var/ so that it stays the same across restarts."""
        path = Path(settings.VAR_DIR) / "demo_token"
        if path.exists():
            clear = path.read_text().strip()
            if api_token_authenticate(clear) is not None:
                return clear
        user = get_user_model().objects.get(username=DEMO_USERNAME)
        _token, clear = api_token_create(user_id=user.pk, name="demo")
        path.write_text(clear)
        path.chmod(0o600)
        return clear
