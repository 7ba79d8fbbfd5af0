"""Support addresses, plus-addressing and the signed case token in reply addresses.

Our replies go out with Reply-To `support+c123-k7x2m9q4ab@domain`: the customer's answer
finds case 123 even from another address or with a new subject. The token is an HMAC of
the case id under the secret key, so nobody can write into a case by guessing a number.
"""

import re

from django.utils.crypto import constant_time_compare, salted_hmac

from . import config

_SALT = "suivi.channels.email.case-token"
_TOKEN = re.compile(r"^c(\d{1,18})-([0-9a-z]{10})$")


def case_token(case_id: int) -> str:
    digest = salted_hmac(_SALT, str(case_id), algorithm="sha256").hexdigest()
    # 10 base-36 characters: about 51 bits, far beyond what guessing by mail can reach.
    number = int(digest[:16], 16)
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    chars = []
    for _ in range(10):
        number, rest = divmod(number, 36)
        chars.append(alphabet[rest])
    return f"c{case_id}-{''.join(chars)}"


def case_from_token(token: str) -> int | None:
    match = _TOKEN.match(token.lower())
    if match is None:
        return None
    case_id = int(match.group(1))
    return case_id if constant_time_compare(case_token(case_id), token.lower()) else None


def split(address: str) -> tuple[str, str, str]:
    """'Support+c1-x@Example.org' -> ('support', 'c1-x', 'example.org')."""
    local, _at, domain = address.strip().strip("<>").lower().rpartition("@")
    base, _plus, tag = local.partition("+")
    return base, tag, domain


def is_support_address(address: str) -> bool:
    """One of our addresses, or one of their plus-addresses."""
    base, _tag, domain = split(address)
    return f"{base}@{domain}" in config.support_addresses()


def reply_address(case_id: int) -> str:
    base, _tag, domain = split(config.support_addresses()[0])
    return f"{base}+{case_token(case_id)}@{domain}"


def case_in_addresses(addresses: list[str]) -> int | None:
    """The case a valid token in one of our recipient addresses points to."""
    for address in addresses:
        if not is_support_address(address):
            continue
        _base, tag, _domain = split(address)
        if tag and (case_id := case_from_token(tag)) is not None:
            return case_id
    return None
