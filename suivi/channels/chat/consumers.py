"""The chat's WebSocket endpoints: the customer's widget and the advisor's panel.

Both parse JSON frames (docs/channels/chat.md), call one service per frame in a worker
thread (a customer's `message` goes to the batching writer, writer.py), and answer. A
bad frame gets an error frame with a stable code and the socket stays open; a refused
connection gets an error frame, then a close code that says why.
"""

import json
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from suivi.core import clock
from suivi.core.errors import DomainError

from . import identity, live, services
from .limits import addresses, connection_bucket
from .models import ChatConversation
from .writer import Pending, writer

logger = logging.getLogger("suivi.channels.chat")

# Close codes (4000-4999 are the application's own).
CLOSE_LOGIN_REQUIRED = 4001
CLOSE_ORIGIN_REFUSED = 4003
CLOSE_NOT_FOUND = 4004
CLOSE_RATE_LIMITED = 4029
# Refused frames in a row before a flooding connection is closed.
MAX_STRIKES = 50


_executor: ThreadPoolExecutor | None = None


def db(function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """Run a service in the chat's own threads. Not thread-sensitive: chats are
    independent and need not queue behind one thread; each thread keeps its database
    connection (SUIVI_CHAT_DB_THREADS of them per process)."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(
            max_workers=settings.SUIVI_CHAT_DB_THREADS, thread_name_prefix="suivi-chat"
        )
    return database_sync_to_async(function, thread_sensitive=False, executor=_executor)


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


class FrameError(DomainError):
    """A frame that cannot be understood; its code says what was wrong."""

    def __init__(self, code: str, message: Any, **details: Any) -> None:
        super().__init__(message, **details)
        self.frame_code = code


class JsonSocket(AsyncWebsocketConsumer):
    """Frame parsing, limits and error frames shared by both sides."""

    language = "fr"
    handlers: dict[str, str] = {}

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its `aclose_old_connections()` before every frame:
        that is a hop to the loop's sync thread per frame, for connections these sockets
        never use (their database work runs in `db` threads, which close their own)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    def setup(self) -> None:
        self.bucket = connection_bucket()
        self.strikes = 0
        self.ready = False

    async def send_frame(self, frame: dict[str, Any]) -> None:
        try:
            await self.send(text_data=json.dumps(frame, ensure_ascii=False))
        except OSError:
            # The other side has gone (uvicorn's ClientDisconnected): what it missed is
            # committed and comes back when it resumes.
            logger.debug("Chat socket gone before a %s frame", frame.get("type"))

    async def send_error(self, code: str, message: Any, **extra: Any) -> None:
        with translation.override(self.language):
            text = str(message)
        await self.send_frame({"type": "error", "code": code, "message": text, **extra})

    async def refuse(self, code: str, message: Any, close_code: int) -> None:
        await self.send_error(code, message)
        await self.close(code=close_code, reason=code)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.ready:
            return
        if self.bucket.take():
            self.strikes += 1
            if self.strikes >= MAX_STRIKES:
                await self.refuse(
                    "rate_limited", _("Too many messages; the chat is closed."),
                    CLOSE_RATE_LIMITED,
                )  # fmt: skip
                return
            wait = round(self.bucket.take() or 1.0, 1)
            await self.send_error(
                "rate_limited", _("Too many messages: wait a moment."), retry_after=wait
            )
            return
        self.strikes = 0
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > settings.SUIVI_CHAT_MAX_FRAME_BYTES:
            await self.send_error(
                "too_large",
                _("This message is too long."),
                limit=settings.SUIVI_CHAT_MAX_FRAME_BYTES,
            )
            return
        if text_data is None:
            await self.send_error("bad_frame", _("Frames are JSON text."))
            return
        try:
            data = json.loads(text_data)
        except ValueError:
            await self.send_error("bad_json", _("This frame is not valid JSON."))
            return
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            await self.send_error("bad_frame", _("A frame is a JSON object with a type."))
            return
        handler_name = self.handlers.get(data["type"])
        if handler_name is None:
            await self.send_error(
                "unknown_type", _("Unknown frame type."), frame_type=str(data["type"])[:40]
            )
            return
        client_id = data.get("client_id") if isinstance(data.get("client_id"), str) else None
        extra = {"client_id": client_id} if client_id else {}
        try:
            await getattr(self, handler_name)(data)
        except FrameError as error:
            await self.send_error(error.frame_code, error.message, **extra)
        except DomainError as error:
            await self.send_error(error.code, error.message, **extra)
        except Exception:
            logger.exception("Chat frame %s failed", data.get("type"))
            await self.send_error("server_error", _("Something went wrong; try again."), **extra)

    async def chat_frame(self, event: dict[str, Any]) -> None:
        """A frame published to a group this socket is in (see live.py)."""
        frame = event["frame"]
        if frame.get("type") == "typing" and frame.get("author") == self.side:
            return
        conversation = getattr(self, "conversation", None)
        if frame.get("type") == "ended" and conversation is not None:
            conversation.status = ChatConversation.Status.ENDED
        await self.send_frame(frame)

    side = ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


class CustomerChat(JsonSocket):
    """`ws/chat/<widget key>/`: the widget on a customer's site."""

    side = "customer"
    handlers = {
        "hello": "on_hello",
        "message": "on_message",
        "identify": "on_identify",
        "handoff": "on_handoff",
        "typing": "on_typing",
        "email": "on_email",
        "ping": "on_ping",
    }

    async def connect(self) -> None:
        self.setup()
        self.conversation: ChatConversation | None = None
        self.counted = False
        client = self.scope.get("client") or ("?", 0)
        self.address = str(client[0])
        await self.accept()
        key = str(self.scope["url_route"]["kwargs"].get("key", ""))
        widget = await db(services.widget_by_key)(public_key=key)
        if widget is None:
            await self.refuse("unknown_widget", _("Unknown chat widget."), CLOSE_NOT_FOUND)
            return
        origin = _header(self.scope, b"origin")
        if not services.origin_allowed(widget=widget, origin=origin):
            logger.info("Chat origin refused for widget %s: %r", widget.pk, origin)
            await self.refuse(
                "origin_refused", _("This site may not use this chat."), CLOSE_ORIGIN_REFUSED
            )
            return
        if not addresses.connect(self.address):
            await self.refuse(
                "rate_limited", _("Too many chats from your address."), CLOSE_RATE_LIMITED
            )
            return
        self.counted = True
        self.widget = widget
        self.ready = True

    async def disconnect(self, code: int) -> None:
        if self.counted:
            addresses.disconnect(self.address)
            self.counted = False
        if self.conversation is not None:
            await self.channel_layer.group_discard(
                live.conversation_group(self.conversation.pk), self.channel_name
            )

    def _need_conversation(self) -> ChatConversation:
        if self.conversation is None:
            raise FrameError("hello_first", _("Send a hello frame first."))
        return self.conversation

    async def on_hello(self, data: dict[str, Any]) -> None:
        lang = data.get("lang")
        if isinstance(lang, str) and lang[:2] in self.widget.language_list:
            self.language = lang[:2]
        elif self.widget.language_list:
            self.language = self.widget.language_list[0]
        token = data.get("conversation") if isinstance(data.get("conversation"), str) else None
        previous = self.conversation
        conversation = await db(services.conversation_open)(
            widget=self.widget,
            token=token,
            language=self.language,
            origin=_header(self.scope, b"origin"),
        )
        if previous is not None and previous.pk != conversation.pk:
            await self.channel_layer.group_discard(
                live.conversation_group(previous.pk), self.channel_name
            )
        self.conversation = conversation
        self.language = conversation.language
        await self.channel_layer.group_add(
            live.conversation_group(conversation.pk), self.channel_name
        )
        identity_error: DomainError | None = None
        who = data.get("identity")
        if isinstance(who, dict):
            try:
                await self._identify(who)
            except DomainError as error:
                identity_error = error
        lines = await db(services.transcript)(
            conversation=conversation, after=_int(data.get("last_id"))
        )
        await self.send_frame(
            {
                "type": "welcome",
                "conversation": conversation.token,
                "status": self.conversation.status,
                "identified": self.conversation.identified_by,
                "lang": self.language,
                "max_length": services.MAX_TEXT,
                "messages": [services.message_frame(line) for line in lines],
            }
        )
        if identity_error is not None:
            await self.send_error(identity_error.code, identity_error.message)

    async def _identify(self, who: dict[str, Any]) -> None:
        conversation = self._need_conversation()
        token, email = who.get("token"), who.get("email")
        if isinstance(token, str) and token:
            claims = identity.verify(secret=self.widget.secret, token=token, now=clock.now())
            self.conversation = await db(services.conversation_identify)(
                conversation=conversation, claims=claims
            )
        elif isinstance(email, str) and email:
            self.conversation = await db(services.conversation_identify)(
                conversation=conversation, email=email
            )
        else:
            raise FrameError("bad_frame", _("Identify with a token or an e-mail address."))

    async def on_identify(self, data: dict[str, Any]) -> None:
        await self._identify(data)
        conversation = self._need_conversation()
        await self.send_frame({"type": "identified", "by": conversation.identified_by})

    async def on_message(self, data: dict[str, Any]) -> None:
        conversation = self._need_conversation()
        if not addresses.message(self.address):
            raise FrameError("rate_limited", _("Too many messages: wait a moment."))
        client_id = services.check_client_id(data.get("client_id"))
        text = services.check_text(data.get("text"))
        if conversation.is_over:
            raise services.ConversationEnded(conversation_id=conversation.pk)
        # Stored and processed with the other messages queued meanwhile (writer.py);
        # this returns once the batch is committed.
        received = await writer(conversation.pk).receive(
            Pending(conversation=conversation, client_id=client_id, text=text)
        )
        await self.send_frame(
            {
                "type": "ack",
                "client_id": data.get("client_id"),
                "id": received.message_id,
                "duplicate": received.duplicate,
            }
        )

    async def on_handoff(self, data: dict[str, Any]) -> None:
        conversation = self._need_conversation()
        with translation.override(self.language):
            # The result is published to every socket of the conversation, this one too.
            await db(services.conversation_hand_over)(conversation=conversation)
        self.conversation = await db(_reload)(conversation.pk)

    async def on_email(self, data: dict[str, Any]) -> None:
        conversation = self._need_conversation()
        email = data.get("email")
        if not isinstance(email, str) or not email.strip():
            raise FrameError("bad_frame", _("Give an e-mail address."))
        with translation.override(self.language):
            self.conversation = await db(services.followup_by_email)(
                conversation=conversation, email=email
            )
        await self.send_frame({"type": "email_followup", "email": self.conversation.followup_email})

    async def on_typing(self, data: dict[str, Any]) -> None:
        conversation = self._need_conversation()
        await self.channel_layer.group_send(
            live.conversation_group(conversation.pk),
            {
                "type": "chat.frame",
                "frame": {
                    "type": "typing",
                    "author": "customer",
                    "active": bool(data.get("active")),
                },
            },
        )

    async def on_ping(self, data: dict[str, Any]) -> None:
        await self.send_frame({"type": "pong"})


def _reload(conversation_id: int) -> ChatConversation:
    return ChatConversation.objects.select_related("widget").get(pk=conversation_id)


def _advisor_access(user: Any, conversation_id: int) -> tuple[Any, ChatConversation]:
    from suivi.conversations.selectors import case_access
    from suivi.core.errors import NotFound
    from suivi.people.selectors import advisor_for_user

    advisor = advisor_for_user(user)
    conversation = (
        ChatConversation.objects.select_related("widget").filter(pk=conversation_id).first()
    )
    if advisor is None or conversation is None or conversation.case_id is None:
        raise NotFound(conversation_id=conversation_id)
    # Permission is checked where the object is fetched: the case's visibility rules.
    case_access(advisor=advisor, case_id=conversation.case_id)
    return advisor, conversation


class AdvisorChat(JsonSocket):
    """`ws/advisor-chat/<conversation id>/`: the live panel of the case page."""

    side = "advisor"
    handlers = {
        "hello": "on_hello",
        "reply": "on_reply",
        "typing": "on_typing",
        "end": "on_end",
        "ping": "on_ping",
    }

    async def connect(self) -> None:
        self.setup()
        self.conversation: ChatConversation | None = None
        self.language = translation.get_language() or settings.LANGUAGE_CODE
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse("login_required", _("Log in to answer chats."), CLOSE_LOGIN_REQUIRED)
            return
        conversation_id = int(self.scope["url_route"]["kwargs"]["conversation_id"])
        try:
            self.advisor, self.conversation = await db(_advisor_access)(user, conversation_id)
        except DomainError:
            await self.refuse("not_found", _("Not found."), CLOSE_NOT_FOUND)
            return
        await self.channel_layer.group_add(
            live.conversation_group(self.conversation.pk), self.channel_name
        )
        self.ready = True

    async def disconnect(self, code: int) -> None:
        if self.conversation is not None and self.ready:
            await self.channel_layer.group_discard(
                live.conversation_group(self.conversation.pk), self.channel_name
            )

    async def on_hello(self, data: dict[str, Any]) -> None:
        assert self.conversation is not None
        self.conversation = await db(_reload)(self.conversation.pk)
        lines = await db(services.transcript)(
            conversation=self.conversation, after=_int(data.get("last_id"))
        )
        held, capacity = await db(services.live_chats_of)(advisor=self.advisor)
        await self.send_frame(
            {
                "type": "welcome",
                "status": self.conversation.status,
                "live_chats": held,
                "capacity": capacity,
                "messages": [services.message_frame(line) for line in lines],
            }
        )

    async def on_reply(self, data: dict[str, Any]) -> None:
        assert self.conversation is not None
        line = await db(services.advisor_reply)(
            conversation=self.conversation,
            advisor=self.advisor,
            client_id=data.get("client_id"),
            text=data.get("text"),
            knowledge_version_id=data.get("knowledge_version_id"),
        )
        await self.send_frame({"type": "ack", "client_id": data.get("client_id"), "id": line.pk})

    async def on_typing(self, data: dict[str, Any]) -> None:
        assert self.conversation is not None
        await self.channel_layer.group_send(
            live.conversation_group(self.conversation.pk),
            {
                "type": "chat.frame",
                "frame": {
                    "type": "typing",
                    "author": "advisor",
                    "name": self.advisor.display_name,
                    "active": bool(data.get("active")),
                },
            },
        )

    async def on_end(self, data: dict[str, Any]) -> None:
        assert self.conversation is not None
        summary = data.get("summary") if isinstance(data.get("summary"), str) else ""
        self.conversation = await db(services.conversation_end)(
            conversation=self.conversation, by=self.advisor, summary=summary
        )

    async def on_ping(self, data: dict[str, Any]) -> None:
        await self.send_frame({"type": "pong"})
