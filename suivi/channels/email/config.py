"""E-mail settings, read from Django settings first (tests override them there), else
from SUIVI_* environment variables, so that settings.py stays one module of defaults."""

import os
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings


def _setting(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value) if not isinstance(value, list | tuple) else ",".join(value)


def support_addresses() -> list[str]:
    """The addresses customers write to, lower-case. The first one signs our replies."""
    raw = _setting("SUIVI_SUPPORT_ADDRESSES", "support@suivi.localhost")
    return [item.strip().lower() for item in raw.split(",") if item.strip()]


def smtp_port() -> int:
    return int(_setting("SUIVI_SMTP_PORT", "2525"))


def smtp_host() -> str:
    return _setting("SUIVI_SMTP_HOST", "127.0.0.1")


def max_message_bytes() -> int:
    return int(_setting("SUIVI_EMAIL_MAX_BYTES", str(25 * 1024 * 1024)))


def max_attachment_bytes() -> int:
    return int(_setting("SUIVI_EMAIL_MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024)))


def acknowledgements_per_hour() -> int:
    """Acknowledgements one sender may receive per hour; the rest are not sent."""
    return int(_setting("SUIVI_EMAIL_ACKS_PER_HOUR", "3"))


def sender_name() -> str:
    return _setting("SUIVI_EMAIL_SENDER_NAME", "Suivi")


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    ssl: bool
    username: str
    password: str
    folder: str
    move_to: str

    @property
    def label(self) -> str:
        return f"imap:{self.username}@{self.host}/{self.folder}"


def imap_mailboxes() -> list[Mailbox]:
    """SUIVI_IMAP_MAILBOXES: comma-separated URLs such as
    imaps://user:password@mail.example.org/INBOX?move_to=Processed (imap:// for plain)."""
    mailboxes = []
    for url in _setting("SUIVI_IMAP_MAILBOXES", "").split(","):
        if not url.strip():
            continue
        parts = urlsplit(url.strip())
        ssl = parts.scheme == "imaps"
        query = parse_qs(parts.query)
        mailboxes.append(
            Mailbox(
                host=parts.hostname or "localhost",
                port=parts.port or (993 if ssl else 143),
                ssl=ssl,
                username=unquote(parts.username or ""),
                password=unquote(parts.password or ""),
                folder=unquote(parts.path.lstrip("/")) or "INBOX",
                move_to=query.get("move_to", [""])[0],
            )
        )
    return mailboxes
