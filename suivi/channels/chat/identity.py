"""Identity tokens: how a host site tells the widget who its signed-in customer is.

A token is ``v1.<payload>.<signature>``: the payload is the base64url (no padding) of
a JSON object ``{"email": ..., "external_id": ..., "name": ..., "exp": <unix time>}``
(``email`` or ``external_id`` required, ``name`` optional), the signature the base64url
of HMAC-SHA256(widget secret, the payload as it is in the token). The host site makes it
on its server, never in the browser: the secret must not reach the page.
"""

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from suivi.core.errors import InvalidInput

VERSION = "v1"
MAX_TOKEN_LENGTH = 2048


class IdentityInvalid(InvalidInput):
    code = "identity_invalid"
    default_message = _("This identity token is not valid.")


class IdentityExpired(InvalidInput):
    code = "identity_expired"
    default_message = _("This identity token has expired.")


@dataclass(frozen=True)
class Claims:
    email: str
    external_id: str
    name: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode("ascii"), hashlib.sha256).digest())


def sign(*, secret: str, claims: dict[str, Any]) -> str:
    """Make a token (what the host site does; here for tests, the docs and the demo)."""
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{VERSION}.{payload}.{_signature(secret, payload)}"


def verify(*, secret: str, token: str, now: datetime) -> Claims:
    """The claims of a genuine, unexpired token; IdentityInvalid or IdentityExpired."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise IdentityInvalid()
    version, _sep, rest = token.partition(".")
    payload, _sep, signature = rest.partition(".")
    if version != VERSION or not payload or not signature:
        raise IdentityInvalid()
    try:
        expected = _signature(secret, payload)
    except UnicodeEncodeError as error:
        raise IdentityInvalid() from error
    # Compared in constant time: a forger learns nothing from how long a refusal takes.
    if not hmac.compare_digest(expected, signature):
        raise IdentityInvalid()
    try:
        data = json.loads(_unb64(payload))
    except (ValueError, binascii.Error) as error:
        raise IdentityInvalid() from error
    if not isinstance(data, dict):
        raise IdentityInvalid()
    exp = data.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise IdentityInvalid()
    if exp < now.timestamp():
        raise IdentityExpired()
    email, external_id, name = (data.get(k) or "" for k in ("email", "external_id", "name"))
    if not all(isinstance(v, str) for v in (email, external_id, name)):
        raise IdentityInvalid()
    if not (email or external_id):
        raise IdentityInvalid()
    return Claims(email=email.strip(), external_id=external_id.strip()[:254], name=name.strip())
