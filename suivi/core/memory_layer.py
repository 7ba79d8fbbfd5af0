"""The in-memory channel layer (one web process, no Redis) without its sweep per message.

Channels' `InMemoryChannelLayer` walks every channel queue and every group membership of
the process on each `group_send` and each `receive`, to drop expired ones: with 2,000
chat sockets open, each chat message cost three walks of 2,000 entries, a fifth of the
web process's CPU (bench/chat_load.py under py-spy). Expired messages and memberships
are still dropped, at most once a second.
"""

import time

from channels.layers import InMemoryChannelLayer


class SweptInMemoryChannelLayer(InMemoryChannelLayer):
    SWEEP_EVERY = 1.0

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < self.SWEEP_EVERY:
            return
        self._swept_at = now
        super()._clean_expired()
