"""`suivi imap_poll`: fetch new mail from the configured IMAP mailboxes once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from suivi.channels.email import config
from suivi.channels.email.imap import poll


class Command(BaseCommand):
    help = "Fetch new messages from the mailboxes in SUIVI_IMAP_MAILBOXES and store them."

    def handle(self, *args: Any, **options: Any) -> None:
        mailboxes = config.imap_mailboxes()
        if not mailboxes:
            raise CommandError("No mailbox configured: set SUIVI_IMAP_MAILBOXES.")
        failed = False
        for mailbox in mailboxes:
            try:
                count = poll(mailbox)
            except Exception as error:
                failed = True
                self.stderr.write(f"{mailbox.label}: {error}")
                continue
            self.stdout.write(f"{mailbox.label}: {count} new message(s)")
        if failed:
            raise CommandError("Some mailboxes could not be read.")
