"""The embedded default, end to end: `suivi migrate` and `suivi run` on SQLite, a real
HTTP request to the web server, a task picked up by the real worker, an e-mail through
the real SMTP receiver, and a clean stop.

This runs whatever database the rest of the suite uses, so SQLite cannot rot.
"""

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

SCRIPT = """
from suivi.customers.services import IdentityInput, customer_create
customer_create(given_name="Jeanne", family_name="Moreau",
                identities=[IdentityInput("email", "jeanne.moreau+edf@gmail.com")])
customer_create(given_name="Jeanne", family_name="Moreau",
                identities=[IdentityInput("email", "jeanne.moreau@gmail.com")])
"""
COUNT = (
    "from suivi.customers.models import PossibleDuplicate; print(PossibleDuplicate.objects.count())"
)
CASES = (
    "from suivi.conversations.models import Case; "
    "print(Case.objects.filter(subject='Compteur bloqué').count())"
)
MAIL = """From: Paul Girard <paul.girard@example.fr>
To: support@suivi.localhost
Subject: Compteur bloqué
Message-ID: <smoke-1@example.fr>
Content-Type: text/plain; charset=utf-8

Bonjour, mon compteur est bloqué depuis hier.
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "SUIVI_DATABASE_URL": f"sqlite:///{tmp_path / 'suivi.sqlite3'}",
        "SUIVI_VAR_DIR": str(tmp_path),
        "SUIVI_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "SUIVI_SECRET_KEY": "insecure-smoke-test-key",
        "SUIVI_SMTP_PORT": str(_free_port()),
    }
    return env


def suivi(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "suivi", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def _wait_for(url: str, deadline: float) -> bytes:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _wait_for_port(port: int, deadline: float) -> None:
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_run_serves_http_runs_tasks_and_stops_cleanly(sqlite_env):
    # given a migrated embedded database
    suivi(sqlite_env, "migrate", "--verbosity", "0")
    port = _free_port()

    # when the web server and the worker run together
    server = subprocess.Popen(
        [sys.executable, "-m", "suivi", "run", "--port", str(port)],
        env=sqlite_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        schema = json.loads(
            _wait_for(f"http://127.0.0.1:{port}/api/openapi.json", time.monotonic() + 30)
        )
        suivi(sqlite_env, "shell", "--no-imports", "-c", SCRIPT)
        deadline = time.monotonic() + 30
        while suivi(sqlite_env, "shell", "--no-imports", "-c", COUNT).strip() != "1":
            assert time.monotonic() < deadline, "the worker never ran the duplicate check"
            time.sleep(0.5)
        # and an e-mail through the built-in SMTP receiver becomes a case
        smtp_port = int(sqlite_env["SUIVI_SMTP_PORT"])
        _wait_for_port(smtp_port, deadline)
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
            refused = smtp.sendmail(
                "paul.girard@example.fr", ["support@suivi.localhost"], MAIL.encode()
            )
        deadline = time.monotonic() + 30
        while suivi(sqlite_env, "shell", "--no-imports", "-c", CASES).strip() != "1":
            assert time.monotonic() < deadline, "the e-mail never became a case"
            time.sleep(0.5)
    finally:
        # then Ctrl-C (SIGINT to the whole group, as a terminal does) stops everything
        os.killpg(server.pid, signal.SIGINT)
        output, _ = server.communicate(timeout=30)

    assert schema["info"]["title"] == "Suivi API"
    assert refused == {}
    assert server.returncode == 0, output
    assert "Suivi stopped." in output


def test_createadvisor_and_token_create(sqlite_env):
    suivi(sqlite_env, "migrate", "--verbosity", "0")
    env = {**sqlite_env, "SUIVI_ADVISOR_PASSWORD": "a-long-password-1"}

    created = suivi(
        env, "createadvisor", "lea", "--display-name", "Léa Martin", "--team", "Agence Lyon",
        "--no-input",
    )  # fmt: skip
    token = suivi(sqlite_env, "token", "create", "lea").strip()

    assert "Léa Martin" in created
    assert token.startswith("svi_")
    script = (
        "from suivi.people.services import api_token_authenticate; "
        f"print(api_token_authenticate({token!r}).user.advisor.team.name)"
    )
    assert suivi(sqlite_env, "shell", "--no-imports", "-c", script).strip() == "Agence Lyon"


def test_token_create_for_an_unknown_user_fails_clearly(sqlite_env):
    suivi(sqlite_env, "migrate", "--verbosity", "0")

    with pytest.raises(subprocess.CalledProcessError) as failure:
        suivi(sqlite_env, "token", "create", "nobody")

    assert "No user named 'nobody'" in failure.value.stderr
