"""The parser reads each distinct header once and remembers it: what it remembers must
never leak from one message into another."""

from suivi.channels.email import parsing


def _raw(charset: str, body: bytes, sender: str = "Anne <anne@example.org>") -> bytes:
    return (
        f"From: {sender}\r\nTo: support@suivi.localhost\r\nSubject: Facture\r\n"
        f"Message-ID: <{charset}@example.org>\r\n"
        f"Content-Type: text/plain; charset={charset}\r\n\r\n"
    ).encode() + body


def test_two_messages_differing_only_in_charset_are_each_decoded_with_their_own():
    # given the same text in UTF-8 and in Latin-1
    utf8 = _raw("utf-8", "Réglé, merci.".encode())
    latin = _raw("iso-8859-1", "Réglé, merci.".encode("latin-1"))

    # when both are parsed, twice, in turn
    texts = [parsing.parse(raw).text for raw in (utf8, latin, utf8, latin)]

    # then each is read in its own charset every time
    assert texts == ["Réglé, merci."] * 4


def test_a_remembered_header_is_the_same_for_another_message():
    # given two senders, the first parsed before the second
    first = parsing.parse(_raw("utf-8", b"Bonjour", sender="Anne <anne@example.org>"))
    second = parsing.parse(_raw("utf-8", b"Bonjour", sender="Paul <paul@example.org>"))
    again = parsing.parse(_raw("utf-8", b"Bonjour", sender="Anne <anne@example.org>"))

    # then each message has its own sender
    assert [m.from_address for m in (first, second, again)] == [
        "anne@example.org",
        "paul@example.org",
        "anne@example.org",
    ]


def test_the_remembered_headers_stay_bounded(monkeypatch):
    # given a small bound
    monkeypatch.setattr(parsing, "_PARSED_HEADERS_MAX", 5)

    # when many distinct messages are parsed
    for n in range(20):
        parsed = parsing.parse(_raw("utf-8", b"Bonjour", sender=f"C{n} <c{n}@example.org>"))
        assert parsed.from_address == f"c{n}@example.org"

    # then the memo never grew past it
    assert len(parsing._PARSED_HEADERS) <= 5
