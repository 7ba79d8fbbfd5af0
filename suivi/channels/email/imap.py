"""IMAP polling for existing mailboxes (imapclient).

Per mailbox: search unseen messages, fetch their Message-ID and size first, skip those
already stored, fetch the bodies of the others, store each raw message (committed), and
only then mark it seen (or move it). A crash between the two costs a duplicate fetch,
which the idempotency key absorbs — never a lost message.
"""

import logging

from imapclient import IMAPClient

from suivi.core.vocabulary import Channel

from ..inbound import inbound_store
from ..models import InboundMessage
from . import config
from .parsing import _ids, external_id

logger = logging.getLogger("suivi.channels.imap")
BATCH = 50


def poll(mailbox: config.Mailbox, *, timeout: float = 30) -> int:
    """Fetch new messages from one mailbox; returns how many were stored."""
    stored = 0
    limit = config.max_message_bytes()
    with IMAPClient(mailbox.host, port=mailbox.port, ssl=mailbox.ssl, timeout=timeout) as client:
        client.login(mailbox.username, mailbox.password)
        client.select_folder(mailbox.folder)
        uids = client.search(["UNSEEN"])
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            heads = client.fetch(batch, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]", "RFC822.SIZE"])
            wanted, done = [], []
            keys = {}
            for uid, data in heads.items():
                header = data.get(b"BODY[HEADER.FIELDS (MESSAGE-ID)]", b"").decode(
                    "ascii", errors="replace"
                )
                ids = _ids(header.partition(":")[2])
                if data.get(b"RFC822.SIZE", 0) > limit:
                    logger.warning(
                        "%s: UID %s is over the size limit, left unread", mailbox.label, uid
                    )
                    continue
                if ids:
                    keys[uid] = f"mid:{ids[0]}"[:255]
                wanted.append(uid)
            known = set(
                InboundMessage.objects.filter(
                    channel=Channel.EMAIL, external_id__in=list(keys.values())
                ).values_list("external_id", flat=True)
            )
            fetch = [uid for uid in wanted if keys.get(uid) not in known or uid not in keys]
            done += [uid for uid in wanted if uid in keys and keys[uid] in known]
            if fetch:
                for uid, data in client.fetch(fetch, ["BODY.PEEK[]"]).items():
                    raw = data[b"BODY[]"]
                    _message, created = inbound_store(
                        channel=Channel.EMAIL,
                        external_id=keys.get(uid) or external_id(raw),
                        raw=raw,
                        source=mailbox.label,
                        envelope={"imap_uid": uid, "mailbox": mailbox.label},
                    )
                    stored += int(created)
                    done.append(uid)
            if done:
                # Only after the commit of each message: seen, or moved out of the way.
                if mailbox.move_to:
                    client.move(done, mailbox.move_to)
                else:
                    client.add_flags(done, [b"\\Seen"])
        client.logout()
    return stored


def poll_all() -> int:
    total = 0
    for mailbox in config.imap_mailboxes():
        try:
            total += poll(mailbox)
        except Exception:
            # One unreachable mailbox must not stop the others.
            logger.exception("IMAP poll of %s failed", mailbox.label)
    return total
