"""From raw bytes to what a person reads: headers decoded, the best body chosen, HTML
sanitised, attachments listed, auto-replies recognised.

Python's `email` package (policy=default) does the MIME work. Mail from the wild is
often broken, so every header and every part is read defensively: a bad header or an
unknown charset degrades one field, never the whole message.
"""

import email
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from typing import Any

from suivi.core.text import sanitise_html

from .html_text import html_to_text
from .quotes import strip_quoted

# Types never kept: they run code when opened.
DANGEROUS_EXTENSIONS = frozenset(
    {
        ".exe", ".bat", ".cmd", ".com", ".scr", ".pif", ".vbs", ".vbe", ".js", ".jse", ".wsf",
        ".wsh", ".msi", ".msp", ".jar", ".ps1", ".hta", ".cpl", ".lnk", ".reg", ".dll",
    }
)  # fmt: skip
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?reply|autoreply|auto:|out of (the )?office|absente? du bureau|"
    r"r[ée]ponse automatique|undeliverable|"
    r"undelivered mail|delivery status notification|mail delivery failed|non remis)",
    re.IGNORECASE,
)


class _RememberingPolicy(EmailPolicy):
    """`email.policy.default` that parses each distinct header once.

    The default policy parses a header anew at every access: one message's Content-Type
    was parsed about ten times (by the parser itself, then by the charset, disposition
    and filename accessors), and most headers repeat from one message to the next
    ("text/plain; charset=utf-8", our own address in To). A parsed header is an
    immutable string; the same name and raw value always parse to the same one."""

    def header_fetch_parse(self, name: str, value: Any) -> Any:
        if hasattr(value, "name"):
            return value
        key = (name, value)
        parsed = _PARSED_HEADERS.get(key)
        if parsed is None:
            parsed = super().header_fetch_parse(name, value)
            if len(_PARSED_HEADERS) >= _PARSED_HEADERS_MAX:
                _PARSED_HEADERS.clear()
            _PARSED_HEADERS[key] = parsed
        return parsed


# Bounded: a long-running worker sees every sender's From and Subject once.
_PARSED_HEADERS: dict[tuple[str, str], Any] = {}
_PARSED_HEADERS_MAX = 2048
_POLICY = _RememberingPolicy()


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes
    inline: bool = False
    content_id: str = ""

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def dangerous(self) -> bool:
        name = self.filename.lower()
        return any(name.endswith(ext) for ext in DANGEROUS_EXTENSIONS) or self.content_type in {
            "application/x-msdownload",
            "application/x-msdos-program",
            "application/javascript",
        }


@dataclass
class ParsedEmail:
    message_id: str
    subject: str
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    date: datetime | None
    in_reply_to: list[str]
    references: list[str]
    text: str  # the whole plain text, quotes included
    visible_text: str  # what is new: quoted replies and signature removed
    html: str  # sanitised; empty when the visible text had to be cut out of it
    attachments: list[Attachment] = field(default_factory=list)
    auto_reply: str = ""  # why it is an auto-reply or a bounce; empty for a person's mail
    language: str = ""

    @property
    def is_auto(self) -> bool:
        return bool(self.auto_reply)

    @property
    def quoted_removed(self) -> bool:
        return self.visible_text.strip() != self.text.strip()


def parse(raw: bytes) -> ParsedEmail:
    message = email.message_from_bytes(raw, policy=_POLICY)
    assert isinstance(message, EmailMessage)
    from_name, from_address = _address(message, "From")
    if not from_address:
        from_name, from_address = _address(message, "Sender")
    text, html = _bodies(message)
    if not text and html:
        text = html_to_text(html)
    visible = strip_quoted(text)
    # The HTML shows the quoted history too; once it is cut from the text, show the text.
    kept_html = sanitise_html(html) if html and visible.strip() == text.strip() else ""
    subject = " ".join(_header(message, "Subject").split())
    parsed = ParsedEmail(
        message_id=next(iter(_ids(_header(message, "Message-ID"))), ""),
        subject=subject,
        from_address=from_address,
        from_name=from_name,
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        date=_date(message),
        in_reply_to=_ids(_header(message, "In-Reply-To")),
        references=_ids(_header(message, "References")),
        text=text.strip(),
        visible_text=visible.strip(),
        html=kept_html,
        attachments=_attachments(message),
        auto_reply=_auto_reply(message, from_address, subject),
        language=_language(message),
    )
    return parsed


# A plain "Message-ID: <...>" line, the shape nearly every message has.
_PLAIN_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*<([!-;=?-~]{1,250})>[ \t]*\r?$", re.I | re.M)


def external_id(raw: bytes) -> str:
    """The idempotency key of an e-mail: its Message-ID, or a digest when it has none."""
    # The receiver calls this before answering: a plain Message-ID line in the headers is
    # read as is (the full header parser gives the same for it, ten times slower).
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    plain = _PLAIN_MESSAGE_ID.findall(head)
    if len(plain) == 1 and len(re.findall(rb"^message-id:", head, re.I | re.M)) == 1:
        return f"mid:{plain[0].decode('ascii')}"[:255]
    try:
        message = BytesParser(policy=_POLICY).parsebytes(raw, headersonly=True)
        ids = _ids(_header(message, "Message-ID"))
    except Exception:
        ids = []
    if ids:
        return f"mid:{ids[0]}"[:255]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


# A folded header's line breaks (each followed by the white space that stays).
_FOLDING = re.compile(r"\r?\n(?=[ \t])")


def _header(message: Message, name: str) -> str:
    """A header as text; RFC 2047 decoded; '' when absent or beyond repair."""
    lowered = name.lower()
    raw = next((v for k, v in message.raw_items() if k.lower() == lowered), None)
    if raw is None:
        return ""
    if (
        isinstance(raw, str)
        and raw.isascii()
        and "=?" not in raw
        and ("(" not in raw or lowered == "subject")
    ):
        # Plain ASCII without encoded words or comments (which the header parser drops
        # from addresses), as nearly every From, Subject and Message-ID is: the text is
        # the value unfolded, what the header parser gives for it, which it would take
        # ten times longer to find (each sender's From is parsed anew).
        return _FOLDING.sub("", raw).strip()
    try:
        value = message.get(name)
    except Exception:
        value = None
        raw_values = [v for k, v in message._headers if k.lower() == name.lower()]  # type: ignore[attr-defined]
        value = raw_values[0] if raw_values else None
    if value is None:
        return ""
    try:
        return str(value)
    except Exception:
        try:
            return str(make_header(decode_header(str(value))))
        except Exception:
            return ""


def _address(message: Message, name: str) -> tuple[str, str]:
    value = _header(message, name)
    if not value:
        return "", ""
    display, address = email.utils.parseaddr(value)
    address = address.strip().lower()
    if "@" not in address:
        # parseaddr gives up on some broken headers; take anything shaped like an address.
        found = re.search(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+", value)
        address = found.group(0).lower() if found else ""
    return display.strip().strip('"'), address


def _addresses(message: Message, name: str) -> list[str]:
    value = _header(message, name)
    if not value:
        return []
    return [addr.lower() for _n, addr in email.utils.getaddresses([value]) if "@" in addr]


def _ids(value: str) -> list[str]:
    ids = _MESSAGE_ID.findall(value)
    if not ids and value.strip() and " " not in value.strip():
        ids = [value.strip().strip("<>")]
    return [i[:250] for i in ids]


def _date(message: Message) -> datetime | None:
    value = _header(message, "Date")
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


def _decode(part: Message) -> str:
    """A text part's content in its charset; Latin-1 read as Windows-1252 (what senders
    mean in practice); an unknown charset falls back instead of failing."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload())
    charset = (part.get_content_charset() or "").lower()
    if charset in {"iso-8859-1", "latin-1", "latin1", "iso8859-1"}:
        charset = "cp1252"
    elif charset in {"us-ascii", "ascii", ""}:
        charset = "utf-8"
    for candidate in (charset, "utf-8", "cp1252"):
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")


def _is_attachment(part: Message, ctype: str) -> bool:
    """`ctype`: the part's `get_content_type()`, read once by the caller (each call parses
    the header again)."""
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or (
        bool(part.get_filename()) and ctype.partition("/")[0] != "text"
    )


def _bodies(message: Message) -> tuple[str, str]:
    """The plain text and the HTML a person would read, first of each, not attachments."""
    text, html = "", ""
    for part in message.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if _is_attachment(part, ctype):
            continue
        if ctype == "text/plain" and not text:
            text = _decode(part)
        elif ctype == "text/html" and not html:
            html = _decode(part)
    return text.replace("\r\n", "\n"), html


def _attachments(message: Message) -> list[Attachment]:
    found = []
    for part in message.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        inline_image = ctype.partition("/")[0] == "image"
        if not (_is_attachment(part, ctype) or inline_image):
            continue
        if ctype in {"message/delivery-status", "message/rfc822"} and not part.get_filename():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        try:
            filename = part.get_filename() or ""
        except Exception:
            filename = ""
        disposition = (part.get_content_disposition() or "").lower()
        found.append(
            Attachment(
                filename=_safe_filename(filename, ctype),
                content_type=ctype[:127],
                content=payload,
                inline=disposition == "inline" or (inline_image and disposition != "attachment"),
                content_id=_header(part, "Content-ID").strip("<> ")[:255],
            )
        )
    return found


def _safe_filename(filename: str, content_type: str) -> str:
    name = re.sub(r"[\x00-\x1f/\\]", "_", filename).strip(". ")[:200]
    if name:
        return name
    extension = content_type.split("/")[-1].split("+")[0][:10]
    return f"attachment.{extension}"


def _auto_reply(message: Message, from_address: str, subject: str) -> str:
    """Why this message was written by a machine (RFC 3834 and common practice)."""
    auto_submitted = _header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return "auto_submitted"
    if message.get_content_type() == "multipart/report":
        return "bounce"
    if _header(message, "Precedence").strip().lower() in {"bulk", "junk", "list", "auto_reply"}:
        return "precedence"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autorespond-Status"):
        if _header(message, name):
            return "x_autoreply"
    local = from_address.partition("@")[0]
    if local in {"mailer-daemon", "postmaster"}:
        return "bounce"
    if _AUTO_SUBJECT.match(subject):
        return "subject"
    return ""


def _language(message: Message) -> str:
    value = _header(message, "Content-Language").strip().lower()
    return value[:2] if value[:2] in {"fr", "en"} else ""
