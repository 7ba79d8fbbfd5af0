"""The advisor's socket, `/ws/desk/?lang=fr`: one per open advisor page.

The socket joins the group of its advisor only, so a push addressed to an advisor never
reaches anyone else. A page showing a customer's file may `watch` that customer, after
the same permission check as the page itself; the desk asks for its inbox with
`watch_inbox`. Every push is then rendered for this advisor by `fragments`, which checks
again that the advisor may see it. See docs/live.md for the protocol.
"""

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils.translation import override

from suivi.conversations.selectors import customer_access
from suivi.core.errors import NotFound
from suivi.people.models import Advisor
from suivi.people.selectors import advisor_for_user

from . import fragments, handlers, push

# Close codes (4000-4999 are the application's own); the page does not reconnect after
# these: a new login is needed.
CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_AN_ADVISOR = 4403


def _advisor_of(user: object) -> Advisor | None:
    advisor = advisor_for_user(user)
    if advisor is not None:
        # is_admin reads the user: load it here, not later in the event loop.
        _ = advisor.user.is_superuser
    return advisor


def _may_see(advisor: Advisor, customer_id: int) -> bool:
    try:
        customer_access(advisor=advisor, customer_id=customer_id)
    except NotFound:
        return False
    return True


def _language(query_string: bytes) -> str:
    """The page's language (its <html lang>), if it is one of ours."""
    asked = parse_qs(query_string.decode("latin-1")).get("lang", [""])[0]
    codes = {code for code, _name in settings.LANGUAGES}
    return asked if asked in codes else settings.LANGUAGE_CODE


class DeskConsumer(AsyncJsonWebsocketConsumer):
    advisor: Advisor | None = None
    watching: int | None = None
    inbox: bool = False
    language: str = ""

    async def connect(self) -> None:
        push.serving(asyncio.get_running_loop())
        user = self.scope.get("user")
        # Accept then close, so that the page receives our code (a refused handshake
        # would only show a generic failure) and knows not to retry.
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        advisor = await database_sync_to_async(_advisor_of)(user)
        if advisor is None:
            await self.close(code=CLOSE_NOT_AN_ADVISOR)
            return
        self.advisor = advisor
        self.language = _language(self.scope.get("query_string", b""))
        await self.channel_layer.group_add(push.advisor_group(advisor.pk), self.channel_name)
        await self.send_json({"type": "hello", "advisor_id": advisor.pk})

    async def disconnect(self, code: int) -> None:
        if self.advisor is not None:
            await self.channel_layer.group_discard(
                push.advisor_group(self.advisor.pk), self.channel_name
            )
        await self._unwatch()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.advisor is None:
            return
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "watch":
            await self._watch(content.get("customer_id"))
        elif kind == "unwatch":
            await self._unwatch()
            await self.send_json({"type": "unwatched"})
        elif kind == "watch_inbox":
            self.inbox = True
            await self.send_json({"type": "watching_inbox"})
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "code": "unknown_message"})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # Not JSON, or a binary frame: answered like any message we do not know.
        try:
            content = None if text_data is None else await self.decode_json(text_data)
        except ValueError:
            content = None
        await self.receive_json(content)

    async def _watch(self, customer_id: Any) -> None:
        assert self.advisor is not None
        if type(customer_id) is not int:
            await self.send_json({"type": "error", "code": "invalid_customer"})
            return
        # Absent and invisible look the same, as on the pages.
        if not await database_sync_to_async(_may_see)(self.advisor, customer_id):
            await self.send_json({"type": "error", "code": "not_found"})
            return
        await self._unwatch()
        self.watching = customer_id
        await self.channel_layer.group_add(push.customer_group(customer_id), self.channel_name)
        await self.send_json({"type": "watching", "customer_id": customer_id})

    async def _unwatch(self) -> None:
        if self.watching is not None:
            await self.channel_layer.group_discard(
                push.customer_group(self.watching), self.channel_name
            )
            self.watching = None

    async def live_push(self, event: dict[str, Any]) -> None:
        """A push from `push.send`: render it for this advisor, or drop it."""
        advisor = self.advisor
        if advisor is None:
            return
        kind = event.get("kind")
        if kind == handlers.TIMELINE:
            if event["customer_id"] != self.watching:
                return
            await self._render_and_send(
                fragments.timeline_item,
                advisor=advisor,
                customer_id=event["customer_id"],
                interaction_id=event["interaction_id"],
            )
            return
        # Everything else is addressed to one advisor's group: never show it to another.
        if event.get("advisor_id") != advisor.pk:
            return
        if kind == handlers.CALL:
            await self._render_and_send(
                fragments.screen_pop,
                advisor=advisor,
                customer_id=event["customer_id"],
                call_id=event["call_id"],
                from_number=event["from_number"],
            )
        elif kind == handlers.CALL_SETTLED:
            await self._render_and_send(
                fragments.call_settled, advisor=advisor, call_id=event["call_id"]
            )
        elif not self.inbox:
            return
        elif kind == handlers.INBOX:
            await self._render_and_send(
                fragments.inbox_row, advisor=advisor, case_id=event["case_id"]
            )
        elif kind == handlers.ASSIGNMENT:
            await self._render_and_send(
                fragments.assignment, advisor=advisor, handoff_id=event["handoff_id"]
            )
        elif kind == handlers.CHAT_WAITING:
            await self._render_and_send(
                fragments.chat_waiting, advisor=advisor, conversation_id=event["conversation_id"]
            )
        elif kind == handlers.CHAT_SETTLED:
            # Only a chat id, to this advisor alone: nothing to check or render.
            await self.send_json(
                {"type": "chat_settled", "conversation_id": event["conversation_id"]}
            )
        elif kind == handlers.PROMISE_ALERT:
            await self._render_and_send(fragments.promise_alerts, advisor=advisor)

    async def _render_and_send(
        self, render: Callable[..., fragments.Payload | None], **kwargs: Any
    ) -> None:
        # Not thread-sensitive: the sockets of all advisors render in parallel threads
        # instead of queueing behind one another on a single one.
        payload = await database_sync_to_async(self._render, thread_sensitive=False)(render, kwargs)
        if payload is not None:
            await self.send_json(payload)

    def _render(
        self, render: Callable[..., fragments.Payload | None], kwargs: dict[str, Any]
    ) -> fragments.Payload | None:
        with override(self.language):
            return render(**kwargs)
