"""`suivi clock`: enqueue the registered periodic tasks when they are due."""

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from suivi.core.periodic import Schedule, registered

logger = logging.getLogger("suivi.clock")


class Command(BaseCommand):
    help = "Enqueue periodic tasks (promise sweeps, reminders, ...) for the workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Enqueue every task once and exit.")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        tasks = registered()
        schedule = Schedule(tasks)
        running = True

        def stop(signum: int, _frame: Any) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(f"{t.task_path} every {t.every_seconds:g} s" for t in tasks)
        logger.info("Clock started: %s", names or "no periodic task registered")
        while running:
            now = time.monotonic()
            for task in schedule.due(now):
                try:
                    task.enqueue()
                except Exception:
                    # One task failing to enqueue (database down) must not stop the others.
                    logger.exception("Could not enqueue %s", task.task_path)
            if once:
                return
            time.sleep(min(1.0, schedule.seconds_to_next(time.monotonic())) or 0.05)
