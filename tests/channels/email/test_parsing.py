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
    parsing._PARSED_HEADERS.clear()

    # when many distinct messages are parsed, their senders' names in encoded words (a
    # plain ASCII header is read without the header parser, so without the memo)
    for n in range(20):
        sender = f"=?utf-8?q?C=C3=A9{n}?= <c{n}@example.org>"
        parsed = parsing.parse(_raw("utf-8", b"Bonjour", sender=sender))
        assert (parsed.from_name, parsed.from_address) == (f"Cé{n}", f"c{n}@example.org")

    # then the memo never grew past it
    assert len(parsing._PARSED_HEADERS) <= 5


def test_plain_ascii_headers_read_without_the_parser_read_as_with_it():
    from email import message_from_bytes
    from email.policy import default

    # given ASCII headers of every shape: folded, quoted, with comments, several addresses
    raw = (
        b'From: "Durand, Anne" (client) <Anne.Durand@Example.org>\r\n'
        b'To: support@suivi.localhost,\r\n  "Ventes" <ventes@suivi.localhost>\r\n'
        b"Cc: a@example.org (A), b@example.org\r\n"
        b"Subject: Ma facture\r\n  de mars   (suite)\r\n"
        b"Message-ID:\r\n <m1@example.org>\r\n"
        b"References: <r1@example.org>\r\n\t<r2@example.org>\r\n"
        b"Date: Mon, 3 Mar 2025 09:00:00 +0100\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour\r\n"
    )

    # when they are read (without the header parser) and parsed with Python's
    parsed = parsing.parse(raw)
    reference = message_from_bytes(raw, policy=default)

    # then what comes out is what the header parser gives
    assert parsed.subject == " ".join(str(reference["Subject"]).split())
    assert (parsed.from_name, parsed.from_address) == ("Durand, Anne", "anne.durand@example.org")
    assert parsed.to == ["support@suivi.localhost", "ventes@suivi.localhost"]
    assert parsed.cc == ["a@example.org", "b@example.org"]
    assert parsed.message_id == "m1@example.org"
    assert parsed.references == ["r1@example.org", "r2@example.org"]
    assert parsed.date == reference["Date"].datetime
