"""The SMTP receiver over real sockets: smtplib talks to aiosmtpd, which answers only
after the raw message is committed."""

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from suivi.channels.email.smtp import SupportHandler, smtp_factory
from suivi.channels.models import InboundMessage
from suivi.conversations.models import Interaction

MESSAGE = (
    "From: Hélène Durand <helene@example.org>\r\n"
    "To: support@suivi.localhost\r\n"
    "Subject: Facture\r\n"
    "Message-ID: <smtp-1@example.org>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Bonjour, ma facture est fausse.\r\n"
).encode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Receiver(Controller):
    def factory(self):  # type: ignore[override]
        return smtp_factory(self.handler)


@pytest.fixture
def receiver(transactional_db, settings):
    settings.SUIVI_EMAIL_MAX_BYTES = 20_000
    controller = _Receiver(SupportHandler(workers=2), hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    controller.stop()
    controller.handler.close()


def send(port: int, raw: bytes, to: list[str], sender: str = "helene@example.org") -> dict:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        return client.sendmail(sender, to, raw)


def test_250_after_the_message_is_stored_and_processed(receiver):
    refused = send(receiver.port, MESSAGE, ["support@suivi.localhost"])

    assert refused == {}
    message = InboundMessage.objects.get()
    assert bytes(message.raw) == MESSAGE
    assert message.envelope["rcpt_tos"] == ["support@suivi.localhost"]
    assert message.status == "done"
    assert Interaction.objects.filter(direction="in").count() == 1


def test_a_plus_address_is_accepted(receiver):
    assert send(receiver.port, MESSAGE, ["Support+ventes@suivi.localhost"]) == {}


def test_550_for_an_unknown_recipient(receiver):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(receiver.port, MESSAGE, ["someone@suivi.localhost"])

    (code, _text) = refused.value.recipients["someone@suivi.localhost"]
    assert code == 550
    assert not InboundMessage.objects.exists()


def test_a_mix_of_recipients_keeps_only_ours(receiver):
    refused = send(receiver.port, MESSAGE, ["support@suivi.localhost", "x@elsewhere.example"])

    assert list(refused) == ["x@elsewhere.example"]
    assert InboundMessage.objects.get().envelope["rcpt_tos"] == ["support@suivi.localhost"]


def test_552_over_the_size_limit(receiver):
    big = MESSAGE + b"x" * 30_000 + b"\r\n"

    with pytest.raises(smtplib.SMTPResponseException) as error:
        send(receiver.port, big, ["support@suivi.localhost"])

    assert error.value.smtp_code == 552
    assert not InboundMessage.objects.exists()


def test_the_same_message_sent_twice_is_stored_once(receiver):
    send(receiver.port, MESSAGE, ["support@suivi.localhost"])
    send(receiver.port, MESSAGE, ["support@suivi.localhost"])

    assert InboundMessage.objects.count() == 1
    assert Interaction.objects.filter(direction="in").count() == 1


# --- `suivi smtpd` as a real process, and a database outage ---------------------------


def _start_smtpd(env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "suivi", "smtpd", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                raise AssertionError(process.stdout.read() if process.stdout else "") from None
            time.sleep(0.1)
    process.kill()
    raise AssertionError("suivi smtpd did not start")


def _stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=20)
    return out


def _send_expecting_451(port: int) -> None:
    with pytest.raises(smtplib.SMTPDataError) as error:
        send(port, MESSAGE, ["support@suivi.localhost"])
    assert error.value.smtp_code == 451


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SUIVI_DATABASE_URL": database_url,
        "SUIVI_VAR_DIR": str(tmp_path),
        "SUIVI_SECRET_KEY": "insecure-smoke-test-key",
        "SUIVI_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }


def test_smtpd_answers_451_while_the_database_is_unusable_and_loses_nothing(tmp_path):
    # given `suivi smtpd` on a database that cannot take messages (not migrated yet)
    env = _env(tmp_path, f"sqlite:///{tmp_path / 'suivi.sqlite3'}")
    port = _free_port()
    smtpd = _start_smtpd(env, port)
    try:
        # when a server delivers, it is told to try again later (it keeps the message)
        _send_expecting_451(port)

        # when the database is back and the sending server retries
        subprocess.run(
            [sys.executable, "-m", "suivi", "migrate", "--verbosity", "0"],
            env=env, check=True, timeout=180,
        )  # fmt: skip
        refused = send(port, MESSAGE, ["support@suivi.localhost"])
    finally:
        _stop(smtpd)

    # then it is accepted and stored exactly once
    assert refused == {}
    count = subprocess.run(
        [sys.executable, "-m", "suivi", "shell", "-v", "0", "-c",
         "from suivi.channels.models import InboundMessage as M; "
         "print(M.objects.count(), M.objects.get().status)"],
        env=env, check=True, capture_output=True, text=True, timeout=60,
    ).stdout.split()  # fmt: skip
    assert count == ["1", "done"]


@pytest.mark.postgresql
def test_smtpd_answers_451_when_postgresql_refuses_the_connection(tmp_path):
    env = _env(tmp_path, "postgres://postgres@127.0.0.1:5432/suivi_email_does_not_exist")
    port = _free_port()
    smtpd = _start_smtpd(env, port)
    try:
        _send_expecting_451(port)
        # the receiver stays up and answers the same way to the next delivery
        _send_expecting_451(port)
    finally:
        output = _stop(smtpd)
    assert "database unavailable" in output
