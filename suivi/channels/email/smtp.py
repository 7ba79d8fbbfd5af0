"""The built-in SMTP receiver (aiosmtpd): accept mail for our addresses, store it, and
only then say 250.

Answers: 550 for a recipient that is not one of our addresses (or a plus-address of
one), 552 over the size limit, 451 when the database cannot take the message (the
sending server keeps it and retries later: nothing is lost), 250 once it is committed.
"""

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import DatabaseError, close_old_connections, connection, connections

from suivi.core.vocabulary import Channel

from ..inbound import inbound_store
from . import addresses, config
from .parsing import external_id

logger = logging.getLogger("suivi.channels.smtp")


def store(raw: bytes, *, mail_from: str, rcpt_tos: list[str], peer: str) -> bool:
    """Store one message (in a worker thread); True when new, False for a duplicate."""
    close_old_connections()
    try:
        _message, created = inbound_store(
            channel=Channel.EMAIL,
            external_id=external_id(raw),
            raw=raw,
            source="smtp",
            envelope={"mail_from": mail_from, "rcpt_tos": rcpt_tos, "peer": peer},
        )
    except DatabaseError:
        # The connection may be broken; the next message opens a fresh one.
        connection.close()
        raise
    return created


class SupportHandler:
    def __init__(self, workers: int = 4) -> None:
        self.workers = workers
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="smtp-store")

    def close(self) -> None:
        """Close each worker thread's database connection, then the threads."""
        barrier = threading.Barrier(self.workers)

        def close_connections() -> None:
            # The barrier makes every thread take exactly one of these calls.
            barrier.wait(timeout=10)
            connections.close_all()

        for future in [self.executor.submit(close_connections) for _ in range(self.workers)]:
            future.result()
        self.executor.shutdown(wait=True)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if not addresses.is_support_address(address):
            return "550 5.1.1 Unknown recipient"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        if len(raw) > config.max_message_bytes():
            return "552 5.3.4 Message too big"
        peer: Any = session.peer
        loop = asyncio.get_running_loop()
        try:
            created = await loop.run_in_executor(
                self.executor,
                lambda: store(
                    raw,
                    mail_from=envelope.mail_from or "",
                    rcpt_tos=list(envelope.rcpt_tos),
                    peer=str(peer[0]) if isinstance(peer, tuple) else str(peer),
                ),
            )
        except DatabaseError as error:
            logger.warning("Message refused for now (451), database unavailable: %s", error)
            return "451 4.3.0 Temporary failure, please try again later"
        except Exception:
            logger.exception("Message refused for now (451)")
            return "451 4.3.0 Temporary failure, please try again later"
        return "250 2.0.0 OK stored" if created else "250 2.0.0 OK already stored"


def smtp_factory(handler: SupportHandler) -> SMTP:
    return SMTP(
        handler,
        # One line of slack over the limit lets aiosmtpd answer 552 itself for larger data.
        data_size_limit=config.max_message_bytes() + 1024,
        enable_SMTPUTF8=True,
        decode_data=False,
        hostname=addresses.split(config.support_addresses()[0])[2] or "suivi.localhost",
        ident="Suivi",
    )


async def serve(host: str, port: int, stop: asyncio.Event) -> None:
    handler = SupportHandler()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: smtp_factory(handler), host=host, port=port)
    logger.info("SMTP receiver listening on %s:%s for %s", host, port, config.support_addresses())
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
        handler.close()
