"""HMAC-SHA256 signatures of the PBX bridge's requests.

The bridge signs `"{timestamp}.{body}"` with the shared secret and sends
`X-Suivi-Timestamp: {unix seconds}` and `X-Suivi-Signature: sha256={hex}`. For a GET the
body is the query string exactly as sent. A timestamp more than 5 minutes away from our
clock is refused, so a captured request cannot be replayed later; within the window the
event id (idempotency key) makes a replay harmless.
"""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings

from suivi.core import clock

from .errors import (
    PhoneNotConfigured,
    PhoneSignatureMissing,
    PhoneTimestampStale,
    PhoneUnauthenticated,
)

TOLERANCE = timedelta(minutes=5)
TIMESTAMP_HEADER = "X-Suivi-Timestamp"
SIGNATURE_HEADER = "X-Suivi-Signature"


def secret() -> str:
    return str(settings.SUIVI_PHONE_WEBHOOK_SECRET)


def sign(*, body: bytes, timestamp: int | str, key: str | None = None) -> str:
    """The value of X-Suivi-Signature for this body and timestamp."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new((key or secret()).encode(), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(*, body: bytes, timestamp: str | None, signature: str | None) -> None:
    """Raise a 401 error unless the request is signed with our secret, recently."""
    key = secret()
    if not key:
        raise PhoneNotConfigured()
    if not timestamp or not signature:
        raise PhoneSignatureMissing()
    try:
        seconds = int(timestamp.strip())
    except ValueError as error:
        raise PhoneUnauthenticated() from error
    expected = sign(body=body, timestamp=timestamp.strip(), key=key)
    given = signature.strip()
    if not given.startswith("sha256="):
        given = f"sha256={given}"
    # Compare before looking at the time, in constant time: a wrong signature says nothing.
    if not hmac.compare_digest(expected.encode(), given.lower().encode()):
        raise PhoneUnauthenticated()
    if abs(clock.now().timestamp() - seconds) > TOLERANCE.total_seconds():
        raise PhoneTimestampStale()
