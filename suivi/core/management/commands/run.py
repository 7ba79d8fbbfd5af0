"""`suivi run`: the ASGI web server and the task worker, started and stopped together."""

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Run the web server (uvicorn), the task worker, the clock and the SMTP receiver."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("SUIVI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SUIVI_PORT", "8000")))
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Start the web server only (no worker, no clock).",
        )
        parser.add_argument(
            "--no-smtpd", action="store_true", help="Do not start the built-in SMTP receiver."
        )

    def handle(
        self, *args: Any, host: str, port: int, no_worker: bool, no_smtpd: bool, **options: Any
    ) -> None:
        commands = {
            "web": [
                sys.executable, "-m", "uvicorn", "suivi.asgi:application",
                "--host", host, "--port", str(port), "--no-server-header", "--log-level", "warning",
                # Chat and desk frames are small JSON: compressing each one saved little and
                # cost CPU and a compressor per socket (docs/performance.md, web chat).
                "--ws-per-message-deflate", "false",
            ],
        }  # fmt: skip
        if not no_worker:
            commands["worker"] = [sys.executable, "-m", "suivi", "db_worker", "--interval", "0.5"]
            commands["clock"] = [sys.executable, "-m", "suivi", "clock"]
        if not no_smtpd:
            commands["smtpd"] = [sys.executable, "-m", "suivi", "smtpd"]
        # Our own interpreter and fixed arguments: nothing comes from outside.
        children = {name: subprocess.Popen(argv) for name, argv in commands.items()}  # noqa: S603
        self.stdout.write(f"Suivi is running on http://{host}:{port}/ (Ctrl-C to stop)")
        stopping = False

        def stop(signum: int, _frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        exit_code = 0
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} stopped (exit code {child.returncode}).")
                        exit_code, stopping = child.returncode or 1, True
                time.sleep(0.2)
        finally:
            self._stop_all(children)
        self.stdout.write("Suivi stopped.")
        if exit_code:
            sys.exit(exit_code)

    def _stop_all(self, children: dict[str, subprocess.Popen]) -> None:
        # A terminal's Ctrl-C already reached the children; SIGTERM covers `kill`.
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
