"""The ASGI application served for real by uvicorn, for the WebSocket and browser tests.

uvicorn runs in a thread of the test process, on a port of its own, so that the test can
publish domain events (a ringing call, a new interaction) that reach its sockets through
the in-memory channel layer as they would in one web process; with Redis they travel
through the real server. Data must be committed for the server to see it: use
`django_db(transaction=True)`.
"""

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import redis
import uvicorn
from django.db import connections

from suivi.settings import redis_channel_layer

REDIS_URL = os.environ.get("SUIVI_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class AsgiServer:
    url: str
    ws_url: str


@contextmanager
def serve_asgi() -> Iterator[AsgiServer]:
    from suivi.asgi import application

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(application, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    # The server's threads open their own connections: close them after each use, so that
    # the test database can be flushed and dropped.
    settings_dict = connections["default"].settings_dict
    max_age, settings_dict["CONN_MAX_AGE"] = settings_dict["CONN_MAX_AGE"], 0
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        yield AsgiServer(url=f"http://127.0.0.1:{port}", ws_url=f"ws://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        settings_dict["CONN_MAX_AGE"] = max_age
        _end_server_sessions()


def _end_server_sessions() -> None:
    """A request cut short by the shutdown may leave its thread's connection open, which
    would keep the test database from being dropped: end the sessions the server's
    threads still hold on this (test) database."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    if connection.pool is not None:
        # Connections those threads borrowed from this process's pool are never given
        # back: start from a fresh pool (ours goes back first). Health checks replace
        # any pooled connection the statement below ends.
        connection.close()
        connection.close_pool()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(params=["memory", "redis"])
def channel_layer(request, settings) -> Iterator[str]:
    """The in-memory layer (the default) and Redis (SUIVI_REDIS_URL, as `.ci/run` starts
    it), each under a name of its own so that parallel runs never share a group."""
    prefix = f"suivi-test-{uuid.uuid4().hex[:12]}"
    if request.param == "redis":
        settings.CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL, prefix)}
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    yield request.param
    if request.param == "redis":
        # The layer's own flush would close connections that belong to other loops.
        with redis.Redis.from_url(REDIS_URL) as client:
            for key in client.scan_iter(f"{prefix}*"):
                client.delete(key)


@pytest.fixture
def asgi_server(channel_layer) -> Iterator[AsgiServer]:
    with serve_asgi() as server:
        yield server
