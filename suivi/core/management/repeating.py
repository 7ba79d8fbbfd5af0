"""A management command that does one idempotent pass, or repeats it every N seconds.

`suivi run` does not need the repeating form (its clock enqueues the same tasks for the
workers); it is for operators who prefer cron, a systemd timer or a one-off check.
"""

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class RepeatingCommand(BaseCommand):
    def run_once(self) -> str:
        """Do one pass and say what it did, in one line."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Repeat every SECONDS until stopped (default: once).",
        )

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        running = True

        def stop(signum: int, _frame: Any) -> None:
            nonlocal running
            running = False

        previous = {}
        if every > 0:
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, stop)
        try:
            while running:
                started = time.monotonic()
                summary = self.run_once()
                self.stdout.write(f"{summary} ({time.monotonic() - started:.2f} s)")
                if every <= 0:
                    return
                deadline = started + every
                while running and time.monotonic() < deadline:
                    time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
