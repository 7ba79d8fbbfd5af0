"""`suivi inbound`: see and replay inbound messages.

suivi inbound list                 messages that need attention, with their error
suivi inbound replay ID [ID ...]   process these messages again
suivi inbound replay --all-failed  process again every message that needs attention
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suivi.channels import inbound
from suivi.core.errors import DomainError


class Command(BaseCommand):
    help = "List inbound messages that need attention, or replay them."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="Messages that need attention.")
        replay = actions.add_parser("replay", help="Process messages again.")
        replay.add_argument("ids", nargs="*", type=int)
        replay.add_argument("--all-failed", action="store_true")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "list":
            counts = inbound.inbound_counts()
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "-")
            for message in inbound.inbound_needing_attention():
                error = (message.last_error.splitlines() or [""])[0]
                self.stdout.write(
                    f"{message.pk}\t{message.channel}\t{message.received_at:%Y-%m-%d %H:%M}\t"
                    f"{message.attempts} attempts\t{error}"
                )
            return
        ids: list[int] = options["ids"]
        if options["all_failed"]:
            if ids:
                raise CommandError("Give message ids or --all-failed, not both.")
            count = inbound.inbound_replay_all_failed()
            self.stdout.write(f"{count} message(s) queued again.")
            return
        if not ids:
            raise CommandError("Give at least one message id, or --all-failed.")
        for message_id in ids:
            try:
                message = inbound.inbound_replay(message=inbound.inbound_get(message_id=message_id))
            except DomainError as error:
                raise CommandError(f"{message_id}: {error.message}") from error
            self.stdout.write(f"{message.pk} queued again.")
