"""Rate limits of the public chat socket, kept in the memory of the web process.

Per connection: a token bucket over every frame. Per IP address: new connections per
minute, open connections, and message frames per minute over all its connections.
The per-IP counters are per process: with N web processes an address gets N times the
budget (put the limits of your reverse proxy in front for a hard cap).
"""

import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from django.conf import settings


def _setting(name: str) -> int:
    return int(getattr(settings, name))


@dataclass
class Bucket:
    """Token bucket: `burst` frames at once, then `per_second` frames a second."""

    burst: float
    per_second: float
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)

    def take(self) -> float:
        """0 when a token was taken, else the seconds until one is available."""
        now = time.monotonic()
        if self.tokens < 0:
            self.tokens = self.burst
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_second


def connection_bucket() -> Bucket:
    return Bucket(
        burst=_setting("SUIVI_CHAT_FRAME_BURST"),
        per_second=_setting("SUIVI_CHAT_FRAMES_PER_MINUTE") / 60,
    )


class PerAddress:
    """Sliding one-minute windows per IP address, plus open connections."""

    def __init__(self) -> None:
        self.connects: dict[str, deque[float]] = defaultdict(deque)
        self.messages: dict[str, deque[float]] = defaultdict(deque)
        self.open: dict[str, int] = defaultdict(int)

    @staticmethod
    def _hit(window: deque[float], limit: int) -> bool:
        now = time.monotonic()
        while window and window[0] <= now - 60:
            window.popleft()
        if limit and len(window) >= limit:
            return False
        window.append(now)
        return True

    def connect(self, address: str) -> bool:
        """Count a new connection; False when the address is over its budget."""
        limit = _setting("SUIVI_CHAT_IP_CONNECTIONS")
        if limit and self.open[address] >= limit:
            return False
        if not self._hit(self.connects[address], _setting("SUIVI_CHAT_IP_CONNECTS_PER_MINUTE")):
            return False
        self.open[address] += 1
        return True

    def disconnect(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            self.open.pop(address, None)
            if not self.connects[address]:
                self.connects.pop(address, None)

    def message(self, address: str) -> bool:
        return self._hit(self.messages[address], _setting("SUIVI_CHAT_IP_MESSAGES_PER_MINUTE"))


addresses = PerAddress()
