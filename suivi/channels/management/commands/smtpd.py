"""`suivi smtpd`: the built-in SMTP receiver for the support addresses."""

import asyncio
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from suivi.channels.email import config
from suivi.channels.email.smtp import serve


class Command(BaseCommand):
    help = "Receive e-mail for the support addresses over SMTP (default port 2525)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=config.smtp_host())
        parser.add_argument("--port", type=int, default=config.smtp_port())

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        async def main() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stop.set)
            addresses = ", ".join(config.support_addresses())
            self.stdout.write(f"Receiving e-mail for {addresses} on SMTP {host}:{port}")
            self.stdout.flush()
            await serve(host, port, stop)

        asyncio.run(main())
        self.stdout.write("SMTP receiver stopped.")
