"""Which case an inbound e-mail continues, in order of certainty.

1. a signed case token in one of our recipient addresses (the customer answered us);
2. In-Reply-To / References naming a message we sent or received on a case;
3. a "[Réf. 123]" reference in the subject, for a case of the same customer;
4. a recent active case of the same customer with the same subject.
Otherwise a new case is opened. A closed case is never continued: the customer gets a
new case instead (CaseClosed says so).
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from suivi.conversations import services as conversations
from suivi.conversations.models import Case
from suivi.core import clock
from suivi.core.statements import Compiled
from suivi.core.text import search_key

from ..models import EmailMessageId
from . import addresses, outgoing
from .parsing import ParsedEmail

# "[Réf. 123]", "[Ref 123]", "[Réf. #123]", "(Ref: 123)".
_SUBJECT_REF = re.compile(r"[\[(]\s*r[ée]f(?:[ée]rence)?\.?\s*:?\s*#?(\d{1,18})\s*[\])]", re.I)
_REPLY_PREFIX = re.compile(
    r"^\s*((re|r[ée]f|tr|fwd?|aw|wg|sv|rv|antw|r)\s*(\[\d+\])?\s*:\s*)+", re.I
)
SAME_TOPIC_WITHIN = timedelta(days=14)


@dataclass(frozen=True)
class Thread:
    case: Case | None
    how: str  # "token", "in_reply_to", "subject_ref", "topic" or "" for none


def topic_key(subject: str) -> str:
    """A subject without reply prefixes and references, for 'same topic' comparisons."""
    bare = _SUBJECT_REF.sub(" ", subject)
    bare = _REPLY_PREFIX.sub("", bare)
    return search_key(bare)


def _continuable(case: Case | None) -> Case | None:
    return case if case is not None and case.status != Case.Status.CLOSED else None


def token_case(*, recipients: list[str]) -> Case | None:
    case_id = addresses.case_in_addresses(recipients)
    if case_id is None:
        return None
    return _TOKEN_CASE.first(pk=case_id)


# Every reply to one of our e-mails (its Reply-To holds the token) asks it: compiled once.
_TOKEN_CASE: Compiled[Case] = Compiled(
    lambda pk: Case.objects.select_related("customer").filter(pk=pk)[:1]
)


# A known sender's every message asks it: compiled once.
_RECENT_CASES: Compiled[Case] = Compiled(
    lambda customer_id, since: Case.objects.filter(
        customer_id=customer_id, status__in=Case.ACTIVE_STATUSES, updated_at__gte=since
    ).order_by("-updated_at")[:20]
)


def find_thread(
    *, parsed: ParsedEmail, customer_id: int, by_token: Case | None, allow_topic: bool = True
) -> Thread:
    if _continuable(by_token) is not None:
        return Thread(by_token, "token")
    known = parsed.in_reply_to + list(reversed(parsed.references))
    if known:
        # A message of the same batch may be the one this one answers.
        outgoing.message_ids_write()
        rows = (
            EmailMessageId.objects.filter(message_id__in=known[:50])
            .select_related("case")
            .order_by("-created_at")
        )
        for row in rows:
            if row.case.customer_id == customer_id and _continuable(row.case):
                return Thread(row.case, "in_reply_to")
    # The clocks of this customer's cases changed earlier in the batch, not written yet.
    conversations.case_changes_write(customer_id=customer_id)
    if match := _SUBJECT_REF.search(parsed.subject):
        case = Case.objects.filter(pk=int(match.group(1)), customer_id=customer_id).first()
        if _continuable(case):
            return Thread(case, "subject_ref")
    key = topic_key(parsed.subject)
    if allow_topic and key:
        candidates = _RECENT_CASES.rows(
            customer_id=customer_id, since=clock.now() - SAME_TOPIC_WITHIN
        )
        for case in candidates:
            if topic_key(case.subject) == key:
                return Thread(case, "topic")
    return Thread(None, "")
