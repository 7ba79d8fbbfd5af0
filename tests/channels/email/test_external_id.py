"""The idempotency key of an e-mail: the quick read of a plain Message-ID line gives
exactly what the full header parser gives, so a message delivered again is recognised."""

import email
import hashlib
from email.policy import default

import pytest

from suivi.channels.email import parsing

from .conftest import CORPUS


def _by_header_parser(raw: bytes) -> str:
    try:
        message = email.message_from_bytes(raw, policy=default)
        ids = parsing._ids(parsing._header(message, "Message-ID"))
    except Exception:
        ids = []
    return f"mid:{ids[0]}"[:255] if ids else "sha256:" + hashlib.sha256(raw).hexdigest()


ODD = [
    b"Message-ID: <a@b>\r\nSubject: x\r\n\r\nMessage-ID: <in-the-body@x>\r\n",
    b"Subject: no id\r\n\r\nMessage-ID: <in-the-body@x>\r\n",
    b"Message-ID: <first@b>\r\nMessage-ID: <second@d>\r\n\r\nx",
    b"Message-ID:\r\n <folded@x>\r\n\r\nx",
    b"Message-Id: <Mixed.Case@Host> \r\n\r\nx",
    b"message-id: =?utf-8?q?encoded?=\r\n\r\nx",
    b"Message-ID: <with space@c>\r\n\r\nx",
    b"Message-ID: <unix@line.endings>\nSubject: x\n\nbody",
]


@pytest.mark.parametrize("raw", [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))] + ODD)
def test_external_id_is_what_the_header_parser_reads(raw):
    assert parsing.external_id(raw) == _by_header_parser(raw)
