"""The CTI event a PBX bridge posts (docs/channels/phone.md), read strictly."""

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import PhoneEventInvalid

EventType = Literal["call.ringing", "call.answered", "call.ended", "call.voicemail"]
# A PBX never needs more; a bigger body is refused before it is stored.
MAX_BODY_BYTES = 16_384


class PhoneEvent(BaseModel):
    # Bridges add their own fields (Twilio, Aircall...): kept in the raw body, ignored here.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=200)
    type: EventType
    call_id: str = Field(min_length=1, max_length=200)
    direction: Literal["inbound", "outbound"] = "inbound"
    # The caller and the number called, E.164 preferred ("+33612345678").
    from_: str = Field("", alias="from", max_length=64)
    to: str = Field("", max_length=64)
    # The advisor's extension (or SIP user) when the PBX knows who it rings / who answered.
    advisor: str = Field("", max_length=32)
    occurred_at: datetime | None = None
    queue_wait_seconds: int | None = Field(None, ge=0, le=86_400)
    duration_seconds: int | None = Field(None, ge=0, le=86_400)

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("occurred_at needs its time zone (e.g. 2026-03-02T09:30:00Z)")
        return value

    @property
    def customer_number(self) -> str:
        return self.from_ if self.direction == "inbound" else self.to

    @property
    def our_number(self) -> str:
        return self.to if self.direction == "inbound" else self.from_


def parse_event(body: bytes) -> PhoneEvent:
    """The event in `body`, or PhoneEventInvalid listing what is wrong."""
    if len(body) > MAX_BODY_BYTES:
        raise PhoneEventInvalid(size=len(body))
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise PhoneEventInvalid(reason="not_json") from error
    if not isinstance(data, dict):
        raise PhoneEventInvalid(reason="not_an_object")
    try:
        return PhoneEvent.model_validate(data)
    except ValidationError as error:
        errors = [
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors()
        ]
        raise PhoneEventInvalid(errors=errors[:10]) from error
