"""A real uvicorn serving Suivi's ASGI application on a free port, in a thread of the
test process (so it shares the test database), and a small WebSocket client."""

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from django.db import connections
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve() -> Iterator[str]:
    """Yield the base URL (http://127.0.0.1:PORT) of a running server."""
    from channels.layers import channel_layers

    from suivi.asgi import application

    # A channel layer belongs to the event loop that first used it (channels_redis refuses
    # a second loop): each server, with its own loop, starts from a fresh layer.
    channel_layers.backends.clear()
    # Worker threads open their own connections; close them after each call so the test
    # database can be flushed and dropped.
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    port = free_port()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
        ws="auto",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        channel_layers.backends.clear()


class Chat:
    """A WebSocket client that reads JSON frames, keeping those not asked for yet."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.frames: list[dict[str, Any]] = []

    def send(self, frame: Any) -> None:
        self.socket.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))

    def expect(self, kind: str, timeout: float = 5.0, **match: Any) -> dict[str, Any]:
        """The first frame of this type (and matching fields), waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            for frame in self.frames:
                if frame.get("type") == kind and all(frame.get(k) == v for k, v in match.items()):
                    self.frames.remove(frame)
                    return frame
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {kind} {match} frame; got {self.frames}")
            try:
                self.frames.append(json.loads(self.socket.recv(timeout=left)))
            except TimeoutError:
                continue

    def drain(self, timeout: float = 0.3) -> list[dict[str, Any]]:
        """Every frame that arrives within `timeout`."""
        try:
            while True:
                self.frames.append(json.loads(self.socket.recv(timeout=timeout)))
        except (TimeoutError, ConnectionClosed):
            pass
        frames, self.frames = self.frames, []
        return frames

    def close(self) -> None:
        self.socket.close()


def ws_url(base: str, path: str) -> str:
    return base.replace("http://", "ws://", 1) + path


@contextmanager
def chat_socket(
    base: str, key: str, *, origin: str | None = None, headers: dict[str, str] | None = None
) -> Iterator[Chat]:
    url = ws_url(base, f"/ws/chat/{key}/")
    with connect(url, origin=origin or base, additional_headers=headers, open_timeout=5) as sock:  # type: ignore[arg-type]
        yield Chat(sock)
