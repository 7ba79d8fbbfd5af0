"""A team with extensions, a customer with a phone number, and a PBX bridge that signs."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count

import pytest
from django.core.cache import cache
from django.test import Client

from suivi.channels.phone import signing
from suivi.core import clock
from suivi.customers.models import Customer
from suivi.people import services as people
from suivi.people.models import Advisor
from tests import builders

SECRET = "test-phone-secret-not-a-real-one"
CALLER = "+33612345678"
OUR_LINE = "+33180000000"
# Wednesday 16 April 2025, 10:00 in Paris: everybody is at work.
WEDNESDAY_10AM = datetime(2025, 4, 16, 8, 0, tzinfo=UTC)
_events = count(1)


@pytest.fixture(autouse=True)
def _phone_settings(settings):
    settings.SUIVI_PHONE_WEBHOOK_SECRET = SECRET
    # Rate-limit counters live in the cache: each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def now():
    with clock.frozen_at(WEDNESDAY_10AM) as hand:
        yield hand


@dataclass
class Office:
    marie: Advisor
    lea: Advisor
    customer: Customer


@pytest.fixture
def office(db, now, team) -> Office:
    marie = people.advisor_create(
        username="marie", password=None, display_name="Marie Dupont", team=team, extension="201"
    )
    lea = people.advisor_create(
        username="lea", password=None, display_name="Léa Martin", team=team, extension="202"
    )
    people.advisor_set_backup(advisor=marie, backup=lea)
    customer = builders.customer(advisor=marie, phone=CALLER)
    return Office(marie=marie, lea=lea, customer=customer)


class Pbx:
    """What a PBX bridge does: sign each event and POST it over HTTP."""

    def __init__(self, capture) -> None:
        self.client = Client()
        self.capture = capture

    def headers(self, body: bytes, *, timestamp: int | None = None, key: str = SECRET) -> dict:
        moment = int(clock.now().timestamp()) if timestamp is None else timestamp
        return {
            signing.TIMESTAMP_HEADER: str(moment),
            signing.SIGNATURE_HEADER: signing.sign(body=body, timestamp=moment, key=key),
        }

    def post_raw(self, body: bytes, headers: dict | None = None):
        # The test task backend runs the processing at once, after the commit.
        with self.capture(execute=True):
            return self.client.post(
                "/api/v1/channels/phone/events",
                data=body,
                content_type="application/json",
                headers=self.headers(body) if headers is None else headers,
            )

    def send(self, type_: str, call_id: str = "call-1", **fields):
        event = {
            "id": fields.pop("id", f"evt-{next(_events)}"),
            "type": type_,
            "call_id": call_id,
            "direction": "inbound",
            "from": CALLER,
            "to": OUR_LINE,
            **fields,
        }
        body = json.dumps(event).encode()
        return self.post_raw(body)

    def route(self, query: str, *, signed: bool = True):
        headers = self.headers(query.encode()) if signed else {}
        return self.client.get(f"/api/v1/channels/phone/route?{query}", headers=headers)


@pytest.fixture
def pbx(django_capture_on_commit_callbacks) -> Pbx:
    return Pbx(django_capture_on_commit_callbacks)
