"""Latency of the live inbox: from the commit of a new interaction (or a ringing call) to
the fragment received by the advisor's browser socket.

    .venv/bin/python bench/live_push.py [--advisors 100] [--pushes 300] [--layer both]

Serves the ASGI app with uvicorn (in this process, on a free port), opens two sockets
per advisor (the desk and an open customer file) with the `websockets` client, then
records inbound interactions through the real service and rings calls, and times until
the socket has the fragment. Runs against SUIVI_DATABASE_URL (default a database of its
own, suivi_live_bench, created and migrated when missing); Redis from SUIVI_REDIS_URL
(default redis://127.0.0.1:6379/0). Prints p50/p95/p99/max in milliseconds per kind of
push and layer, and the time the publisher spends handing a push to the layer.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")
os.environ.setdefault("SUIVI_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("SUIVI_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/suivi_live_bench")
os.environ.setdefault("SUIVI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SUIVI_LOG_LEVEL", "ERROR")

import dj_database_url
import psycopg
import redis
from psycopg import sql


def ensure_database(url: str) -> None:
    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return
    admin = psycopg.connect(
        host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
        dbname="postgres", autocommit=True,
    )  # fmt: skip
    with admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


ensure_database(os.environ["SUIVI_DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from websockets.sync.client import ClientConnection, connect  # noqa: E402

from suivi.channels.phone import events as phone_events  # noqa: E402
from suivi.conversations import services as conversations  # noqa: E402
from suivi.conversations.models import Case  # noqa: E402
from suivi.people.models import Advisor  # noqa: E402
from suivi.people.services import advisor_create  # noqa: E402
from suivi.settings import redis_channel_layer  # noqa: E402
from tests import builders  # noqa: E402
from tests.asgi_server import serve_asgi  # noqa: E402

REDIS_URL = os.environ.get("SUIVI_REDIS_URL", "redis://127.0.0.1:6379/0")


PREFIX = f"suivi-bench-{uuid.uuid4().hex[:8]}"


def layers(kind: str) -> dict:
    if kind == "redis":
        return {"default": redis_channel_layer(REDIS_URL, PREFIX)}
    return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def forget_redis_keys() -> None:
    with redis.Redis.from_url(REDIS_URL) as client:
        for key in client.scan_iter(f"{PREFIX}*"):
            client.delete(key)


def people(count: int) -> list[tuple[Advisor, Case]]:
    """One team; each advisor with one customer and one case of their own."""
    tag = uuid.uuid4().hex[:6]
    team = builders.team(f"Bench live {tag}")
    made = []
    for n in range(count):
        advisor = advisor_create(
            username=f"bench-live-{tag}-{n}", password=uuid.uuid4().hex,
            display_name=f"Bench {tag} {n}", team=team, role=Advisor.Role.ADVISOR,
        )  # fmt: skip
        customer = builders.customer(
            given_name=f"Client{n}", advisor=advisor, team=team, email=f"{tag}-{n}@bench.example"
        )
        made.append((advisor, builders.case(customer=customer, subject=f"Sujet {n}")))
    return made


def cookie(advisor: Advisor) -> str:
    client = Client()
    client.force_login(advisor.user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def open_socket(
    stack: ExitStack, url: str, origin: str, advisor: Advisor, request: dict
) -> ClientConnection:
    ws = stack.enter_context(
        connect(
            f"{url}/ws/desk/?lang=fr",
            origin=origin,
            additional_headers={"Cookie": cookie(advisor)},
        )
    )
    assert json.loads(ws.recv(timeout=10))["type"] == "hello"
    ws.send(json.dumps(request))
    assert json.loads(ws.recv(timeout=10))["type"].startswith("watching")
    return ws


def wait_for(ws: ClientConnection, kind: str) -> None:
    while json.loads(ws.recv(timeout=10))["type"] != kind:
        pass


def summary(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    q = statistics.quantiles(ordered, n=100)
    return (
        f"  {name:<34} n={len(ordered):<5} p50={q[49]:6.1f}  p95={q[94]:6.1f}  "
        f"p99={q[98]:6.1f}  max={ordered[-1]:6.1f} ms"
    )


def run(kind: str, made: list[tuple[Advisor, Case]], pushes: int) -> None:
    with override_settings(CHANNEL_LAYERS=layers(kind)):
        record, timeline, inbox, call, publish = rounds(made, pushes)
    if kind == "redis":
        forget_redis_keys()
    print(f"layer: {kind}  ({len(made) * 2} sockets open)")
    print(summary("record (the service call alone)", record))
    print(summary("record → timeline entry received", timeline))
    print(summary("record → inbox row received", inbox))
    print(summary("call published → screen-pop received", call))
    print(summary("publisher: hand-over to the layer", publish))


def rounds(made: list[tuple[Advisor, Case]], pushes: int) -> tuple[list[float], ...]:
    with serve_asgi() as server, ExitStack() as stack:
        desks, files = [], []
        for advisor, case in made:
            desks.append(
                open_socket(stack, server.ws_url, server.url, advisor, {"type": "watch_inbox"})
            )
            files.append(
                open_socket(
                    stack, server.ws_url, server.url, advisor,
                    {"type": "watch", "customer_id": case.customer_id},
                )
            )  # fmt: skip
        record, timeline, inbox, call, publish = [], [], [], [], []
        rng = random.Random(1)
        for n in range(pushes):
            i = rng.randrange(len(made))
            advisor, case = made[i]
            # a new inbound message: both the open file and the desk are told
            committed = time.perf_counter()
            conversations.interaction_record(
                case=case, channel="email", direction="in", text=f"Message {n}"
            )
            record.append((time.perf_counter() - committed) * 1000)
            wait_for(files[i], "timeline")
            timeline.append((time.perf_counter() - committed) * 1000)
            wait_for(desks[i], "inbox")
            inbox.append((time.perf_counter() - committed) * 1000)
            # a ringing call: the publisher's cost is the hand-over to the layer only
            started = time.perf_counter()
            phone_events.call_ringing.publish(
                advisor_id=advisor.pk, customer_id=case.customer_id,
                call_id=f"bench-{n}", from_number="+33612345678",
            )  # fmt: skip
            published = time.perf_counter()
            publish.append((published - started) * 1000)
            wait_for(desks[i], "call")
            call.append((time.perf_counter() - published) * 1000)
            # the answer takes the case out of the inbox again
            conversations.interaction_record(
                case=case, channel="email", direction="out", text="Réponse",
                author_advisor=advisor,
            )  # fmt: skip
            wait_for(desks[i], "inbox_remove")
            wait_for(files[i], "timeline")
    return record, timeline, inbox, call, publish


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisors", type=int, default=100)
    parser.add_argument("--pushes", type=int, default=300)
    parser.add_argument("--layer", choices=["memory", "redis", "both"], default="both")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    # Bench data is throw-away; skip the real password hashing of every advisor.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    made = people(args.advisors)
    print(f"{args.advisors} advisors, {args.pushes} rounds; {os.cpu_count()} CPU")
    for kind in ["memory", "redis"] if args.layer == "both" else [args.layer]:
        run(kind, made, args.pushes)


if __name__ == "__main__":
    main()
