"""`load_demo`: load the bilingual demo company into the database, once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from suivi.demo.data import load_demo


class Command(BaseCommand):
    help = "Load the demo company (teams, advisors, customers, histories) unless already there."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, customers: int, seed: int, **options: Any) -> None:
        summary = load_demo(seed=seed, customers=customers, stdout=self.stdout)
        if summary.created:
            self.stdout.write(f"Log in as {summary.username} / {summary.password}")
