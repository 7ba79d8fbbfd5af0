"""`suivi promises_sweep [--every SECONDS]`: the promise sweep, now or repeatedly."""

from suivi.core.management.repeating import RepeatingCommand
from suivi.promises.services import promises_sweep


class Command(RepeatingCommand):
    help = "Mark promises at risk or broken, alert owners, tell customers a new time."

    def run_once(self) -> str:
        result = promises_sweep()
        return (
            f"at risk {result.at_risk}, customers told {result.customers_told}, "
            f"broken {result.broken}, alerts {result.alerts}"
        )
