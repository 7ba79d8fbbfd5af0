"""The chat assistant: answers a customer's turn from published knowledge only.

`answer` calls the function named by the setting SUIVI_CHAT_ASSISTANT (by default
`assistant_turn` below) once for every customer message of a conversation that no
advisor has joined yet (status "assistant"), after the message is committed. Whatever
happens there is logged and never reaches the customer's message: it is already stored.

No language model and no script tree: one search over the versions live right now (the
same `knowledge.selectors.search` as the help pages and the advisors' suggestions), and
a relevance rule (`best_answer`, docs/channels/chat.md) that either quotes one article,
shown with a link to its help page, or says plainly that it does not know and offers a
person. Each turn is an outbound interaction (channel `assistant`) on the customer's
timeline and a transcript line (author "assistant").
"""

import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from suivi.conversations import services as conversations
from suivi.conversations.models import Interaction
from suivi.core import statements
from suivi.core.text import search_key
from suivi.core.vocabulary import Channel
from suivi.knowledge import selectors as knowledge
from suivi.knowledge.selectors import SearchHit

from . import live
from .models import ChatConversation, ChatMessage
from .services import _lock, article_of, message_frame

logger = logging.getLogger("suivi.channels.chat")

ANSWERED, UNKNOWN, GREETING = "answered", "unknown", "greeting"
Frame = tuple[int, dict[str, Any]]  # a transcript line's frame for its conversation
# The relevance rule: at least this share of the question's significant words must be
# found in the article (title or text), a word counting as found when an article word
# starts with its first STEM letters ("résilier" finds "résiliation"); a shorter word
# must be there as it is (or with a plural s/x).
MIN_COVERAGE = 0.6
STEM = 5
CANDIDATES = 8
ANSWER_CHARS = 700


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that carry no subject: politeness, question words, pronouns, auxiliaries.
STOPWORDS = _words(
    """
    le la les un une des de du au aux et ou en dans pour par sur avec sans sous chez ce cet
    cette ces mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs je tu il elle
    on nous vous ils elles moi toi lui eux est sont suis etes ete etre avoir ai as avez ont
    fait faire faut peut peux puis pouvez pourriez pourrais comment quoi quel quelle quels
    quelles que qui quand combien pourquoi donc alors est-ce pas plus bien tres svp stp
    voudrais veux voudrait souhaite souhaiterais aimerais savoir besoin aide aider question
    merci bonjour bonsoir salut coucou cela ceci comme tout tous toute aussi encore deja
    the and for with without from into about your you our their his her its are was were
    been being have has had does did can could would should will shall how what which who
    whom when where why please hello thanks thank there this that these those not any some
    want like need know help question get got just also still already very much many hey
    good morning evening afternoon don doesn didn isn aren won cannot dois doit devons
    devez doivent
    """
)
GREETINGS = _words("bonjour bonsoir salut coucou hello hey hi good morning")
THANKS = _words("merci thanks thank cheers")


@dataclass(frozen=True)
class Reply:
    outcome: str  # ANSWERED, UNKNOWN or GREETING
    text: str
    hit: SearchHit | None = None
    coverage: float = 0.0


def words_of(text: str) -> list[str]:
    """Lower-case words without accents: 'Résilier l’abonnement' -> résilier, l, abon…"""
    return re.findall(r"[a-z0-9]+", search_key(text))


def terms_of(question: str) -> list[str]:
    """The question's significant words, in order, once each."""
    found = [w for w in words_of(question) if w not in STOPWORDS and (len(w) >= 3 or w.isdigit())]
    return list(dict.fromkeys(found))


def _found(term: str, words: set[str]) -> bool:
    if len(term) < STEM:
        # A short word's prefix is ambiguous ("work" in "working"): the word itself, or
        # its plural.
        return term in words or f"{term}s" in words or f"{term}x" in words
    return any(w.startswith(term[:STEM]) for w in words)


def coverage(terms: list[str], hit: SearchHit) -> float:
    """The share of `terms` found in the article's title or text (by their stem)."""
    if not terms:
        return 0.0
    words = set(words_of(f"{hit.title} {hit.text}"))
    return sum(1 for t in terms if _found(t, words)) / len(terms)


def scored(question: str, language: str, limit: int = CANDIDATES) -> list[tuple[float, SearchHit]]:
    """Live answers in `language` sharing words with the question, best first by
    (coverage, rank). One query."""
    terms = terms_of(question)
    if not terms:
        return []
    hits = knowledge.search(query=" ".join(terms), language=language, limit=limit, match="any")
    ranked = [(coverage(terms, hit), index, hit) for index, hit in enumerate(hits)]
    # The database's order (ts_rank on PostgreSQL) breaks ties between equal coverages.
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return [(score, hit) for score, _index, hit in ranked if score > 0]


def best_answer(*, question: str, language: str) -> SearchHit | None:
    """The one live article that answers the question, or None: the best candidate
    when it covers at least MIN_COVERAGE of the question's significant words."""
    candidates = scored(question, language)
    if candidates and candidates[0][0] >= MIN_COVERAGE:
        return candidates[0][1]
    return None


def suggestions(*, question: str, language: str, limit: int = 3) -> list[SearchHit]:
    """Live answers an advisor may insert for a customer's message (looser than the
    assistant: anything sharing a word, best first). One query."""
    return [hit for _score, hit in scored(question, language)[:limit]]


def _quote(text: str) -> str:
    text = text.strip()
    if len(text) <= ANSWER_CHARS:
        return text
    cut = text[:ANSWER_CHARS].rsplit(None, 1)[0]
    return cut.rstrip(" ,;:") + "…"


def reply_to(*, question: str, language: str) -> Reply:
    """What the assistant says to one customer message, in `language` (fr or en)."""
    words, terms = set(words_of(question)), terms_of(question)
    candidates = scored(question, language)
    if candidates and candidates[0][0] >= MIN_COVERAGE:
        score, hit = candidates[0]
        return Reply(ANSWERED, _quote(hit.text), hit, score)
    with translation.override(language):
        # Politeness with at most one other word ("Merci beaucoup !"): no question asked.
        if words & (GREETINGS | THANKS) and len(terms) <= 1:
            if words & THANKS:
                return Reply(GREETING, gettext("You are welcome! Anything else?"))
            return Reply(
                GREETING,
                gettext(
                    "Hello! Ask your question: I answer from our help pages, and a person "
                    "can take over at any time."
                ),
            )
        text = gettext(
            "I do not know the answer to that. A person can help you: press “Talk to a person”."
        )
    return Reply(UNKNOWN, text, None, candidates[0][0] if candidates else 0.0)


def answer(*, conversation: ChatConversation, message: ChatMessage) -> None:
    """Hand one customer turn to the assistant configured in SUIVI_CHAT_ASSISTANT.
    Runs after the customer's message is committed: a failure is logged, never raised
    (the message is stored and acknowledged whatever the assistant does)."""
    if not settings.SUIVI_CHAT_ASSISTANT:
        return
    try:
        import_string(settings.SUIVI_CHAT_ASSISTANT)(conversation=conversation, message=message)
    except Exception:
        logger.exception("The chat assistant failed on message %s", message.pk)


def assistant_turn(*, conversation: ChatConversation, message: ChatMessage) -> ChatMessage | None:
    """Answer one customer turn from published knowledge; returns the transcript line
    (None when a person took over meanwhile)."""
    language = conversation.language if conversation.language in knowledge.LANGUAGES else "fr"
    reply = reply_to(question=message.text, language=language)
    return _record(conversation=conversation, message=message, reply=reply)


@transaction.atomic
def _record(
    *, conversation: ChatConversation, message: ChatMessage, reply: Reply
) -> ChatMessage | None:
    if connection.vendor == "postgresql":
        # Like the customer's message: no waiting for the disk. An answer lost in a crash
        # costs the customer a question asked again, never their own message.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    conversation = _lock(conversation)
    if conversation.status != ChatConversation.Status.ASSISTANT or conversation.customer is None:
        return None
    # One answer per customer message, even if a turn is replayed.
    client_id = f"re:{message.pk}"
    if ChatMessage.objects.filter(
        conversation=conversation, author=ChatMessage.Author.ASSISTANT, client_id=client_id
    ).exists():
        return None
    record = _interaction(conversation, message, reply)
    interaction = conversations.interaction_record(**record)
    metadata = record["metadata"]
    line = ChatMessage.objects.create(
        conversation=conversation,
        author=ChatMessage.Author.ASSISTANT,
        text=reply.text,
        client_id=client_id,
        interaction=interaction,
        article=article_of(metadata),
        created_at=interaction.created_at,
    )
    _count(conversation, reply)
    conversation.save(update_fields=COUNTERS)
    frame = message_frame(line)
    transaction.on_commit(lambda: live.publish_message(conversation.pk, frame))
    return line


COUNTERS = ["assistant_turns", "assistant_answered", "assistant_unknown", "assistant_last"]


def _count(conversation: ChatConversation, reply: Reply) -> None:
    conversation.assistant_turns += 1
    conversation.assistant_answered += reply.outcome == ANSWERED
    conversation.assistant_unknown += reply.outcome == UNKNOWN
    conversation.assistant_last = reply.outcome


def _count_many(todo: list[tuple[ChatConversation, ChatMessage, Reply]]) -> None:
    """`_count` for the turns of a batch, written as one UPDATE per distinct change
    (usually three at most: one per outcome) rather than bulk_update's CASE per row,
    which cost more to compile than the rest of the batch's writes."""
    changes: dict[int, tuple[int, int, int, str]] = {}
    for conversation, _message, reply in todo:
        turns, answered, unknown, _last = changes.get(conversation.pk, (0, 0, 0, ""))
        changes[conversation.pk] = (
            turns + 1,
            answered + (reply.outcome == ANSWERED),
            unknown + (reply.outcome == UNKNOWN),
            reply.outcome,
        )
        _count(conversation, reply)
    groups: dict[tuple[int, int, int, str], list[int]] = {}
    for pk, change in changes.items():
        groups.setdefault(change, []).append(pk)
    for (turns, answered, unknown, last), pks in groups.items():
        ChatConversation.objects.filter(pk__in=pks).update(
            assistant_turns=F("assistant_turns") + turns,
            assistant_answered=F("assistant_answered") + answered,
            assistant_unknown=F("assistant_unknown") + unknown,
            assistant_last=last,
        )


def _interaction(
    conversation: ChatConversation, message: ChatMessage, reply: Reply
) -> dict[str, Any]:
    """`interaction_record`'s arguments for the assistant's answer to `message`."""
    case = conversation.case if conversation.case and conversation.case.is_active else None
    metadata: dict[str, Any] = {
        "chat": {"conversation": conversation.pk, "in_reply_to": message.pk},
        "assistant": {"outcome": reply.outcome, "coverage": round(reply.coverage, 2)},
    }
    if reply.hit is not None:
        metadata.update(knowledge.hit_metadata(reply.hit))
    return {
        "case": case,
        "customer": None if case is not None else conversation.customer,
        "channel": Channel.ASSISTANT,
        "direction": Interaction.Direction.OUTBOUND,
        "author_kind": Interaction.AuthorKind.ASSISTANT,
        "text": reply.text,
        "metadata": metadata,
    }


def answer_many(turns: list[tuple[ChatConversation, ChatMessage]]) -> list[Frame]:
    """The turns of one batch of the chat's writer (after its commit). The default
    assistant answers them together (`assistant_turns_many`: one transaction for the
    batch) and returns its lines' frames for the writer to publish from its event loop
    (no hop back to the loop per frame); any other SUIVI_CHAT_ASSISTANT is called turn
    by turn, through `answer`, and publishes its own lines."""
    if not settings.SUIVI_CHAT_ASSISTANT or not turns:
        return []
    if settings.SUIVI_CHAT_ASSISTANT != DEFAULT:
        for conversation, message in turns:
            answer(conversation=conversation, message=message)
        return []
    try:
        lines = assistant_turns_many(turns, publish=False)
    except Exception:
        logger.exception("The chat assistant failed on a batch of %s turns", len(turns))
        return []
    return [(line.conversation_id, message_frame(line)) for line in lines]


DEFAULT = "suivi.channels.chat.assistant.assistant_turn"


@transaction.atomic
def assistant_turns_many(
    turns: list[tuple[ChatConversation, ChatMessage]], *, publish: bool = True
) -> list[ChatMessage]:
    """`assistant_turn` for several customer messages at once: one search each (the
    questions differ), then one transaction whatever their number: the conversations
    locked in one query, the answers already given in one, the interactions and lines
    in bulk, the counters in one UPDATE per distinct change. Turns of conversations a
    person took over meanwhile, and turns already answered, are left out. Returns the
    new lines; with `publish` they are also published after the commit."""
    replies = {
        message.pk: reply_to(
            question=message.text,
            language=conversation.language
            if conversation.language in knowledge.LANGUAGES
            else "fr",
        )
        for conversation, message in turns
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    locked = {
        c.pk: c
        for c in ChatConversation.objects.select_for_update(of=("self",))
        .select_related("customer", "case")
        .filter(pk__in={conversation.pk for conversation, _m in turns})
        .order_by("pk")
    }
    answered = set(
        ChatMessage.objects.filter(
            conversation_id__in=locked,
            author=ChatMessage.Author.ASSISTANT,
            client_id__in=[f"re:{message.pk}" for _c, message in turns],
        ).values_list("client_id", flat=True)
    )
    todo: list[tuple[ChatConversation, ChatMessage, Reply]] = []
    for conversation, message in turns:
        current = locked.get(conversation.pk)
        client_id = f"re:{message.pk}"
        if current is None or client_id in answered:
            continue
        if current.status != ChatConversation.Status.ASSISTANT or current.customer is None:
            continue
        answered.add(client_id)
        todo.append((current, message, replies[message.pk]))
    if not todo:
        return []
    records = [_interaction(c, m, r) for c, m, r in todo]
    interactions = conversations.interactions_record_many(records=records)
    lines = statements.insert(
        [
            ChatMessage(
                conversation=conversation,
                author=ChatMessage.Author.ASSISTANT,
                text=reply.text,
                client_id=f"re:{message.pk}",
                interaction=interaction,
                article=article_of(record["metadata"]),
                created_at=interaction.created_at,
            )
            for (conversation, message, reply), interaction, record in zip(
                todo, interactions, records, strict=True
            )
        ]
    )
    _count_many(todo)
    if publish:
        frames = [(line.conversation_id, message_frame(line)) for line in lines]

        def published() -> None:
            for conversation_id, frame in frames:
                live.publish_message(conversation_id, frame)

        transaction.on_commit(published)
    return lines
