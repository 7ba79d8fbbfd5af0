"""`suivi appointments_remind [--every SECONDS]`: send the reminders due now."""

from suivi.core.management.repeating import RepeatingCommand
from suivi.scheduling.reminders import appointments_send_reminders


class Command(RepeatingCommand):
    help = "Remind customers of their appointments (idempotent; safe with several processes)."

    def run_once(self) -> str:
        return f"{appointments_send_reminders()} reminder(s) sent."
