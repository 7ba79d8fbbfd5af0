"""IMAP polling against a real Dovecot started for the test (Debian's dovecot-imapd)."""

import imaplib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from suivi.channels.email import config
from suivi.channels.email.imap import poll
from suivi.channels.models import InboundMessage

DOVECOT = "/usr/sbin/dovecot"
CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dovecot():
    if not os.path.exists(DOVECOT) or os.geteuid() != 0:
        pytest.skip("needs Debian's dovecot-imapd and root to start a private Dovecot")
    # Dovecot's own users must reach the maildir: a directory of ours under /tmp.
    root = Path(tempfile.mkdtemp(prefix="suivi-dovecot-"))
    root.chmod(0o755)
    for name in ("run", "state", "mail"):
        (root / name).mkdir()
    shutil.chown(root / "mail", "dovecot", "dovecot")
    (root / "passwd").write_text("support:{PLAIN}secret\n")
    port = _free_port()
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")])
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError((root / "dovecot.log").read_text()) from None
            time.sleep(0.1)
    yield port
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=15)
    shutil.rmtree(root, ignore_errors=True)


def _append(port: int, raw: bytes, folder: str = "INBOX") -> None:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login("support", "secret")
    client.append(folder, None, None, raw)
    client.logout()


def _flags(port: int) -> list[bytes]:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login("support", "secret")
    client.select("INBOX")
    _typ, data = client.fetch("1:*", "(FLAGS)")
    client.logout()
    return [item for item in data if item]


def _mail(n: int) -> bytes:
    return (
        f"From: Client {n} <client{n}@example.org>\r\nTo: support@suivi.localhost\r\n"
        f"Subject: Question {n}\r\nMessage-ID: <imap-{n}@example.org>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour, une question.\r\n"
    ).encode()


def _mailbox(port: int, move_to: str = "") -> config.Mailbox:
    return config.Mailbox(
        host="127.0.0.1", port=port, ssl=False, username="support", password="secret",
        folder="INBOX", move_to=move_to,
    )  # fmt: skip


def test_poll_stores_new_mail_once_and_marks_it_seen_after(
    dovecot, db, deliver, django_capture_on_commit_callbacks
):
    # given one message already received over SMTP, and the same plus two new in IMAP
    deliver(_mail(1))
    for n in (1, 2, 3):
        _append(dovecot, _mail(n))

    # when the mailbox is polled (twice)
    with django_capture_on_commit_callbacks(execute=True):
        stored = poll(_mailbox(dovecot))
    with django_capture_on_commit_callbacks(execute=True):
        again = poll(_mailbox(dovecot))

    # then the two new ones are stored and processed, nothing twice, all marked seen
    assert (stored, again) == (2, 0)
    assert InboundMessage.objects.count() == 3
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {"done"}
    assert all(b"\\Seen" in line for line in _flags(dovecot))


def test_poll_can_move_processed_mail(dovecot, db, settings):
    client = imaplib.IMAP4("127.0.0.1", dovecot)
    client.login("support", "secret")
    client.create("Processed")
    client.logout()
    _append(dovecot, _mail(7))
    settings.SUIVI_IMAP_MAILBOXES = (
        f"imap://support:secret@127.0.0.1:{dovecot}/INBOX?move_to=Processed"
    )

    call_command("imap_poll")

    assert InboundMessage.objects.get().source == "imap:support@127.0.0.1/INBOX"
    client = imaplib.IMAP4("127.0.0.1", dovecot)
    client.login("support", "secret")
    _typ, inbox = client.select("INBOX")
    _typ, processed = client.select("Processed")
    client.logout()
    assert (inbox, processed) == ([b"0"], [b"1"])
