"""The demo is ready for a PBX bridge: extensions on its advisors, a printed secret that
signs real requests."""

import io
import json
import os
import time

import pytest
from django.core.management import call_command
from django.test import Client

from suivi.channels.phone import signing
from suivi.demo.data import load_demo
from suivi.people.models import Advisor


@pytest.fixture
def var_dir(tmp_path, settings, monkeypatch):
    # The command writes its token and secret into var/: a fresh one, and an environment
    # the test can spoil.
    monkeypatch.setattr(os, "environ", os.environ.copy())
    os.environ["SUIVI_VAR_DIR"] = str(tmp_path)
    os.environ.pop("SUIVI_PHONE_WEBHOOK_SECRET", None)
    os.environ.pop("SUIVI_PHONE_WEBHOOK_SECRET_FILE", None)
    settings.VAR_DIR = tmp_path
    settings.SUIVI_PHONE_WEBHOOK_SECRET = ""
    return tmp_path


def test_demo_advisors_have_desk_phones(db):
    load_demo(customers=20)

    extensions = list(Advisor.objects.order_by("extension").values_list("extension", flat=True))

    assert extensions == [str(n) for n in range(201, 201 + len(extensions))]
    assert Advisor.objects.get(user__username="demo").extension == "202"


def test_demo_prints_a_phone_secret_that_signs_webhooks(db, var_dir):
    # when
    out = io.StringIO()
    call_command("demo", no_run=True, customers=20, stdout=out)

    # then the line is there, next to the API token, and the secret is kept in var/
    lines = out.getvalue().splitlines()
    token_line = next(i for i, line in enumerate(lines) if line.startswith("API token: "))
    secret_line = next(line for line in lines if line.startswith("Phone webhook secret: "))
    secret = secret_line.removeprefix("Phone webhook secret: ")
    assert len(secret) >= 32 and lines.index(secret_line) > token_line
    assert (var_dir / "phone_webhook_secret").read_text().strip() == secret
    assert os.environ["SUIVI_PHONE_WEBHOOK_SECRET_FILE"] == str(var_dir / "phone_webhook_secret")

    # and a request signed with it is accepted
    body = json.dumps({"id": "demo-1", "type": "call.ringing", "call_id": "d1"}).encode()
    stamp = int(time.time())
    response = Client().post(
        "/api/v1/channels/phone/events",
        data=body,
        content_type="application/json",
        headers={
            "X-Suivi-Timestamp": str(stamp),
            "X-Suivi-Signature": signing.sign(body=body, timestamp=stamp, key=secret),
        },
    )
    assert response.status_code == 200, response.content


def test_a_configured_secret_is_printed_as_is(db, var_dir, settings):
    settings.SUIVI_PHONE_WEBHOOK_SECRET = "configured-by-the-operator"
    out = io.StringIO()

    call_command("demo", no_run=True, customers=20, stdout=out)

    assert "Phone webhook secret: configured-by-the-operator" in out.getvalue().splitlines()
    assert not (var_dir / "phone_webhook_secret").exists()
