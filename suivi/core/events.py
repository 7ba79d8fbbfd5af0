"""Domain events: how a package reacts to another without the lower one importing it.

A lower package (conversations) declares and publishes events; a higher one (promises)
subscribes in its AppConfig.ready(). Handlers run synchronously inside the publisher's
transaction, so a reaction (keeping a promise when an answer is recorded) commits or
rolls back with its cause. Work that must wait for the commit (a live push, an e-mail)
belongs in `transaction.on_commit` inside the handler.
"""

from collections.abc import Callable
from typing import Any

Handler = Callable[..., None]


class DomainEvent:
    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: list[Handler] = []

    def subscribe(self, handler: Handler) -> Handler:
        """Register `handler` once (ready() may run twice in tests); usable as a decorator."""
        if handler not in self._handlers:
            self._handlers.append(handler)
        return handler

    def publish(self, **payload: Any) -> None:
        for handler in list(self._handlers):
            handler(**payload)

    def __repr__(self) -> str:
        return f"<DomainEvent {self.name}>"
